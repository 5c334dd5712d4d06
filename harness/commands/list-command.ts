import { Command } from 'commander';
import { reportUnread } from './scenario-set-report.ts';

async function listScenarios(paths: string[]): Promise<void> {
  // Loaded by the command, not at the CLI's start (which every other command and --help pay for).
  const { loadScenarioSet } = await import('../scenario/load.ts');
  const { scenarios, problems, badFiles } = await loadScenarioSet(paths);
  for (const scenario of scenarios) {
    const idp = scenario.idp.kind === 'url' ? scenario.idp.url : scenario.idp.source;
    const expectation = scenario.knownBad
      ? `known-bad, caught by ${[scenario.expect.error, ...(scenario.expect.catches ?? [])].filter(Boolean).join(', ') || 'any failing check'}`
      : 'must pass';
    console.log(
      `${scenario.file}\n    ${scenario.name} [${scenario.connector}${scenario.enableTokenStorage ? ', token storage' : ''}] against ${idp}: ${expectation}`,
    );
    for (const note of scenario.notes ?? []) console.log(`    note: ${note}`);
  }
  reportUnread(problems, badFiles);
}

/** `connector-harness list`: the scenarios a path holds, with what each expects. */
export function makeListCommand(): Command {
  return new Command('list')
    .description('list the scenarios a path holds, with what each expects')
    .argument('<paths...>', 'scenario files or folders')
    .addHelpText('after', '\nExample:\n  $ connector-harness list fixtures/scenarios')
    .action(listScenarios);
}
