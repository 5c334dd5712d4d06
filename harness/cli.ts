import { Command, Option } from 'commander';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nearest } from '../lib/did-you-mean.ts';
import { PACKAGE_ROOT, RUNS_FROM_SOURCES } from '../lib/package-root.ts';
import { rememberSecrets } from '../lib/mask.ts';
import { interruption, stopsAtSignal } from '../lib/interruption.ts';
import { parseSeconds } from '../lib/cli-parsers.ts';
import { EXIT, runCli } from '../lib/run-cli.ts';
import { formatProblem, UserError, type Problem } from '../lib/user-error.ts';
import { projectVersion } from '../lib/version.ts';
import type { Scenario, ScenarioResult, Target } from './model.ts';
import { renderHtml } from './report/html/page.ts';
import { renderInterrupted } from './report/interrupted.ts';
import { renderJson } from './report/json.ts';
import { renderJunit } from './report/junit.ts';
import { mergeReports } from './report/merge.ts';
import { progressPrinter } from './report/progress.ts';
import { readJsonReport } from './report/read-json-report.ts';
import { summarize } from './report/summary.ts';
import { renderTerminal } from './report/terminal.ts';
import { runScenariosUntilAborted, type RunOutcome } from './run.ts';
import {
  collectReporter,
  parseConnectorVersion,
  parseHttpUrl,
  parseWholeNumber,
  type ReporterName,
} from './run-flags.ts';
import { filesOfShard, parseShard, SHARD_HELP, type Shard } from './shard.ts';
import { ensureWritableFolder } from '../lib/writable-folder.ts';
import { addRecordCommand } from './record/command.ts';
import { addStacksCommand } from './targets/logto-container/stacks-command.ts';
import { offlineFindings } from './audit/offline-findings.ts';
import { loadScenarioSet } from './scenario/load.ts';
import { createInProcessTarget } from './targets/in-process/index.ts';
import type { LogtoTargetOptions } from './targets/logto/options.ts';
import { DEFAULT_API_TIMEOUT_MS } from './logto-api/logto-http.ts';

interface RunFlags {
  target: 'in-process' | 'logto' | 'logto-container';
  parallel: number;
  shard?: Shard;
  reporter: ReporterName[];
  outDir: string;
  connectorVersion?: string;
  connectorPath?: string;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
  endpoint?: string;
  m2mAppId?: string;
  m2mAppSecret?: string;
  resource: string;
  idpPublicUrl?: string;
  keep?: boolean;
  keepStack?: boolean;
  apiTimeout: number;
}

/** How long one call to Logto may take before the run gives up on the endpoint (exit 2); why 30 s: DEFAULT_API_TIMEOUT_MS. */
const apiTimeoutOption = (prefix: string) =>
  new Option(
    '--api-timeout <seconds>',
    `${prefix}give up on a Logto that has not answered one API call after this long (exit 2)`,
  )
    .env('HARNESS_API_TIMEOUT')
    .argParser(parseSeconds)
    .default(DEFAULT_API_TIMEOUT_MS / 1000);

/**
 * Logto in containers needs what only a checkout has: each scenario's IdP container gets the mock-idp sources, on an
 * image built from its Dockerfile, and testcontainers is a development dependency.
 */
function requireCheckout(field: string): void {
  if (RUNS_FROM_SOURCES) return;
  throw new UserError({
    field,
    message:
      'runs from a checkout of logto-connector-harness only (Logto in containers, the IdP image built from the sources)',
    hint: 'start a Logto yourself and use --target logto, or clone the repository and run it there',
  });
}

/** A Logto's endpoint and M2M credentials, from flags or the environment; what is missing is bad input. */
function requireManagementCredentials(
  flags: { endpoint?: string; m2mAppId?: string; m2mAppSecret?: string },
  field: string,
): void {
  const missing = [
    !flags.endpoint && '--endpoint (or LOGTO_ENDPOINT)',
    !flags.m2mAppId && '--m2m-app-id (or LOGTO_M2M_APP_ID)',
    !flags.m2mAppSecret && '--m2m-app-secret (or LOGTO_M2M_APP_SECRET)',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new UserError({
      field,
      message: `needs ${missing.join(', ')}`,
      hint: 'create an M2M app with the "Logto Management API access" role in the Logto console and pass its id and secret through the environment',
    });
  }
  rememberSecrets(flags.m2mAppSecret);
}

async function createTarget(flags: RunFlags): Promise<Target> {
  if (flags.target === 'in-process') {
    return createInProcessTarget({
      ...(flags.connectorVersion ? { connectorVersion: flags.connectorVersion } : {}),
      ...(flags.connectorPath ? { connectorPath: flags.connectorPath } : {}),
    });
  }
  if (flags.target === 'logto-container') {
    requireCheckout('--target logto-container');
    const { createLogtoContainerTarget } = await import('./targets/logto-container/index.ts');
    return createLogtoContainerTarget({
      keepStack: Boolean(flags.keepStack),
      keep: Boolean(flags.keep),
      credentialsDir: flags.outDir,
      apiTimeoutMs: flags.apiTimeout * 1000,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  }
  requireManagementCredentials(flags, '--target logto');
  const options: LogtoTargetOptions = {
    endpoint: flags.endpoint!,
    m2mAppId: flags.m2mAppId!,
    m2mAppSecret: flags.m2mAppSecret!,
    resource: flags.resource,
    keep: Boolean(flags.keep),
    apiTimeoutMs: flags.apiTimeout * 1000,
    ...(flags.idpPublicUrl ? { idpPublicUrl: flags.idpPublicUrl } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  // Loaded only for this target, so the in-process path never pulls in the Logto client code.
  const { createLogtoTarget } = await import('./targets/logto/index.ts');
  return createLogtoTarget(options);
}

async function writeReports(
  results: ScenarioResult[],
  flags: Pick<RunFlags, 'reporter' | 'outDir' | 'shard'> & { target: string; unreadFiles?: string[] },
): Promise<string[]> {
  if (flags.reporter.length === 0) return [];
  const written: string[] = [];
  for (const reporter of new Set(flags.reporter)) {
    const file = path.join(
      flags.outDir,
      { json: 'connector-harness.json', junit: 'connector-harness.junit.xml', html: 'connector-harness.html' }[
        reporter
      ],
    );
    const meta = { target: flags.target, generatedAt: new Date().toISOString() };
    await writeFile(
      file,
      reporter === 'json'
        ? renderJson(results, {
            ...meta,
            ...(flags.shard ? { shard: flags.shard } : {}),
            // So that merge-reports exits 2 as the run did: the run is not the whole suite.
            ...(flags.unreadFiles?.length ? { unreadFiles: flags.unreadFiles } : {}),
          })
        : reporter === 'html'
          ? renderHtml(results, meta)
          : renderJunit(results, `connector-harness (${flags.target})`),
    );
    written.push(file);
  }
  return written;
}

/** A first argument that is no file and reads like one of the commands: a typo, not a missing scenario. */
async function refuseMistypedCommand(first: string | undefined): Promise<void> {
  if (!first || /[./\\]/.test(first) || (await stat(first).catch(() => undefined))) return;
  const meant = nearest(
    first,
    program.commands.map((command) => command.name()),
  );
  if (meant)
    throw new UserError({
      message: `unknown command "${first}": did you mean ${meant}?`,
      hint: `connector-harness ${meant} --help`,
    });
}

const where = (scenario: Scenario) =>
  `${scenario.file}${scenario.line && scenario.line > 1 ? `:${scenario.line}` : ''}`;

const unreadFiles = (files: string[], others: string) =>
  `${files.length} file${files.length === 1 ? '' : 's'} could not be read (see above; ${others}): ${files.join(', ')}`;

/** Files that did not load, after what the others gave: their problems, and exit 2. */
function reportUnread(problems: Problem[], files: string[]): void {
  if (files.length === 0) return;
  for (const problem of problems) console.error(formatProblem(problem));
  console.error(unreadFiles(files, 'the others are listed'));
  process.exitCode = EXIT.badInput;
}

const program = new Command('connector-harness')
  .description('Check Logto OAuth2/OIDC social connector configs end to end, with the real connector code.')
  .version(projectVersion, '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Quick start:
  $ connector-harness run fixtures/scenarios            # the shipped suite, embedded mock IdP, no Logto
  $ connector-harness run my-idp.yaml --verbose         # your config against your IdP fixture
  $ connector-harness validate my-idp.yaml              # check the file and the config without running
  $ connector-harness run --help                        # every option, with examples

A scenario file: the connector config as a Logto admin writes it (or the whole connector object
from GET /api/connectors/{id}), the IdP (a mock-idp fixture, inline or by path, or a URL), the user
to sign in as, and what must come out (profile, parameters, auth method, error, known-bad diagnosis).`,
  );

program
  .command('run', { isDefault: true })
  .description('run scenarios and report what Logto would get')
  .argument('<paths...>', 'scenario files (YAML/JSON) or folders of them')
  .addOption(
    new Option('-t, --target <target>', 'where the connector runs')
      .choices(['in-process', 'logto', 'logto-container'])
      .default('in-process'),
  )
  .option('-p, --parallel <n>', 'scenarios at a time', parseWholeNumber(1, 64), 1)
  .option('--shard <i/n>', SHARD_HELP, parseShard)
  .addOption(
    new Option('-r, --reporter <format>', 'also write a report file: json, junit or html (repeatable)')
      .argParser(collectReporter)
      .default([]),
  )
  .option('-o, --out-dir <dir>', 'where report files go', 'reports')
  .addOption(
    new Option(
      '--connector-version <version>',
      'run the connectors installed under .connector-versions/<version> (default: the pinned 1.7.8 / 1.7.5)',
    )
      .env('HARNESS_CONNECTOR_VERSION')
      .argParser(parseConnectorVersion),
  )
  .addOption(
    new Option(
      '--connector-path <dir>',
      'run the connectors of another npm install prefix (<dir>/node_modules/@logto/connector-*)',
    ).env('HARNESS_CONNECTOR_PATH'),
  )
  .option('-v, --verbose', 'show evidence for passing checks too')
  .option('-q, --quiet', 'print only the scenarios that did not pass, and the closing line')
  .option('--no-color', 'plain output')
  .addOption(new Option('--endpoint <url>', '[logto] Logto endpoint').env('LOGTO_ENDPOINT').argParser(parseHttpUrl))
  .addOption(new Option('--m2m-app-id <id>', '[logto] M2M app id with Management API access').env('LOGTO_M2M_APP_ID'))
  .addOption(
    new Option('--m2m-app-secret <secret>', '[logto] its secret (prefer the env var)').env('LOGTO_M2M_APP_SECRET'),
  )
  .addOption(
    new Option('--resource <indicator>', '[logto] Management API resource; a tenant: https://<tenant-id>.logto.app/api')
      .env('LOGTO_RESOURCE')
      .default('https://default.logto.app/api'),
  )
  .addOption(
    new Option('--idp-public-url <url>', '[logto] URL Logto reaches the mock IdP at')
      .env('HARNESS_IDP_PUBLIC_URL')
      .argParser(parseHttpUrl),
  )
  .option('--keep', '[logto] keep the created connector, user and app for debugging')
  .addOption(apiTimeoutOption('[logto] '))
  .option(
    '--keep-stack',
    '[logto-container] leave PostgreSQL and Logto running afterwards; prints the URL and where the credentials are',
  )
  .addHelpText(
    'after',
    `
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
not written).`,
  )
  .action(async (paths: string[], flags: RunFlags) => {
    // From the start: a container stack that a signal meets while it starts is removed before the exit.
    const signal = stopsAtSignal();
    // `run` is the default command, so a mistyped command arrives here as a path.
    await refuseMistypedCommand(paths[0]);
    if (flags.reporter.length > 0) await ensureWritableFolder(flags.outDir);
    const shard = flags.shard;
    let inShard = '';
    const pick = (files: string[]) => {
      const part = filesOfShard(files, shard!);
      inShard = `shard ${shard!.index}/${shard!.total}: ${part.length} of ${new Set(files).size} scenario files`;
      return part;
    };
    const { scenarios, problems, badFiles } = await loadScenarioSet(paths, shard ? { pick } : {});
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
      renderTerminal(results, {
        color: flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR,
        verbose: Boolean(flags.verbose),
        quiet: Boolean(flags.quiet),
      }),
    );
    if (outcome.interrupted.length + outcome.notStarted.length > 0) {
      // A partial report would read as a complete one in CI: none is written.
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
  });

interface MergeFlags {
  reporter: ReporterName[];
  outDir: string;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
}

program
  .command('merge-reports')
  .description(
    "the JSON reports of a run's shards (run --shard i/n -r json) as one run: its summary, and with -r its reports",
  )
  .argument('<reports...>', 'the JSON reports (connector-harness.json) of every shard')
  .addOption(
    new Option('-r, --reporter <format>', "also write the whole run's report file: json, junit or html (repeatable)")
      .argParser(collectReporter)
      .default([]),
  )
  .option('-o, --out-dir <dir>', 'where report files go', 'reports')
  .option('-v, --verbose', 'show evidence for passing checks too')
  .option('-q, --quiet', 'print only the scenarios that did not pass, and the closing line')
  .option('--no-color', 'plain output')
  .addHelpText(
    'after',
    `
The scenarios come out as one unsharded run prints and reports them: the same verdicts, counts and
exit status. The reports must be those of every shard 1/n to n/n of one run, each once, written by this
version; a scenario in two reports is refused.

Example (three CI jobs, each with its shard's JSON report in shard-<i>/):
  $ connector-harness merge-reports shard-1/connector-harness.json shard-2/connector-harness.json \\
      shard-3/connector-harness.json -r junit -r html -o reports

Exit status: 0 all passed, 1 a check failed, 2 bad input (a file that is no report of this version, a
shard missing or given twice, a scenario in two reports).`,
  )
  .action(async (files: string[], flags: MergeFlags) => {
    if (flags.reporter.length > 0) await ensureWritableFolder(flags.outDir);
    const reports = [];
    for (const file of files) reports.push(await readJsonReport(file));
    const { target, results, unreadFiles: unread } = mergeReports(reports);
    console.log(
      renderTerminal(results, {
        color: flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR,
        verbose: Boolean(flags.verbose),
        quiet: Boolean(flags.quiet),
      }),
    );
    for (const file of await writeReports(results, { ...flags, target, unreadFiles: unread }))
      console.log(`wrote ${file}`);
    const summary = summarize(results);
    process.exitCode = summary.failed + summary.errors > 0 ? EXIT.failed : EXIT.ok;
    if (unread.length > 0) {
      const one = unread.length === 1;
      const which = `${unread.length} file${one ? '' : 's'} could not be read by ${one ? 'its shard' : 'their shards'}`;
      console.error(`${which} (the shard's output says why; the others ran): ${unread.join(', ')}`);
      process.exitCode = EXIT.badInput;
    }
  });

interface AuditFlags {
  endpoint?: string;
  m2mAppId?: string;
  m2mAppSecret?: string;
  resource: string;
  probe?: boolean;
  export?: string;
  reporter: ReporterName[];
  outDir: string;
  verbose?: boolean;
  color: boolean;
  apiTimeout: number;
}

program
  .command('audit')
  .description(
    'check every OAuth2/OIDC social connector a Logto already has, read-only: the traps its stored config sets, and with --probe what its IdP answers',
  )
  .addOption(new Option('--endpoint <url>', 'Logto endpoint').env('LOGTO_ENDPOINT').argParser(parseHttpUrl))
  .addOption(
    new Option('--m2m-app-id <id>', 'M2M app id with Management API access (read is enough)').env('LOGTO_M2M_APP_ID'),
  )
  .addOption(new Option('--m2m-app-secret <secret>', 'its secret (prefer the env var)').env('LOGTO_M2M_APP_SECRET'))
  .addOption(
    new Option('--resource <indicator>', 'Management API resource; a tenant: https://<tenant-id>.logto.app/api')
      .env('LOGTO_RESOURCE')
      .default('https://default.logto.app/api'),
  )
  .addOption(apiTimeoutOption(''))
  .option(
    '--probe',
    'also contact each IdP: discovery, and a token request with a deliberately invalid code using the configured client authentication',
  )
  .option(
    '--export <dir>',
    'write each connector as a scenario file (secrets as ${env:…} references) with a starter fixture of its IdP',
  )
  .addOption(
    new Option('-r, --reporter <format>', 'also write a report file: json, junit or html (repeatable)')
      .argParser(collectReporter)
      .default([]),
  )
  .option('-o, --out-dir <dir>', 'where report files go', 'reports')
  .option('-v, --verbose', 'show evidence for every finding')
  .option('--no-color', 'plain output')
  .addHelpText(
    'after',
    `
Nothing in the tenant is created or changed, and no user signs in: the audit only reads
GET /api/connectors. --probe sends each IdP what Logto would send at a sign-in, with a code that
cannot be valid: invalid_grant means the client authenticated, invalid_client that the id, the
secret or the auth method is wrong.

Examples:
  A self-hosted Logto:
    $ LOGTO_M2M_APP_ID=… LOGTO_M2M_APP_SECRET=… connector-harness audit --endpoint http://localhost:3001
  A Logto Cloud tenant, probing each IdP, reports for CI:
    $ connector-harness audit --endpoint https://<tenant>.logto.app --resource https://<tenant-id>.logto.app/api \\
        --probe -r junit -r json
  Export the connectors as scenarios, then run them against their starter fixtures:
    $ connector-harness audit --endpoint http://localhost:3001 --export audited/
    $ HARNESS_<TARGET>_CLIENT_SECRET=… connector-harness run audited/

Exit status: 0 no error-level finding (warnings are reported), 1 a connector has one, 2 bad input or the tenant cannot be read,
130/143 interrupted by Ctrl-C/SIGTERM (it stops at once: no report or export is written).`,
  )
  .action(async (flags: AuditFlags) => {
    requireManagementCredentials(flags, 'audit');
    // Before the tenant is read (and probed): the findings must not be lost to a folder that cannot take them.
    if (flags.reporter.length > 0) await ensureWritableFolder(flags.outDir);
    if (flags.export) await ensureWritableFolder(flags.export, '--export');
    const credentials = {
      endpoint: flags.endpoint!,
      m2mAppId: flags.m2mAppId!,
      m2mAppSecret: flags.m2mAppSecret!,
      resource: flags.resource,
    };
    const options = { ...credentials, apiTimeoutMs: flags.apiTimeout * 1000 };
    const { auditTenant } = await import('./audit/index.ts');
    const { accessProblem } = await import('./logto-api/access-problem.ts');
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const report = await auditTenant({
      ...options,
      probe: Boolean(flags.probe),
      source: { projectRoot: PACKAGE_ROOT },
      log,
    }).catch((error: unknown) => {
      throw accessProblem(error);
    });
    if (report.connectors.length === 0) console.log(`no OAuth2/OIDC social connector in ${flags.endpoint}`);
    console.log(
      renderTerminal(report.results, {
        color: flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR,
        verbose: Boolean(flags.verbose),
      }),
    );
    for (const file of await writeReports(report.results, {
      reporter: flags.reporter,
      outDir: flags.outDir,
      target: 'audit',
    }))
      console.log(`wrote ${file}`);
    if (flags.export) {
      const { writeExports } = await import('./audit/export.ts');
      for (const { file, variables } of await writeExports(report.connectors, flags.endpoint!, flags.export))
        console.log(`exported ${file}${variables.length > 0 ? ` (needs ${variables.join(', ')})` : ''}`);
    }
    process.exitCode = summarize(report.results).failed > 0 ? 1 : 0;
  });

program
  .command('list')
  .description('list the scenarios a path holds, with what each expects')
  .argument('<paths...>', 'scenario files or folders')
  .addHelpText('after', '\nExample:\n  $ connector-harness list fixtures/scenarios')
  .action(async (paths: string[]) => {
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
  });

program
  .command('validate')
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
  .action(async (paths: string[]) => {
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
  });

program
  .command('list-providers')
  .description(
    'list the real providers the library reproduces: does the generic connector work, the config essentials, the traps caught',
  )
  .addHelpText(
    'after',
    '\nExample:\n  $ connector-harness list-providers\n  $ connector-harness list-providers --json\n ' +
      ' $ connector-harness init github    # then: connector-harness run github.scenario.yaml',
  )
  .option(
    '--json',
    'print the table as JSON for tools (one object per provider, with its cited and unverified fact counts)',
  )
  .action(async (flags: { json?: boolean }) => {
    const { providerListJson, renderProviderList } = await import('./providers/list.ts');
    const { factTallies } = await import('./providers/facts.ts');
    const facts = await factTallies(PACKAGE_ROOT);
    console.log(flags.json ? JSON.stringify(providerListJson(facts), null, 2) : renderProviderList(facts));
  });

program
  .command('init')
  .description(
    'write a starter scenario for a provider: the working config with comments, the fixture it runs against, what to replace',
  )
  .argument('<provider>', 'a provider id from list-providers, e.g. github, google, entra-id')
  .option('-o, --out <file>', 'where to write it (default: <provider>.scenario.yaml here)')
  .option('-f, --force', 'overwrite an existing file')
  .addHelpText(
    'after',
    '\nExamples:\n  $ connector-harness init github' +
      '\n  $ connector-harness run github.scenario.yaml' +
      '\n  $ connector-harness init entra-id --out scenarios/entra.yaml',
  )
  .action(async (provider: string, flags: { out?: string; force?: boolean }) => {
    const { initProvider } = await import('./providers/init.ts');
    const written = await initProvider(provider, flags.out, {
      projectRoot: PACKAGE_ROOT,
      ...(flags.force ? { force: true } : {}),
    });
    console.log(
      `wrote ${path.relative(process.cwd(), written) || written}` +
        `\n  next: connector-harness validate ${path.relative(process.cwd(), written)}` +
        ` && connector-harness run ${path.relative(process.cwd(), written)}`,
    );
  });

addRecordCommand(program);
addStacksCommand(program);
program.commands.find((command) => command.name() === 'stacks')?.hook('preAction', () => requireCheckout('stacks'));

await runCli(program);
