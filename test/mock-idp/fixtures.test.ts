import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../mock-idp/index.ts';
import { UserError } from '../../lib/user-error.ts';

const run = promisify(execFile);
const CLI = path.resolve('bin/mock-idp.js');
// As the README runs it: the project's pinned Node first on PATH.
const CLI_ENV = {
  ...process.env,
  PATH: `${path.resolve('node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
};

async function loadError(file: string): Promise<UserError> {
  try {
    await loadFixture(file);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe('fixture loading', () => {
  it('loads every shipped fixture, YAML and JSON', async () => {
    const files = [
      'fixtures/default.yaml',
      ...(await readdir('fixtures/idp'))
        .filter((name) => /\.(ya?ml|json)$/.test(name))
        .map((name) => path.join('fixtures/idp', name)),
    ];
    expect(files.some((file) => file.endsWith('.json'))).toBe(true);
    for (const file of files) await expect(loadFixture(file), file).resolves.toHaveProperty('clients');
  });

  it('names file, line, field and the allowed values for a bad enum', async () => {
    const error = await loadError('fixtures/idp/broken/unknown-auth-method.yaml');
    const problem = error.problems[0]!;
    expect(problem).toMatchObject({
      file: 'fixtures/idp/broken/unknown-auth-method.yaml',
      line: 5,
      field: 'clients[0].tokenEndpointAuthMethod',
    });
    expect(problem.message).toContain('client_secret_jwt');
  });

  it('checks references between fields, with the line', async () => {
    const problem = (await loadError('fixtures/idp/broken/default-user-missing.yaml')).problems[0]!;
    expect(problem).toMatchObject({ line: 8, field: 'defaultUser' });
    expect(problem.hint).toContain('alice');
  });

  it('reports JSON syntax errors with their line', async () => {
    const problem = (await loadError('fixtures/idp/broken/bad-syntax.json')).problems[0]!;
    expect(problem.line).toBe(8);
    expect(problem.message).toMatch(/not valid JSON/);
  });

  it('says so when the file does not exist', async () => {
    expect((await loadError('fixtures/nope.yaml')).message).toContain('file not found');
  });
});

// Every deliberately broken fixture: where the problem is (file, line, field) and what is allowed.
const BROKEN: Array<[file: string, line: number, field: string | undefined, message: RegExp]> = [
  [
    'unknown-auth-method.yaml',
    5,
    'clients[0].tokenEndpointAuthMethod',
    /"client_secret_basic"\|"client_secret_post"\|"client_secret_jwt"\|"none"/,
  ],
  ['default-user-missing.yaml', 8, 'defaultUser', /"bob" is not a user/],
  ['bad-syntax.json', 8, undefined, /not valid JSON/],
  ['bad-indentation.yaml', 6, undefined, /not valid YAML/],
  ['unknown-key-typo.yaml', 5, 'clients[0]', /Unrecognized key: "tokenEndpointAuthMetod"/],
  ['wrong-enum.json', 11, 'tokenResponse.expiresIn', /"number"\|"string"\|"absent"/],
  ['missing-client-secret.yaml', 3, 'clients[0]', /clientSecret is required for client_secret_post/],
  ['reserved-userinfo-path.yaml', 9, 'userinfo.path', /"\/token" is taken/],
  ['fault-out-of-range.yaml', 10, 'faults[0].status', /<=\s*599/],
  [
    'fault-redirect-at-token.yaml',
    10,
    'faults[0].errorRedirect',
    /only the authorize endpoint redirects back to the client, not token/,
  ],
];

describe.each(BROKEN)('broken fixture %s', (name, line, field, message) => {
  const file = `fixtures/idp/broken/${name}`;
  it(`is refused at line ${line}${field ? `, field ${field}` : ''}, saying what is allowed`, async () => {
    const problem = (await loadError(file)).problems[0]!;
    expect(problem.file).toBe(file);
    expect(problem.line).toBe(line);
    expect(problem.field).toBe(field);
    expect(problem.message).toMatch(message);
  });
});

describe('broken fixtures folder', () => {
  // One process for all of them: a Node start costs more than the checks.
  it('makes `validate` exit 2, with file:line for each on stderr and no stack trace', async () => {
    const files = BROKEN.map(([name]) => `fixtures/idp/broken/${name}`);
    const result = await run(process.execPath, [CLI, 'validate', ...files], { env: CLI_ENV }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result).toMatchObject({ code: 2, stdout: '' });
    for (const [name, line] of BROKEN) expect(result.stderr).toContain(`fixtures/idp/broken/${name}:${line}`);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:|node:internal/);
  });

  it('every file in fixtures/idp/broken is listed above (and so is checked)', async () => {
    expect((await readdir('fixtures/idp/broken')).sort()).toEqual(BROKEN.map(([name]) => name).sort());
  });

  it('reports every problem of a file at once', async () => {
    const problems = (await loadError('fixtures/idp/broken/fault-out-of-range.yaml')).problems;
    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [10, 'faults[0].status'],
      [11, 'faults[1].endpoint'],
    ]);
    expect(problems[1]!.message).toContain('"userinfo"');
  });
});

describe('mock-idp CLI', () => {
  it('validate exits 0 for all shipped fixtures at once, one ✓ line each', async () => {
    const files = [
      'fixtures/default.yaml',
      ...(await readdir('fixtures/idp'))
        .filter((name) => /\.(ya?ml|json)$/.test(name))
        .map((name) => `fixtures/idp/${name}`),
    ];
    const result = await run(process.execPath, [CLI, 'validate', ...files], { env: CLI_ENV });
    expect(result.stdout.trim().split('\n')).toHaveLength(files.length);
    for (const file of files) expect(result.stdout).toContain(`✓ ${file}`);
    expect(result.stderr).toBe('');
  });

  it('validate with good and bad files checks them all and exits 2', async () => {
    const result = await run(
      process.execPath,
      [CLI, 'validate', 'fixtures/default.yaml', 'fixtures/idp/broken/wrong-enum.json', 'fixtures/nope.yaml'],
      { env: CLI_ENV },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2 });
    expect(result.stdout).toContain('✓ fixtures/default.yaml');
    expect(result.stderr).toContain('fixtures/idp/broken/wrong-enum.json:11');
    expect(result.stderr).toContain('fixtures/nope.yaml: file not found');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('serve refuses a broken fixture with exit 2 and no stack trace', async () => {
    const result = await run(
      process.execPath,
      [CLI, 'serve', 'fixtures/idp/broken/unknown-key-typo.yaml', '--port', '0'],
      { env: CLI_ENV },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2 });
    expect(result.stderr).toContain('unknown-key-typo.yaml:5');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate exits 0 for good fixtures and 2 for bad ones, without a stack trace', async () => {
    const good = await run(process.execPath, [CLI, 'validate', 'fixtures/default.yaml']);
    expect(good.stdout).toContain('✓ fixtures/default.yaml');
    const bad = await run(process.execPath, [CLI, 'validate', 'fixtures/idp/broken/unknown-auth-method.yaml']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('unknown-auth-method.yaml:5');
    expect((bad as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });

  it('serve prints the issuer and answers discovery', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'serve', 'fixtures/default.yaml', '--port', '0', '--quiet'], {
      env: CLI_ENV,
    });
    try {
      const issuer = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /issuer\s+(http:\/\/\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      const response = await fetch(`${issuer}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { issuer: string }).issuer).toBe(issuer);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
