import { Command, InvalidArgumentError, Option } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../lib/run-cli.ts';
import { UserError } from '../lib/user-error.ts';
import type { ScenarioResult, Target } from './model.ts';
import { renderJson } from './report/json.ts';
import { renderJunit } from './report/junit.ts';
import { progressPrinter } from './report/progress.ts';
import { summarize } from './report/summary.ts';
import { renderTerminal } from './report/terminal.ts';
import { runScenarios } from './run.ts';
import { configProblems } from './scenario/config-guard.ts';
import { loadScenarios } from './scenario/load.ts';
import { createInProcessTarget } from './targets/in-process/index.ts';
import type { LogtoTargetOptions } from './targets/logto-options.ts';

interface RunFlags {
  target: 'in-process' | 'logto' | 'logto-container';
  parallel: number;
  reporter: Array<'json' | 'junit'>;
  outDir: string;
  connectorVersion?: string;
  connectorPath?: string;
  verbose?: boolean;
  color: boolean;
  endpoint?: string;
  m2mAppId?: string;
  m2mAppSecret?: string;
  resource: string;
  idpPublicUrl?: string;
  keep?: boolean;
  keepStack?: boolean;
}

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// A variable, so the type checker and the in-process path do not depend on the module being there.
const LOGTO_TARGET_MODULE = './targets/logto/index.ts';

const positiveInt = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 64) throw new InvalidArgumentError('a whole number from 1 to 64');
  return number;
};

const collect = (value: string, previous: string[]) => [...previous, value];

async function createTarget(flags: RunFlags): Promise<Target> {
  if (flags.target === 'in-process') {
    return createInProcessTarget({
      ...(flags.connectorVersion ? { connectorVersion: flags.connectorVersion } : {}),
      ...(flags.connectorPath ? { connectorPath: flags.connectorPath } : {}),
    });
  }
  if (flags.target === 'logto-container') {
    const { createLogtoContainerTarget } = await import('./targets/logto-container/index.ts');
    return createLogtoContainerTarget({ keepStack: Boolean(flags.keepStack), keep: Boolean(flags.keep), credentialsDir: flags.outDir, log: (line) => process.stderr.write(`${line}\n`) });
  }
  const missing = [
    !flags.endpoint && '--endpoint (or LOGTO_ENDPOINT)',
    !flags.m2mAppId && '--m2m-app-id (or LOGTO_M2M_APP_ID)',
    !flags.m2mAppSecret && '--m2m-app-secret (or LOGTO_M2M_APP_SECRET)',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new UserError({ field: '--target logto', message: `needs ${missing.join(', ')}`, hint: 'create an M2M app with the "Logto Management API access" role in the Logto console and pass its id and secret through the environment' });
  }
  const options: LogtoTargetOptions = {
    endpoint: flags.endpoint!,
    m2mAppId: flags.m2mAppId!,
    m2mAppSecret: flags.m2mAppSecret!,
    resource: flags.resource,
    keep: Boolean(flags.keep),
    ...(flags.idpPublicUrl ? { idpPublicUrl: flags.idpPublicUrl } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  // Loaded only for this target, so the in-process path never pulls in the Logto client code.
  let module: { createLogtoTarget?: (options: LogtoTargetOptions) => Promise<Target> };
  try {
    module = (await import(LOGTO_TARGET_MODULE)) as typeof module;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((error as Error).message).includes('targets/logto/index.ts')) throw error;
    throw new UserError({ field: '--target logto', message: 'the Logto target is not part of this checkout (harness/targets/logto/index.ts is missing)', hint: 'use --target in-process (the default), or update the checkout' });
  }
  if (typeof module.createLogtoTarget !== 'function') throw new Error('harness/targets/logto/index.ts does not export createLogtoTarget(options)');
  return module.createLogtoTarget(options);
}

async function writeReports(results: ScenarioResult[], flags: RunFlags): Promise<string[]> {
  if (flags.reporter.length === 0) return [];
  await mkdir(flags.outDir, { recursive: true });
  const written: string[] = [];
  for (const reporter of new Set(flags.reporter)) {
    const file = path.join(flags.outDir, reporter === 'json' ? 'connector-harness.json' : 'connector-harness.junit.xml');
    await writeFile(file, reporter === 'json' ? renderJson(results, { target: flags.target, generatedAt: new Date().toISOString() }) : renderJunit(results, `connector-harness (${flags.target})`));
    written.push(file);
  }
  return written;
}

const program = new Command('connector-harness')
  .description('Check Logto OAuth2/OIDC social connector configs end to end, with the real connector code.')
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
  .addOption(new Option('-t, --target <target>', 'where the connector runs').choices(['in-process', 'logto', 'logto-container']).default('in-process'))
  .option('-p, --parallel <n>', 'scenarios at a time', positiveInt, 1)
  .addOption(new Option('-r, --reporter <format>', 'also write a report file (repeatable)').choices(['json', 'junit']).argParser(collect).default([]))
  .option('-o, --out-dir <dir>', 'where report files go', 'reports')
  .addOption(new Option('--connector-version <version>', 'run the connectors installed under .connector-versions/<version> (default: the pinned 1.7.8 / 1.7.5)').env('HARNESS_CONNECTOR_VERSION'))
  .addOption(new Option('--connector-path <dir>', 'run the connectors of another npm install prefix (<dir>/node_modules/@logto/connector-*)').env('HARNESS_CONNECTOR_PATH'))
  .option('-v, --verbose', 'show evidence for passing checks too')
  .option('--no-color', 'plain output')
  .addOption(new Option('--endpoint <url>', '[logto] Logto endpoint').env('LOGTO_ENDPOINT'))
  .addOption(new Option('--m2m-app-id <id>', '[logto] M2M app id with Management API access').env('LOGTO_M2M_APP_ID'))
  .addOption(new Option('--m2m-app-secret <secret>', '[logto] its secret (prefer the env var)').env('LOGTO_M2M_APP_SECRET'))
  .addOption(new Option('--resource <indicator>', '[logto] Management API resource; a tenant: https://<tenant-id>.logto.app/api').env('LOGTO_RESOURCE').default('https://default.logto.app/api'))
  .addOption(new Option('--idp-public-url <url>', '[logto] URL Logto reaches the mock IdP at').env('HARNESS_IDP_PUBLIC_URL'))
  .option('--keep', '[logto] keep the created connector, user and app for debugging')
  .option('--keep-stack', '[logto-container] leave PostgreSQL and Logto running afterwards; prints the URL and where the credentials are')
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
  Another published connector version, installed beside the pinned one:
    $ npm install --prefix .connector-versions/1.7.7 @logto/connector-oauth@1.7.7 @logto/connector-oidc@1.7.5
    $ connector-harness run fixtures/scenarios --connector-version 1.7.7
  Against a running Logto (credentials from the environment):
    $ LOGTO_M2M_APP_ID=… LOGTO_M2M_APP_SECRET=… connector-harness run fixtures/scenarios \\
        --target logto --endpoint http://localhost:3001 --idp-public-url http://host.docker.internal:4000
  Against a throwaway Logto in containers (Docker; each scenario's mock IdP a container beside it):
    $ connector-harness run fixtures/scenarios --target logto-container

Exit status: 0 all passed, 1 a check failed, 2 bad input (the message says which file, line and field).`,
  )
  .action(async (paths: string[], flags: RunFlags) => {
    const scenarios = await loadScenarios(paths);
    const target = await createTarget(flags);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const progress = progressPrinter(process.stderr, scenarios.length);
    let results: ScenarioResult[];
    try {
      results = await runScenarios(scenarios, target, { parallel: flags.parallel, signal: abort.signal, onResult: progress.onResult });
    } finally {
      progress.finish();
      process.off('SIGINT', onSigint);
      await target.close?.();
    }
    console.log(renderTerminal(results, { color: flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR, verbose: Boolean(flags.verbose) }));
    for (const file of await writeReports(results, flags)) console.log(`wrote ${file}`);
    const summary = summarize(results);
    process.exitCode = summary.failed + summary.errors > 0 || abort.signal.aborted ? 1 : 0;
  });

program
  .command('list')
  .description('list the scenarios a path holds, with what each expects')
  .argument('<paths...>', 'scenario files or folders')
  .addHelpText('after', '\nExample:\n  $ connector-harness list fixtures/scenarios')
  .action(async (paths: string[]) => {
    for (const scenario of await loadScenarios(paths)) {
      const idp = scenario.idp.kind === 'url' ? scenario.idp.url : scenario.idp.source;
      const expectation = scenario.knownBad ? `known-bad, caught by ${[scenario.expect.error, ...(scenario.expect.catches ?? [])].filter(Boolean).join(', ') || 'any failing check'}` : 'must pass';
      console.log(`${scenario.file}\n    ${scenario.name} [${scenario.connector}${scenario.enableTokenStorage ? ', token storage' : ''}] against ${idp}: ${expectation}`);
    }
  });

program
  .command('validate')
  .description('check scenario files, the fixtures they name and each config against the connector\'s own config guard, without running them')
  .argument('<paths...>', 'scenario files or folders')
  .addHelpText('after', '\nExample:\n  $ connector-harness validate fixtures/scenarios')
  .action(async (paths: string[]) => {
    const scenarios = await loadScenarios(paths);
    const source = { projectRoot: PROJECT_ROOT };
    let refused = 0;
    for (const scenario of scenarios) {
      const where = `${scenario.file}${scenario.line && scenario.line > 1 ? `:${scenario.line}` : ''}`;
      const problems = await configProblems(scenario, source);
      console.log(`${problems.length > 0 ? '!' : '✓'} ${where}: ${scenario.name} (${scenario.connector}${scenario.knownBad ? ', known-bad' : ''})`);
      // A known-bad scenario may hold a config the connector refuses on purpose: that is its point, not bad input.
      for (const problem of problems) console.log(`    ${problem.field}: ${problem.message} (the connector refuses this config: Logto shows connector.invalid_config)`);
      if (problems.length > 0 && !scenario.knownBad) refused += 1;
    }
    if (refused > 0) {
      throw new UserError({ message: `${refused} scenario config${refused === 1 ? '' : 's'} would be refused by the connector`, hint: 'fix the fields listed above, or mark the scenario knownBad with expect.error: connector.invalid_config' });
    }
  });

await runCli(program);
