import { maskForOutput, maskText } from '../../lib/mask.ts';
import type { CheckResult, ScenarioResult } from '../model.ts';
import { leadingCheck } from './leading-check.ts';
import { summarize } from './summary.ts';

export interface TerminalOptions {
  color: boolean;
  /** Show evidence for passing checks too. */
  verbose: boolean;
  /** Only the scenarios that did not pass, and the closing line. */
  quiet?: boolean;
}

const ICONS: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

function paint(enabled: boolean) {
  const wrap = (code: number) => (text: string) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}

function evidenceLines(evidence: Record<string, unknown>, indent: string): string[] {
  return Object.entries(evidence).flatMap(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${indent}${key}: ${text && text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
  });
}

/** The human report: one block per scenario, failing checks with evidence and the fix, secrets masked (lib/mask.ts). */
export function renderTerminal(results: ScenarioResult[], options: TerminalOptions): string {
  // Masked here, at the output, whatever produced the strings (a connector message may quote an IdP body).
  return maskText(render(maskForOutput(results), options));
}

function render(results: ScenarioResult[], options: TerminalOptions): string {
  const c = paint(options.color);
  const colorFor = (status: CheckResult['status']) =>
    status === 'pass' ? c.green : status === 'fail' ? c.red : status === 'warn' ? c.yellow : c.dim;
  const lines: string[] = [];
  for (const result of results) {
    if (options.quiet && result.status === 'passed') continue;
    const head =
      result.status === 'passed'
        ? c.green(result.knownBad ? '✓ caught' : '✓')
        : result.status === 'failed'
          ? c.red(result.knownBad ? '✗ missed' : '✗')
          : c.red('✗ error');
    lines.push(
      `${head} ${c.bold(result.name)} ` +
        c.dim(
          `(${result.file}${result.line ? `:${result.line}` : ''}, ${result.target}` +
            `${result.connectorVersion ? ` ${result.connectorVersion}` : ''}, ${result.durationMs} ms)`,
        ),
    );
    if (result.knownBad) lines.push(c.dim('    known-bad config: it must be caught'));
    // The cause first, when the scenario did not pass: the check that names it, and its fix.
    const lead = result.status === 'passed' ? undefined : leadingCheck(result.checks);
    if (lead) lines.push(`    ${c.red('⇒')} ${c.bold(lead.title)}: ${lead.hint ?? lead.message}`);
    for (const check of result.checks) {
      lines.push(`    ${colorFor(check.status)(ICONS[check.status])} ${check.title}: ${check.message}`);
      const showEvidence = check.status === 'fail' || (options.verbose && check.status !== 'skip');
      if (showEvidence && check.evidence)
        lines.push(...evidenceLines(check.evidence, c.dim('        ')).map((line) => c.dim(line)));
      if (check.hint && check.status !== 'pass') lines.push(`        ${c.yellow('→')} ${check.hint}`);
    }
    if (result.error && result.status !== 'passed') {
      lines.push(
        c.dim(`        Logto answers: ${result.error.status ? `${result.error.status} ` : ''}${result.error.code}`),
      );
    }
    if (result.error?.idpResponse && result.status !== 'passed') {
      lines.push(c.dim(`        IdP's real answer: ${JSON.stringify(result.error.idpResponse)}`));
    }
  }
  const summary = summarize(results);
  lines.push('');
  lines.push(
    `${summary.passed} passed, ${summary.failed + summary.errors} failed` +
      `${summary.caught ? c.dim(` (${summary.caught} known-bad configs caught as expected)`) : ''}`,
  );
  return lines.join('\n');
}
