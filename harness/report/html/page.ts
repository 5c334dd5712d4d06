import { maskForOutput } from '../../../lib/mask.ts';
import { SEQUENCE_CSS } from '../../../lib/sequence-style.ts';
import type { CheckResult, ScenarioResult } from '../../model.ts';
import { html } from './escape.ts';
import { leadingCheck } from '../leading-check.ts';
import { failingHop } from './failing-hop.ts';
import { renderSequence } from './sequence.ts';
import { renderSummary, verdictOf } from './summary.ts';

const ICONS: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '–' };

const PAGE_CSS = `
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 0; } h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.meta, .totals { color: #59636e; margin: .2rem 0 .8rem; }
table.summary { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
.summary th, .summary td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #d0d7de; }
.summary td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #116329; } .bad { color: #a40e26; }
.tag { font-size: 11px; background: #fff8c5; color: #7d4e00; border-radius: 999px; padding: 0 .4rem; }
section.scenario { border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem 1.25rem; margin: 0 0 1.5rem; }
.caught { background: #dafbe1; border-radius: 6px; padding: .5rem .8rem; margin: .5rem 0; }
.caught.missed { background: #ffebe9; }
.caught ul { margin: .2rem 0 0; padding-left: 1.2rem; }
.cause { border: 1px solid #ffcecb; border-radius: 6px; padding: .4rem .8rem; margin: .5rem 0 1rem; background: #fffafa; }
.cause > p { margin: .2rem 0 .4rem; }
.cause .fix { display: block; margin-top: .2rem; }
ul.checks { list-style: none; padding: 0; margin: 0; }
ul.checks li { padding: .15rem 0; }
ul.checks .icon { display: inline-block; width: 1.2rem; font-weight: 700; }
li.fail .icon { color: #cf222e; } li.warn .icon { color: #9a6700; } li.pass .icon { color: #1a7f37; } li.skip .icon { color: #6e7781; }
ul.checks details > summary { cursor: pointer; }
ul.checks .hint { margin: .2rem 0 .2rem 1.2rem; }
pre { background: #f6f8fa; border-radius: 6px; padding: .5rem .75rem; \
margin: .2rem 0 .4rem 1.2rem; overflow-x: auto; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
`;

function renderCheck(check: CheckResult): string {
  const head = `<span class="icon">${ICONS[check.status]}</span><strong>${html(check.title)}</strong>: ${html(check.message)}`;
  const hint = check.hint && check.status !== 'pass' ? `<div class="hint">Fix: ${html(check.hint)}</div>` : '';
  if (!check.evidence) return `<li class="${check.status}" data-check="${html(check.id)}">${head}${hint}</li>`;
  return (
    `<li class="${check.status}" data-check="${html(check.id)}"><details><summary>${head}</summary>${hint}` +
    `<pre>${html(JSON.stringify(check.evidence, null, 2))}</pre></details></li>`
  );
}

/** What a known-bad scenario was caught by (or that it was missed). */
function knownBadBanner(result: ScenarioResult): string {
  const caught = result.checks.filter((check) => check.status === 'fail' || check.status === 'warn');
  const missed = result.status !== 'passed';
  const items = caught.map((check) => `<li>${html(check.title)}: ${html(check.message)}</li>`).join('');
  return (
    `<div class="caught${missed ? ' missed' : ''}">` +
    `<strong>${missed ? 'Known-bad config, not caught as expected' : 'Known-bad config, caught'}</strong>` +
    `${items ? `<ul>${items}</ul>` : ''}</div>`
  );
}

function renderScenario(result: ScenarioResult, index: number): string {
  const verdict = verdictOf(result);
  const lead = leadingCheck(result.checks);
  const hops = result.hops ?? [];
  const hop = lead ? failingHop(lead, hops) : undefined;
  const where = `${result.file}${result.line ? `:${result.line}` : ''}`;
  const diagram =
    hops.length > 0
      ? renderSequence(hops, hop && lead ? { hop, check: lead } : undefined)
      : '<p class="meta">No hops recorded for this run.</p>';
  // The cause first, with its hop drawn on its own: on a narrow window it is read before the whole flow.
  const cause =
    lead && result.status !== 'passed'
      ? `<div class="cause"><p><strong>${html(lead.title)}</strong>: ${html(lead.message)}` +
        `${lead.hint ? `<span class="fix">${lead.unfixable ? '' : 'Fix: '}${html(lead.hint)}</span>` : ''}` +
        `</p>${hop ? renderSequence([hop], { hop, check: lead, note: false }) : ''}</div>`
      : '';
  const logtoAnswer =
    result.error && result.status !== 'passed'
      ? `<p class="meta">Logto answers: ${result.error.status ? `${result.error.status} ` : ''}${html(result.error.code)}</p>`
      : '';
  return `<section class="scenario" id="s${index + 1}" data-scenario="${html(result.name)}" data-status="${result.status}">
<h2><span class="${verdict.tone}">${verdict.text}</span> ${html(result.name)}</h2>
<p class="meta">${html(where)} · ${html(result.target)}${result.connectorVersion ? ` ${html(result.connectorVersion)}` : ''} · ${result.durationMs} ms</p>
${result.knownBad ? knownBadBanner(result) : ''}${logtoAnswer}${cause}
${diagram}
<h3>Checks</h3>
<ul class="checks">
${result.checks.map(renderCheck).join('\n')}
</ul>
</section>`;
}

/**
 * One self-contained HTML file: the summary table, then per scenario its sequence diagram with the
 * hop the leading check is about in red, and the checks with their evidence folded. No scripts,
 * fonts or images; every string masked (lib/mask.ts) and escaped.
 */
export function renderHtml(unmasked: ScenarioResult[], meta: { target: string; generatedAt: string }): string {
  const results = maskForOutput(unmasked);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>connector-harness report</title>
<style>${PAGE_CSS}${SEQUENCE_CSS}</style>
</head>
<body>
<main>
<h1>connector-harness report</h1>
<p class="meta">Target ${html(meta.target)} · generated ${html(meta.generatedAt)}</p>
${renderSummary(results)}
${results.map(renderScenario).join('\n')}
</main>
</body>
</html>
`;
}
