import { maskForOutput, maskText } from '../../lib/mask.ts';
import type { ScenarioResult } from '../model.ts';
import { leadingCheck } from './leading-check.ts';
import { summarize } from './summary.ts';

const xml = (value: string) =>
  value
    .replace(
      /[<>&'"]/g,
      (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[character] ?? character,
    )
    // XML 1.0 forbids most control characters even when escaped.
    // eslint-disable-next-line no-control-regex -- those characters are what this removes
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: one testsuite per target, one testcase per scenario, failing checks as the failure text, secrets masked. */
export function renderJunit(unmasked: ScenarioResult[], unmaskedSuiteName = 'connector-harness'): string {
  // Masked before XML escaping: `&amp;` would hide a form string's parameter boundaries.
  const results = maskForOutput(unmasked);
  const suiteName = maskText(unmaskedSuiteName);
  const summary = summarize(results);
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const cases = results.map((result) => {
    const lead = leadingCheck(result.checks);
    // The cause first: the check that names it and its fix, then the rest.
    const failing = result.checks
      .filter((check) => check.status === 'fail')
      .sort((a, b) => Number(b === lead) - Number(a === lead));
    const message = lead ? `${lead.title}: ${lead.message}${lead.hint ? ` → ${lead.hint}` : ''}` : undefined;
    const body = failing
      .map((check) => `${check.id}: ${check.message}${check.hint ? `\n  → ${check.hint}` : ''}`)
      .join('\n');
    const inner =
      result.status === 'passed'
        ? ''
        : result.status === 'error'
          ? `\n      <error message="${xml(message ?? 'error')}">${xml(body)}</error>\n    `
          : `\n      <failure message="${xml(message ?? (result.knownBad ? 'known-bad config not caught' : 'failed'))}">${xml(body)}</failure>\n    `;
    return (
      `    <testcase classname="${xml(result.line ? `${result.file}:${result.line}` : result.file)}"` +
      ` name="${xml(result.name)}${result.knownBad ? ' [known-bad]' : ''}"` +
      ` time="${time(result.durationMs)}">${inner}</testcase>`
    );
  });
  const total = results.reduce((sum, result) => sum + result.durationMs, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${xml(suiteName)}" tests="${summary.total}" failures="${summary.failed}" errors="${summary.errors}" time="${time(total)}">
  <testsuite name="${xml(suiteName)}" tests="${summary.total}" failures="${summary.failed}" errors="${summary.errors}" time="${time(total)}">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
