import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { UserError } from '../../lib/user-error.ts';

const execute = promisify(execFile);
const CLI = path.resolve('bin/connector-harness.js');

async function harness(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// Every client secret the shipped scenarios and their fixtures hold: none may appear in any output.
const shipped = await loadScenarios(['fixtures/scenarios']);
const SECRETS = [
  ...new Set(
    shipped.flatMap((scenario) => [
      String(scenario.config.clientSecret),
      ...(scenario.idp.kind === 'fixture'
        ? scenario.idp.fixture.clients.map((client) => client.clientSecret ?? '')
        : []),
    ]),
  ),
].filter((secret) => secret.length >= 8);

describe('connector-harness CLI', () => {
  it('knows the secrets it must not print', () => {
    expect(SECRETS).toEqual(
      expect.arrayContaining(['post-secret-0123456789', 'proxy-secret-0123456789', 's-0123456789']),
    );
  });

  it('exits 0 on a passing suite and writes JSON and JUnit reports without secrets', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'harness-'));
    const run = await harness(
      'run',
      'fixtures/scenarios',
      '--parallel',
      '4',
      '-r',
      'json',
      '-r',
      'junit',
      '--out-dir',
      outDir,
      '--verbose',
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed/m);
    expect(run.stderr).toMatch(/\[\d+\/\d+\]/);
    const json = JSON.parse(await readFile(path.join(outDir, 'connector-harness.json'), 'utf8')) as {
      summary: { total: number; failed: number };
      results: unknown[];
    };
    expect(json.summary.failed).toBe(0);
    expect(json.results.length).toBe(json.summary.total);
    const junit = await readFile(path.join(outDir, 'connector-harness.junit.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml/);
    expect(junit).toContain(`tests="${json.summary.total}" failures="0"`);
    for (const output of [run.stdout, run.stderr, JSON.stringify(json), junit]) {
      for (const secret of SECRETS) expect(output).not.toContain(secret);
    }
    // The whole shipped suite (with the provider library) in a child process: more than the default 30 s on a loaded machine.
  }, 120_000);

  it('exits 1 when a check fails, showing the diagnosis', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'harness-'));
    const { writeFile, readFile: read } = await import('node:fs/promises');
    const source = await read('fixtures/scenarios/known-bad/json-body-query-string-default.yaml', 'utf8');
    const file = path.join(dir, 'not-marked.yaml');
    await writeFile(
      file,
      source
        .replace('knownBad: true\n', '')
        .replace(/expect:[\s\S]*$/, '')
        .replace('../idp/standard.yaml', path.resolve('fixtures/scenarios/idp/standard.yaml')),
    );
    const run = await harness('run', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('connector.invalid_response');
    expect(run.stdout).toContain('"tokenEndpointResponseType": "json"');
  });

  it('exits 2 on bad input, naming file, line and field, without a stack trace', async () => {
    const run = await harness('run', 'test/harness/bad/bad-inline-fixture.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('test/harness/bad/bad-inline-fixture.yaml:8');
    expect(run.stderr).toContain('idp.fixture.clients[0].tokenEndpointAuthMethod');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect((await harness('run', 'no/such/folder')).code).toBe(2);
    expect((await harness('run', 'fixtures/scenarios', '--parallel', 'many')).code).not.toBe(0);
  });

  it('--target logto without credentials says what is missing', async () => {
    const run = await harness(
      'run',
      'fixtures/scenarios/standard-post.yaml',
      '--target',
      'logto',
      '--endpoint',
      'http://127.0.0.1:9',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('LOGTO_M2M_APP_ID');
  });

  it('--connector-version / --connector-path: a missing install is bad input with the npm command; an install prefix runs', async () => {
    const missing = await harness('run', 'fixtures/scenarios', '--connector-version', '0.0.0-none');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'npm install --prefix .connector-versions/0.0.0-none @logto/connector-oauth@0.0.0-none',
    );
    expect(missing.stderr).toContain('@logto/connector-oidc@0.0.0-none');
    expect(missing.stdout).toBe('');
    // An install prefix of the user's own: here one that links the pinned packages.
    const prefix = await mkdtemp(path.join(tmpdir(), 'connectors-'));
    const { mkdir, symlink } = await import('node:fs/promises');
    await mkdir(path.join(prefix, 'node_modules', '@logto'), { recursive: true });
    await symlink(
      path.resolve('node_modules/@logto/connector-oauth'),
      path.join(prefix, 'node_modules', '@logto', 'connector-oauth'),
    );
    const run = await harness('run', 'fixtures/scenarios/standard-post.yaml', '--connector-path', prefix);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('in-process 1.7.8');
    const oidcMissing = await harness('run', 'fixtures/scenarios/oidc-standard.yaml', '--connector-path', prefix);
    expect(oidcMissing.code).toBe(2);
    expect(oidcMissing.stderr).toContain(`npm install --prefix ${prefix} @logto/connector-oidc@<version>`);
  });

  it('list and validate read scenarios without running them', async () => {
    const list = await harness('list', 'fixtures/scenarios');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('known-bad, caught by connector.invalid_response, token.response-type');
    const validate = await harness('validate', 'fixtures/scenarios');
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('✓ fixtures/scenarios/standard-post.yaml');
    expect((await harness('validate', 'test/harness/bad')).code).toBe(2);
  });

  it("validate checks each config against the connector's own guard; run shows the same refusal as Logto would", async () => {
    const validate = await harness('validate', 'test/harness/refused');
    expect(validate.code).toBe(2);
    expect(validate.stdout).toContain(
      'config.tokenEndpointAuthMethod: the connector refuses this config (Invalid enum value',
    );
    expect(validate.stderr).toContain('1 scenario config would be refused by the connector');
    const run = await harness('run', 'test/harness/refused');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('connector.invalid_config (HTTP 400)');
  });

  it('--help teaches with examples', async () => {
    const help = await harness('run', '--help');
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--reporter');
    expect(help.stdout).toContain('Exit status');
  });
});

describe('scenario loading', () => {
  it('reports every bad file at once, with lines', async () => {
    const error = await loadScenarios(['test/harness/bad']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    const problems = (error as UserError).problems;
    expect(problems.some((problem) => problem.file?.endsWith('missing-idp.yaml') && problem.field === 'idp')).toBe(
      true,
    );
    expect(problems.some((problem) => problem.file?.endsWith('bad-inline-fixture.yaml') && problem.line === 8)).toBe(
      true,
    );
  });

  it('reads a `scenarios:` list, each scenario with its own line; a bad item is named by index and line', async () => {
    const scenarios = await loadScenarios(['test/harness/multi/profile-variants.yaml']);
    expect(scenarios.map((scenario) => [scenario.name, scenario.line])).toEqual([
      ['id from sub', 3],
      ['nested id for bob', 15],
    ]);
    const error = (await loadScenarios(['test/harness/bad/bad-list-item.yaml']).catch(
      (caught: unknown) => caught,
    )) as UserError;
    expect(error.problems).toEqual([expect.objectContaining({ line: 8, field: 'scenarios[1].user' })]);
    const missingIdp = (await loadScenarios(['test/harness/bad/missing-idp.yaml']).catch(
      (caught: unknown) => caught,
    )) as UserError;
    expect(missingIdp.problems[0]?.message).toContain('idp: { url: <IdP URL> }');
  });

  it('reads the whole connector object form', async () => {
    const [scenario] = await loadScenarios(['fixtures/scenarios/connector-object.yaml']);
    expect(scenario).toMatchObject({ connector: 'oauth2', syncProfile: true, enableTokenStorage: true });
    expect(scenario?.config.clientId).toBe('jwt-client');
  });
});
