import type { InterruptSignal } from '../../lib/interruption.ts';
import { printable } from '../../lib/printable.ts';
import type { Scenario } from '../model.ts';
import type { RunOutcome } from '../run.ts';

const where = (scenario: Scenario) =>
  `${scenario.file}${scenario.line && scenario.line > 1 ? `:${scenario.line}` : ''}`;

/** What Ctrl-C left without a verdict: neither passed nor failed, and listed so no scenario silently vanishes. Pure. */
export function renderInterrupted(outcome: RunOutcome, total: number, signal: InterruptSignal = 'SIGINT'): string {
  const unfinished = [
    ...outcome.interrupted.map(
      (scenario) => `  stopped while running  ${printable(scenario.name)} (${where(scenario)})`,
    ),
    ...outcome.notStarted.map(
      (scenario) => `  not started            ${printable(scenario.name)} (${where(scenario)})`,
    ),
  ];
  const count = outcome.interrupted.length + outcome.notStarted.length;
  return [
    `interrupted (${signal === 'SIGINT' ? 'Ctrl-C' : signal}): ${count} of ${total} scenario${total === 1 ? '' : 's'}` +
      ` did not run to the end, so they are neither passed nor failed:`,
    ...unfinished,
  ].join('\n');
}
