import type { ScenarioResult } from '../../model.ts';
import { summarize } from '../summary.ts';
import { html } from './escape.ts';

/** The word a result's verdict reads as: a known-bad scenario is "caught" or "missed". */
export function verdictOf(result: ScenarioResult): { text: string; tone: 'ok' | 'bad' } {
  if (result.status === 'error') return { text: '✗ error', tone: 'bad' };
  if (result.knownBad)
    return result.status === 'passed' ? { text: '✓ caught', tone: 'ok' } : { text: '✗ missed', tone: 'bad' };
  return result.status === 'passed' ? { text: '✓ passed', tone: 'ok' } : { text: '✗ failed', tone: 'bad' };
}

/** The run's totals and one table row per scenario, each linking to its diagram. */
export function renderSummary(results: ScenarioResult[]): string {
  const totals = summarize(results);
  const rows = results.map((result, index) => {
    const verdict = verdictOf(result);
    return (
      `<tr><td><a href="#s${index + 1}">${html(result.name)}</a>${result.knownBad ? ' <span class="tag">known-bad</span>' : ''}</td>` +
      `<td class="${verdict.tone}">${verdict.text}</td><td class="num">${result.durationMs} ms</td>` +
      `<td>${html(result.target)}${result.connectorVersion ? ` ${html(result.connectorVersion)}` : ''}</td></tr>`
    );
  });
  return (
    `<p class="totals"><strong>${totals.passed} passed, ${totals.failed + totals.errors} failed</strong>` +
    `${totals.caught ? ` (${totals.caught} known-bad configs caught as expected)` : ''}</p>
<table class="summary"><thead><tr><th>Scenario</th><th>Verdict</th><th>Time</th><th>Target</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`
  );
}
