import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../mock-idp/index.ts';
import { UserError } from '../../lib/user-error.ts';

const run = promisify(execFile);
const CLI = path.resolve('mock-idp/cli.ts');

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
      ...(await readdir('fixtures/idp')).filter((name) => /\.(ya?ml|json)$/.test(name)).map((name) => path.join('fixtures/idp', name)),
    ];
    expect(files.some((file) => file.endsWith('.json'))).toBe(true);
    for (const file of files) await expect(loadFixture(file), file).resolves.toHaveProperty('clients');
  });

  it('names file, line, field and the allowed values for a bad enum', async () => {
    const error = await loadError('fixtures/idp/broken/unknown-auth-method.yaml');
    const problem = error.problems[0]!;
    expect(problem).toMatchObject({ file: 'fixtures/idp/broken/unknown-auth-method.yaml', line: 5, field: 'clients[0].tokenEndpointAuthMethod' });
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

describe('mock-idp CLI', () => {
  it('validate exits 0 for good fixtures and 2 for bad ones, without a stack trace', async () => {
    const good = await run(process.execPath, [CLI, 'validate', 'fixtures/default.yaml']);
    expect(good.stdout).toContain('✓ fixtures/default.yaml');
    const bad = await run(process.execPath, [CLI, 'validate', 'fixtures/idp/broken/unknown-auth-method.yaml']).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('unknown-auth-method.yaml:5');
    expect((bad as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });

  it('serve prints the issuer and answers discovery', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'serve', 'fixtures/default.yaml', '--port', '0', '--quiet']);
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
