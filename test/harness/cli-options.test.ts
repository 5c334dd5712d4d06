import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parsePort, parseSeconds } from '../../lib/cli-parsers.ts';
import { makeAuditCommand } from '../../harness/commands/audit-command.ts';
import { LOGTO_API_GROUP } from '../../harness/commands/logto-api-options.ts';
import { makeRunCommand } from '../../harness/commands/run-command.ts';
import { HARNESS_CLI, MOCK_IDP_CLI, STACK_LINE, runCli, type CliRun } from '../helpers/spawn-cli.ts';

const LOGTO_API_FLAGS = [
  '--endpoint <url>',
  '--m2m-app-id <id>',
  '--m2m-app-secret <secret>',
  '--resource <indicator>',
];

/** The lines of one help group: from its heading to the blank line that ends it. */
function helpGroup(help: string, heading: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** What a user reads of an option in --help, and what it does with a value: flags, help, env var, default. */
const logtoApiOptionsOf = (command: Command) =>
  command.options
    .filter((option) => option.helpGroupHeading === LOGTO_API_GROUP)
    .map(({ flags, description, envVar, defaultValue }) => ({ flags, description, envVar, defaultValue }));

/** A user mistake: exit 2, the option and what a good value is, no stack trace, no hang. */
function expectRefused(run: CliRun, option: string, wanted: string) {
  expect(run.timedOut, `the CLI hung: ${run.stdout}`).toBe(false);
  expect(run.code, run.stdout + run.stderr).toBe(2);
  expect(run.stderr).toContain(option);
  expect(run.stderr).toContain(wanted);
  expect(run.stderr).not.toMatch(STACK_LINE);
}

// Each start costs a second on an idle machine and has taken over 15 s with the unit project beside other work on two
// cores; a hang still fails, after this long.
const SLOW_START = { timeoutMs: 50_000 };

const PORT_WANTED = 'a port is a whole number from 0 to 65535 (0 = any free port)';
const SECONDS_WANTED = 'seconds, more than 0 and at most 3600';

describe('the Logto API options', { timeout: 120_000 }, () => {
  it('are one declaration: run and audit take the same flags, help, env vars and defaults', () => {
    const run = logtoApiOptionsOf(makeRunCommand());
    expect(run.map((option) => option.flags)).toEqual([...LOGTO_API_FLAGS, '--api-timeout <seconds>']);
    expect(run.map((option) => option.envVar)).toEqual([
      'LOGTO_ENDPOINT',
      'LOGTO_M2M_APP_ID',
      'LOGTO_M2M_APP_SECRET',
      'LOGTO_RESOURCE',
      'HARNESS_API_TIMEOUT',
    ]);
    expect(logtoApiOptionsOf(makeAuditCommand())).toEqual(run);
  });

  it('run --help and audit --help list them under one heading, and nothing else there', async () => {
    const [run, audit] = await Promise.all([
      runCli(HARNESS_CLI, ['run', '--help'], SLOW_START),
      runCli(HARNESS_CLI, ['audit', '--help'], SLOW_START),
    ]);
    for (const help of [run, audit]) {
      expect(help.code, help.stderr).toBe(0);
      const group = helpGroup(help.stdout, LOGTO_API_GROUP);
      const flags = group.filter((line) => /^ {2}-/.test(line)).map((line) => line.trim().split(/\s{2,}/)[0]);
      expect(flags).toEqual([...LOGTO_API_FLAGS, '--api-timeout <seconds>']);
    }
    // The columns are as wide as each command's longest option: the words are the same.
    const words = (help: CliRun) => helpGroup(help.stdout, LOGTO_API_GROUP).join(' ').split(/\s+/);
    expect(words(audit)).toEqual(words(run));
    // The group is the heading's only home: no "[logto]" tags left in a description.
    expect(run.stdout).not.toContain('[logto');
  });
});

describe('one port and one seconds parser', { timeout: 120_000 }, () => {
  it('parsePort takes 0 to 65535 in digits, and refuses the rest', () => {
    expect([parsePort('0'), parsePort('4000'), parsePort('65535')]).toEqual([0, 4000, 65_535]);
    // '' and ' ' are 0 to Number(): an unset --port "$PORT" must not listen on a random port.
    for (const bad of ['', ' ', 'abc', '-1', '65536', '80.5', '0x50', '1e3'])
      expect(() => parsePort(bad), JSON.stringify(bad)).toThrow(PORT_WANTED);
  });

  it('parseSeconds takes fractions up to an hour, and refuses the rest', () => {
    expect([parseSeconds('0.5'), parseSeconds('30'), parseSeconds('3600')]).toEqual([0.5, 30, 3600]);
    for (const bad of ['', '0', '-1', 'soon', '3601', 'Infinity'])
      expect(() => parseSeconds(bad), JSON.stringify(bad)).toThrow(SECONDS_WANTED);
  });

  it('every command that takes a port or seconds refuses a bad one with exit 2 (run, audit, record, mock-idp serve)', async () => {
    const [runTimeout, auditTimeout, recordPort, recordTimeout, servePort, serveEmptyPort] = await Promise.all([
      runCli(HARNESS_CLI, ['run', 'fixtures/scenarios', '--api-timeout', 'soon'], SLOW_START),
      runCli(HARNESS_CLI, ['audit', '--api-timeout', '0'], SLOW_START),
      runCli(HARNESS_CLI, ['record', 'config.json', '--port', '70000'], SLOW_START),
      runCli(HARNESS_CLI, ['record', 'config.json', '--timeout', '-5'], SLOW_START),
      runCli(MOCK_IDP_CLI, ['serve', 'fixtures/default.yaml', '--port', '65536'], SLOW_START),
      // Before the one parser, '' was port 0: the mock served on a random port until killed.
      runCli(MOCK_IDP_CLI, ['serve', 'fixtures/default.yaml', '--port', ''], SLOW_START),
    ]);
    expectRefused(runTimeout, '--api-timeout', SECONDS_WANTED);
    expectRefused(auditTimeout, '--api-timeout', SECONDS_WANTED);
    expectRefused(recordPort, '--port', PORT_WANTED);
    expectRefused(recordTimeout, '--timeout', SECONDS_WANTED);
    expectRefused(servePort, '--port', PORT_WANTED);
    expectRefused(serveEmptyPort, '--port', PORT_WANTED);
  });
});

describe('the connector code options, declared once for run and record', { timeout: 120_000 }, () => {
  it('record refuses a --connector-version that is no version, as run does, with exit 2', async () => {
    const wanted = 'not a version: give a published version such as 1.7.8';
    // Before the shared declaration, record took any string and looked for .connector-versions/<it>.
    const [run, record] = await Promise.all([
      runCli(HARNESS_CLI, ['run', 'fixtures/scenarios', '--connector-version', '../oops'], SLOW_START),
      runCli(HARNESS_CLI, ['record', 'config.json', '--connector-version', '../oops'], SLOW_START),
    ]);
    expectRefused(run, '--connector-version', wanted);
    expectRefused(record, '--connector-version', wanted);
  });
});
