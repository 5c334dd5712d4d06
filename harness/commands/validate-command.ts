import { Command } from 'commander';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import { EXIT } from '../../lib/run-cli.ts';
import { UserError } from '../../lib/user-error.ts';
import { reportUnread, where } from './scenario-set-report.ts';

async function validate(paths: string[]): Promise<void> {
  // Loaded by the command, not at the CLI's start (which every other command and --help pay for).
  const [{ loadScenarioSet }, { offlineFindings }] = await Promise.all([
    import('../scenario/load.ts'),
    import('../audit/offline-findings.ts'),
  ]);
  const { scenarios, problems: unread, badFiles } = await loadScenarioSet(paths);
  const source = { projectRoot: PACKAGE_ROOT };
  let refused = 0;
  let failing = 0;
  for (const scenario of scenarios) {
    const findings = await offlineFindings(scenario, source);
    const guard = findings.filter((finding) => finding.id.startsWith('guard.'));
    const errors = findings.filter((finding) => finding.status === 'fail');
    console.log(
      `${errors.length > 0 ? '✗' : findings.length > 0 ? '!' : '✓'} ${where(scenario)}: ${scenario.name}` +
        ` (${scenario.connector}${scenario.knownBad ? ', known-bad' : ''})`,
    );
    for (const note of scenario.notes ?? []) console.log(`    note: ${note}`);
    for (const finding of findings) {
      console.log(`    ${finding.status === 'fail' ? '✗' : '!'} ${finding.title}: ${finding.message}`);
      if (finding.hint) console.log(`        → ${finding.hint}`);
    }
    // A known-bad scenario may hold a config the connector refuses on purpose: that is its point, not bad input.
    if (scenario.knownBad) continue;
    if (guard.length > 0) refused += 1;
    else if (errors.length > 0) failing += 1;
  }
  reportUnread(unread, badFiles);
  if (refused > 0) {
    throw new UserError({
      message: `${refused} scenario config${refused === 1 ? '' : 's'} would be refused by the connector`,
      hint: 'fix the fields listed above, or mark the scenario knownBad with expect.error: connector.invalid_config',
    });
  }
  if (failing > 0 && process.exitCode === undefined) process.exitCode = EXIT.failed;
}

/** `connector-harness validate`: scenario files and pasted configs against every offline rule, nothing run. */
export function makeValidateCommand(): Command {
  return new Command('validate')
    .description(
      'check scenario files (or connector configs as pasted from the Logto Console), the fixtures they name,' +
        " and each config against every rule audit applies (the connector's own guard, the known traps, a known provider's rules)," +
        ' without running anything',
    )
    .argument('<paths...>', 'scenario files, connector configs, or folders of them')
    .addHelpText(
      'after',
      `
Examples:
  $ connector-harness validate fixtures/scenarios
  $ connector-harness validate my-github-connector.json     # the config from the Logto Console, offline

Exit status: 0 nothing to fix (warnings are listed), 1 a config has an error-level finding, 2 a file
cannot be read or a config is one the connector refuses (Logto shows connector.invalid_config).
A known-bad scenario's findings are its point: they are listed, not counted.`,
    )
    .action(validate);
}
