import { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { nearest } from '../../lib/did-you-mean.ts';
import { interruption, stopsAtSignal } from '../../lib/interruption.ts';
import { EXIT } from '../../lib/run-cli.ts';
import { formatProblem, UserError } from '../../lib/user-error.ts';
import { ensureWritableFolder } from '../../lib/writable-folder.ts';
import type { RunOutcome } from '../run.ts';
import { parseWholeNumber } from '../run-flags.ts';
import { filesOfShard, parseShard, SHARD_HELP, type Shard } from '../shard.ts';
import { addOptions } from './add-options.ts';
import { logtoApiOptions } from './logto-api-options.ts';
import { outputOptions, wantsColor, type OutputFlags } from './output-options.ts';
import { connectorOptions, createTarget, logtoTargetOptions, type RunTargetFlags } from './run-target.ts';
import { unreadFiles, where } from './scenario-set-report.ts';

interface RunFlags extends RunTargetFlags, OutputFlags {
  parallel: number;
  shard?: Shard;
}

/** A first argument that is no file and reads like one of the commands: a typo, not a missing scenario. */
async function refuseMistypedCommand(first: string | undefined, commands: string[]): Promise<void> {
  if (!first || /[./\\]/.test(first) || (await stat(first).catch(() => undefined))) return;
  const meant = nearest(first, commands);
  if (meant)
    throw new UserError({
      message: `unknown command "${first}": did you mean ${meant}?`,
      hint: `connector-harness ${meant} --help`,
    });
}

async function run(paths: string[], flags: RunFlags, command: Command): Promise<void> {
  // From the start: a container stack that a signal meets while it starts is removed before the exit.
  const signal = stopsAtSignal();
  // `run` is the default command, so a mistyped command arrives here as a path.
  await refuseMistypedCommand(paths[0], command.parent?.commands.map((sibling) => sibling.name()) ?? []);
  if (flags.reporter.length > 0) await ensureWritableFolder(flags.outDir);
  const shard = flags.shard;
  let inShard = '';
  const pick = (files: string[]) => {
    const part = filesOfShard(files, shard!);
    inShard = `shard ${shard!.index}/${shard!.total}: ${part.length} of ${new Set(files).size} scenario files`;
    return part;
  };
  // Loaded here, not at the CLI's start: --help, --version and a bad flag never need the scenario schema, the
  // runner, the connectors or the report writers (each start of the CLI paid for them).
  const { loadScenarioSet } = await import('../scenario/load.ts');
  const { scenarios, problems, badFiles } = await loadScenarioSet(paths, shard ? { pick } : {});
  const { writeReports } = await import('./write-reports.ts');
  // A CI matrix of more jobs than the suite has files: the jobs left over are no failure. A shard of bad files only
  // still writes its (empty) reports, which name them: the merged run then exits 2 as the unsharded run does.
  if (shard && scenarios.length === 0) {
    if (problems.length === 0) console.log(`${inShard}: no scenario to run in this shard`);
    for (const problem of problems) console.error(formatProblem(problem));
    for (const file of await writeReports([], { ...flags, unreadFiles: badFiles })) console.log(`wrote ${file}`);
    if (badFiles.length > 0) {
      console.error(unreadFiles(badFiles, 'no other file is in this shard'));
      process.exitCode = EXIT.badInput;
    }
    return;
  }
  // One bad file reports itself, and the rest still run: the exit code says 2 at the end.
  if (scenarios.length === 0) throw new UserError(problems);
  if (shard) console.error(inShard);
  for (const problem of problems) console.error(formatProblem(problem));
  for (const scenario of scenarios)
    for (const note of scenario.notes ?? []) console.error(`note: ${where(scenario)}: ${note}`);
  const [{ runScenariosUntilAborted }, { progressPrinter }, { renderTerminal }, { summarize }] = await Promise.all([
    import('../run.ts'),
    import('../report/progress.ts'),
    import('../report/terminal.ts'),
    import('../report/summary.ts'),
  ]);
  const target = await createTarget(flags);
  const progress = progressPrinter(process.stderr, scenarios.length);
  let outcome: RunOutcome;
  try {
    outcome = await runScenariosUntilAborted(scenarios, target, {
      parallel: flags.parallel,
      signal,
      onResult: progress.onResult,
    });
  } finally {
    progress.finish();
    await target.close?.();
  }
  const { results } = outcome;
  console.log(
    renderTerminal(results, { color: wantsColor(flags), verbose: Boolean(flags.verbose), quiet: Boolean(flags.quiet) }),
  );
  if (outcome.interrupted.length + outcome.notStarted.length > 0) {
    // A partial report would read as a complete one in CI: none is written.
    const { renderInterrupted } = await import('../report/interrupted.ts');
    console.log(renderInterrupted(outcome, scenarios.length, interruption.received() ?? 'SIGINT'));
    if (flags.reporter.length > 0) console.log(`no report files written to ${flags.outDir}: the run is incomplete`);
    return; // runCli sets the exit code the signal asks for: 130 (Ctrl-C) or 143 (SIGTERM)
  }
  for (const file of await writeReports(results, { ...flags, unreadFiles: badFiles })) console.log(`wrote ${file}`);
  const summary = summarize(results);
  process.exitCode = summary.failed + summary.errors > 0 ? EXIT.failed : EXIT.ok;
  if (badFiles.length > 0) {
    console.error(unreadFiles(badFiles, 'the others ran'));
    process.exitCode = EXIT.badInput;
  }
}

const RUN_HELP = `
Examples:
  Run the shipped suite against the embedded mock IdP (no Logto needed):
    $ connector-harness run fixtures/scenarios
  One scenario, with evidence for every check:
    $ connector-harness run fixtures/scenarios/github-like.yaml --verbose
  CI: four at a time, JSON and JUnit files in reports/:
    $ connector-harness run fixtures/scenarios --parallel 4 -r json -r junit
  CI over three machines: the second third of the files, then the three JSON reports as one run:
    $ connector-harness run fixtures/scenarios --shard 2/3 -r json -o shard-2
    $ connector-harness merge-reports shard-*/connector-harness.json -r junit -r html
  A page to look at: a sequence diagram per scenario, the failing hop in red:
    $ connector-harness run fixtures/scenarios -r html    # reports/connector-harness.html
  Another published connector version, installed beside the pinned one:
    $ npm install --prefix .connector-versions/1.7.7 @logto/connector-oauth@1.7.7 @logto/connector-oidc@1.7.5
    $ connector-harness run fixtures/scenarios --connector-version 1.7.7
  Against a running Logto (credentials from the environment):
    $ LOGTO_M2M_APP_ID=… LOGTO_M2M_APP_SECRET=… connector-harness run fixtures/scenarios \\
        --target logto --endpoint http://localhost:3001 --idp-public-url http://host.docker.internal:4000
  Against a throwaway Logto in containers (Docker; each scenario's mock IdP a container beside it):
    $ connector-harness run fixtures/scenarios --target logto-container
  The stacks left on the engine (--keep-stack, a run that was killed), and their removal:
    $ connector-harness stacks --help

Exit status: 0 all passed, 1 a check failed, 2 bad input (the message says which file, line and field),
130 interrupted by Ctrl-C, 143 by SIGTERM (the scenarios that did not finish are listed, report files are
not written).`;

/** `connector-harness run`, the default command: scenarios on a target, the verdicts, the report files. */
export function makeRunCommand(): Command {
  const command = new Command('run')
    .description('run scenarios and report what Logto would get')
    .argument('<paths...>', 'scenario files (YAML/JSON) or folders of them')
    .option('-p, --parallel <n>', 'scenarios at a time', parseWholeNumber(1, 64), 1)
    .option('--shard <i/n>', SHARD_HELP, parseShard);
  return addOptions(command, [
    ...connectorOptions(),
    ...outputOptions({ verbose: 'show evidence for passing checks too', quiet: true }),
    ...logtoApiOptions(),
    ...logtoTargetOptions(),
  ])
    .addHelpText('after', RUN_HELP)
    .action(run);
}
