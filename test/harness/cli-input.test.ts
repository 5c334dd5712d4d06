import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_CLI, MOCK_IDP_CLI, STACK_LINE, runCli } from '../helpers/spawn-cli.ts';

const harness = (args: string[], timeoutMs?: number) => runCli(HARNESS_CLI, args, timeoutMs ? { timeoutMs } : {});
const mockIdp = (args: string[], timeoutMs?: number) => runCli(MOCK_IDP_CLI, args, timeoutMs ? { timeoutMs } : {});
const STANDARD_FIXTURE = path.resolve('fixtures/scenarios/idp/standard.yaml');
const SCENARIO = 'fixtures/scenarios/standard-post.yaml';

/** A scenario file whose fixture is given by absolute path, so it works from any folder. */
async function scenarioText(name: string, extra = ''): Promise<string> {
  const source = await readFile(SCENARIO, 'utf8');
  return source.replace(/^name: .*$/m, `name: ${name}`).replace('idp/standard.yaml', STANDARD_FIXTURE) + extra;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'harness-input-'));
});

// Child timeouts are generous (the test machine is shared and often loaded); they still turn a hang into a failure.

/** A user mistake: exit 2, a message, no stack trace. */
function expectUsageError(run: Awaited<ReturnType<typeof harness>>, ...mentions: string[]) {
  expect(run.timedOut, 'the CLI hung').toBe(false);
  expect(run.code, run.stdout + run.stderr).toBe(2);
  expect(run.stderr).not.toMatch(STACK_LINE);
  for (const text of mentions) expect(run.stderr).toContain(text);
}

describe('connector-harness options', { timeout: 60_000 }, () => {
  // Each CLI start costs about a second on a loaded machine: the runs of a test go in parallel.
  it('an option error is bad input (exit 2), not "a check failed" (1)', async () => {
    const [parallel, unknown, target, command] = await Promise.all([
      harness(['run', SCENARIO, '--parallel', 'many']),
      harness(['run', SCENARIO, '--no-such-flag']),
      harness(['run', SCENARIO, '--target', 'nowhere']),
      harness(['frobnicate-nothing', '--bogus']),
    ]);
    expectUsageError(parallel, '--parallel');
    expectUsageError(unknown, '--no-such-flag');
    expectUsageError(target, 'nowhere');
    expectUsageError(command);
  });

  it('mock-idp: an option error is bad input (exit 2) too', async () => {
    const [port, unknown, missing] = await Promise.all([
      mockIdp(['serve', 'fixtures/default.yaml', '--port', 'abc']),
      mockIdp(['serve', 'fixtures/default.yaml', '--no-such-flag']),
      mockIdp(['validate']),
    ]);
    expectUsageError(port, '--port');
    expectUsageError(unknown, '--no-such-flag');
    expectUsageError(missing, 'fixtures');
  });

  it('--help stays exit 0 in both CLIs', async () => {
    for (const run of await Promise.all([
      harness(['--help']),
      harness(['run', '--help']),
      mockIdp(['serve', '--help']),
    ])) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage:');
    }
  });

  it('-r accepts only json and junit', async () => {
    const outDir = path.join(dir, 'reports-xml');
    const run = await harness(['run', SCENARIO, '-r', 'xml', '-o', outDir]);
    expectUsageError(run, 'xml');
    expect(run.stderr).toMatch(/json.*junit/);
    expect(run.stdout).not.toContain('passed');
  });

  it('a bad --out-dir is refused before anything runs', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    const outDirs = ['/proc/x', path.join(file, 'reports')];
    const runs = await Promise.all(
      outDirs.map((outDir) => harness(['run', SCENARIO, '-r', 'json', '-o', outDir], 25_000)),
    );
    for (const [index, run] of runs.entries()) {
      const outDir = outDirs[index]!;
      expectUsageError(run, '--out-dir', outDir);
      expect(run.stdout, 'no scenario should run').not.toContain('passed');
    }
  });

  it('--endpoint must be an http(s) URL', async () => {
    const run = await harness([
      'run',
      SCENARIO,
      '--target',
      'logto',
      '--endpoint',
      'notaurl',
      '--m2m-app-id',
      'a',
      '--m2m-app-secret',
      'b',
    ]);
    expectUsageError(run, '--endpoint', 'notaurl');
  });

  it('audit: --endpoint must be an http(s) URL too, and one holding a password is refused with the password masked', async () => {
    const credentials = ['--m2m-app-id', 'a', '--m2m-app-secret', 'b'];
    const [notUrl, withPassword, runWithPassword] = await Promise.all([
      harness(['audit', '--endpoint', 'notaurl', ...credentials]),
      harness(['audit', '--endpoint', 'http://admin:Sup3rSecretPw@127.0.0.1:1', ...credentials]),
      harness([
        'run',
        SCENARIO,
        '--target',
        'logto',
        '--endpoint',
        'http://admin:Sup3rSecretPw@127.0.0.1:1',
        ...credentials,
      ]),
    ]);
    expectUsageError(notUrl, '--endpoint', 'notaurl', 'not a URL');
    for (const run of [withPassword, runWithPassword]) {
      expectUsageError(run, '--endpoint', 'holds a user name or password', 'http://admin:Sup3…(13)@127.0.0.1:1');
      expect(run.stdout + run.stderr).not.toContain('Sup3rSecretPw');
    }
  });

  it('audit: a bad -o or --export is refused before the tenant is read, and a missing report folder is created', async () => {
    const file = path.join(dir, 'audit-a-file');
    await writeFile(file, 'not a folder');
    // Nothing listens on port 9: reaching the tenant would fail with "cannot reach Logto".
    const audit = (...args: string[]) =>
      harness(
        ['audit', '--endpoint', 'http://127.0.0.1:9', '--m2m-app-id', 'a', '--m2m-app-secret', 'b', ...args],
        25_000,
      );
    const reports = path.join(dir, 'audit-reports', 'nested');
    const [procOut, fileExport, procExport, missing] = await Promise.all([
      audit('-r', 'json', '-o', '/proc/x'),
      audit('--export', path.join(file, 'x')),
      audit('--export', '/proc/x'),
      audit('-r', 'json', '-o', reports),
    ]);
    expectUsageError(procOut, '--out-dir: /proc/x: cannot write there');
    expectUsageError(fileExport, '--export:', 'a part of the path is a file');
    expectUsageError(procExport, '--export: /proc/x: cannot write there');
    for (const run of [procOut, fileExport, procExport]) expect(run.stderr).not.toContain('cannot reach Logto');
    expectUsageError(missing, 'cannot reach Logto');
    expect((await readdir(reports)).length).toBe(0);
  });

  it('--connector-version is a version, not a path', async () => {
    const run = await harness(['run', SCENARIO, '--connector-version', '../../etc']);
    expectUsageError(run, '--connector-version', '../../etc', 'not a version');
    expect(run.stderr).not.toContain('npm install');
  });
});

describe('scenario files', { timeout: 60_000 }, () => {
  it('an ftp:// IdP URL is refused when the file is read, naming the field and line', async () => {
    const file = path.join(dir, 'ftp-idp.yaml');
    await writeFile(
      file,
      (await scenarioText('ftp idp')).replace(
        `idp: { fixture: ${STANDARD_FIXTURE} }`,
        'idp: { url: "ftp://127.0.0.1/idp" }',
      ),
    );
    const run = await harness(['validate', file]);
    expectUsageError(run, `${file}:`, 'idp.url', 'http');
  });

  it('follows symlinked scenario files and folders', async () => {
    const real = path.join(dir, 'real');
    await mkdir(path.join(real, 'nested'), { recursive: true });
    await writeFile(path.join(real, 'linked-file-target.yaml'), await scenarioText('reached through a file link'));
    await writeFile(
      path.join(real, 'nested', 'in-linked-folder.yaml'),
      await scenarioText('reached through a folder link'),
    );
    const suite = path.join(dir, 'suite');
    await mkdir(suite);
    await writeFile(path.join(suite, 'plain.yaml'), await scenarioText('a plain file'));
    await symlink(path.join(real, 'linked-file-target.yaml'), path.join(suite, 'file-link.yaml'));
    await symlink(path.join(real, 'nested'), path.join(suite, 'folder-link'));
    await symlink(suite, path.join(suite, 'loop')); // must not recurse forever
    const run = await harness(['list', suite], 25_000);
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('a plain file');
    expect(run.stdout).toContain('reached through a file link');
    expect(run.stdout).toContain('reached through a folder link');
    expect(run.stdout.match(/a plain file/g)).toHaveLength(1);
  });

  it("a missing fixture says it is resolved from the scenario's folder", async () => {
    const sub = path.join(dir, 'missing-fixture');
    await mkdir(sub);
    const file = path.join(sub, 'scenario.yaml');
    await writeFile(file, (await scenarioText('missing fixture')).replace(STANDARD_FIXTURE, 'idp/nope.yaml'));
    const run = await harness(['validate', file]);
    expectUsageError(run, 'idp.fixture', path.join(sub, 'idp', 'nope.yaml'));
    expect(run.stderr).not.toContain('current directory');
    expect(run.stderr).toContain('scenario');
    expect(run.stderr).toContain(sub);
  });

  it('an empty file says it is empty', async () => {
    const file = path.join(dir, 'blank.yaml');
    await writeFile(file, '\n# only a comment\n');
    for (const run of await Promise.all([harness(['run', file]), mockIdp(['validate', file])]))
      expectUsageError(run, `${file}: empty`);
  });

  it('a YAML alias bomb is refused (exit 2, no stack) by both CLIs', async () => {
    const file = path.join(dir, 'bomb.yaml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [index, name] of [...'bcdefghi'].entries())
      levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(',')}]`);
    await writeFile(file, `${levels.join('\n')}\n`);
    for (const run of await Promise.all([harness(['run', file], 25_000), mockIdp(['validate', file], 25_000)]))
      expectUsageError(run, file, 'alias');
  });

  it('a file past the size cap is refused at once, naming the file, its size and the cap', async () => {
    const file = path.join(dir, 'huge.yaml');
    await writeFile(file, `name: huge\ndescription: "${'x'.repeat(10 * 1024 * 1024)}"\n`);
    for (const run of await Promise.all([
      harness(['run', file], 25_000),
      mockIdp(['serve', file, '--port', '0'], 25_000),
    ])) {
      expectUsageError(run, file, '10.0 MB', 'limit');
    }
  });

  it('40,000 keys parse in linear time: the unknown keys are reported briefly', async () => {
    const file = path.join(dir, 'keys.yaml');
    await writeFile(file, Array.from({ length: 40_000 }, (_, index) => `k${index}: ${index}\n`).join(''));
    const run = await mockIdp(['validate', file], 40_000);
    expectUsageError(run, file, 'k0', '40000');
    expect(run.stderr.length).toBeLessThan(2_000);
  });

  it('duplicate keys are still an error, with their line', async () => {
    const file = path.join(dir, 'duplicate.yaml');
    await writeFile(file, `${await scenarioText('duplicate')}user: alice\n`);
    const run = await harness(['validate', file]);
    expectUsageError(run, `${file}:${(await readFile(file, 'utf8')).split('\n').length - 1}`, 'user');
  });

  it('deeply nested YAML is one error, not the same one many times', async () => {
    const file = path.join(dir, 'deep.yaml');
    await writeFile(file, `${'['.repeat(5_000)}${']'.repeat(5_000)}\n`);
    for (const run of await Promise.all([harness(['run', file]), mockIdp(['validate', file])])) {
      expectUsageError(run, file, 'nested');
      expect(run.stderr.split('\n').filter((line) => line.includes(file))).toHaveLength(1);
    }
  });

  it('control characters from a file never reach the terminal raw', async () => {
    const file = path.join(dir, 'escape.yaml');
    const key = '"\\e]0;pwned\\a\\e[31mred": 1\n';
    await writeFile(file, `${await scenarioText('plain name')}${key}`);
    const fixture = path.join(dir, 'escape-fixture.yaml');
    await writeFile(fixture, key);
    for (const run of await Promise.all([harness(['run', file]), mockIdp(['validate', fixture])])) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('red');
      // eslint-disable-next-line no-control-regex
      expect(run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
    const named = path.join(dir, 'escape-name.yaml');
    await writeFile(named, await scenarioText('"\\e[2Jcleared"'));
    const run = await harness(['list', named]);
    expectUsageError(run, named, 'name');
  });
});

describe('checks', { timeout: 60_000 }, () => {
  it('customConfig is not ✓ when no request reached the IdP', async () => {
    const file = path.join(dir, 'unreachable.yaml');
    // An IdP given by URL where nothing listens (a fixture would answer in its place).
    const text = (await scenarioText('unreachable IdP'))
      .replaceAll('{{issuer}}', 'http://127.0.0.1:9')
      .replace(/^config:\n/m, 'config:\n  customConfig: { audience: api }\n')
      .replace(/^idp:.*$/m, 'idp: { url: "http://127.0.0.1:9" }');
    await writeFile(file, text);
    const run = await harness(['run', file], 25_000);
    expect(run.code, run.stderr).toBe(1);
    const line = run.stdout.split('\n').find((entry) => entry.includes('customConfig.audience'));
    expect(line).toBeDefined();
    expect(line).not.toContain('✓');
    expect(line).toContain('no request reached the IdP');
  });
});

describe('client_secret_jwt', { timeout: 60_000 }, () => {
  it("when the IdP refuses the assertion's alg, the hint names clientSecretJwtSigningAlgorithm and the alg the IdP accepts", async () => {
    const file = path.join(dir, 'jwt-alg-refused.yaml');
    const source = await readFile('fixtures/scenarios/client-secret-jwt-hs384.yaml', 'utf8');
    // The fixture pins HS384; without the setting the connector signs HS256.
    await writeFile(
      file,
      source
        .replace(/^\s+clientSecretJwtSigningAlgorithm: .*\n/m, '')
        .replace(/^\s+jwtAlg: .*\n/m, '')
        .replace('idp/standard.yaml', STANDARD_FIXTURE),
    );
    const run = await harness(['run', file], 25_000);
    expect(run.code, run.stderr).toBe(1);
    const hints = run.stdout.split('\n').filter((line) => line.includes('→'));
    expect(
      hints.some((line) => line.includes('"clientSecretJwtSigningAlgorithm": "HS384"')),
      run.stdout,
    ).toBe(true);
  });
});

describe('Ctrl-C and SIGTERM', () => {
  it.each([
    ['SIGINT', 130, 'Ctrl-C'],
    ['SIGTERM', 143, 'SIGTERM'],
  ] as const)(
    '%s: says "interrupted", lists what did not run, fails no interrupted scenario, exits %i',
    async (signal, code, said) => {
      const fixture = path.join(dir, 'slow-idp.yaml');
      await writeFile(
        fixture,
        `${await readFile(STANDARD_FIXTURE, 'utf8')}\nfaults:\n  - { endpoint: userinfo, latencyMs: 2500 }\n`,
      );
      const suite = path.join(dir, `slow-${signal}`);
      await mkdir(suite);
      const names = ['slow one', 'slow two', 'slow three', 'slow four'];
      for (const [index, name] of names.entries()) {
        // The first passes; the others are known-bad configs, which an interrupted run used to report as "missed".
        const text = (await scenarioText(name)).replace(STANDARD_FIXTURE, fixture);
        await writeFile(
          path.join(suite, `${index + 1}.yaml`),
          index === 0
            ? text
            : text.replace(/\nexpect:[\s\S]*$/, '\nexpect: { error: connector.general }\nknownBad: true\n'),
        );
      }
      const reports = path.join(dir, `reports-${signal}`);
      let sent = false;
      const run = await runCli(
        HARNESS_CLI,
        ['run', suite, '--reporter', 'json', '--reporter', 'junit', '-o', reports],
        {
          timeoutMs: 60_000,
          onStderr: (text, child) => {
            if (!sent && text.includes('[1/4]')) {
              sent = true;
              child.kill(signal);
            }
          },
        },
      );
      expect(sent).toBe(true);
      expect(run.timedOut).toBe(false);
      expect(run.code, run.stdout + run.stderr).toBe(code);
      const output = run.stdout + run.stderr;
      expect(output).toContain(`interrupted (${said}): 3 of 4 scenarios did not run to the end`);
      for (const name of names.slice(1)) expect(output).toContain(name);
      // The first finished before Ctrl-C and is reported; the others are neither failed nor missed.
      expect(run.stdout).toContain('slow one');
      for (const name of names.slice(1)) {
        expect(output).not.toMatch(new RegExp(`✗ (missed |error )?${name}`));
      }
      expect(output).not.toMatch(/\b[1-9]\d* failed/);
      expect(output).not.toMatch(STACK_LINE);
      // A partial report would read as a complete one in CI: none is written, whichever signal came.
      expect(run.stdout).toContain(`no report files written to ${reports}: the run is incomplete`);
      expect(await readdir(reports)).toEqual([]);
    },
    90_000,
  );
});
