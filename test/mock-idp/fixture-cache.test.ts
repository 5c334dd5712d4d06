import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../mock-idp/fixture/load.ts';

// The CLI keeps fixtures it validated in the temp folder; a cached start must serve exactly what a
// validated one serves, and nothing stale or invalid may ever come out of the cache.
const BIN = path.resolve('bin/mock-idp.js');
let temp: string;
let cacheDir: string;
beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'fixture-cache-'));
  cacheDir = path.join(temp, 'mock-idp-fixtures');
});
afterAll(() => rm(temp, { recursive: true, force: true }));

/**
 * Serves `file` with TMPDIR in our temp folder; once the banner is out, discovery is fetched and
 * `then` may send more before the server is stopped. Resolves with the discovery document and what
 * `then` returned, or the exit code and stderr.
 */
function serveOnce<T = undefined>(
  file: string,
  { nodeArgs = [], then }: { nodeArgs?: string[]; then?: (issuer: string) => Promise<T> } = {},
): Promise<{ discovery?: Record<string, unknown>; after?: T; code?: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', file, '--port', '0', '--quiet'], {
      env: { ...process.env, TMPDIR: temp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let discovery: Record<string, unknown> | undefined;
    let after: T | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const onceListening = async (issuer: string) => {
      discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      if (then) after = await then(issuer);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const issuer = /issuer\s+(\S+)/.exec(stdout)?.[1];
      if (!issuer || !stdout.includes('sign-in')) return;
      child.stdout.removeAllListeners('data');
      // A failure is the test's to report (in stderr), not an unhandled rejection.
      void onceListening(issuer)
        .catch((error: unknown) => (stderr += `\n${String(error)}`))
        .finally(() => child.kill('SIGTERM'));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ ...(discovery ? { discovery } : {}), ...(after !== undefined ? { after } : {}), code, stderr });
    });
  });
}

const entries = async () => (await readdir(cacheDir).catch(() => [])).filter((name) => name.endsWith('.json'));

describe("the CLI's validated-fixture cache", () => {
  it('gives back exactly what validation gives, for every shipped fixture', async () => {
    const files = [
      'fixtures/default.yaml',
      ...(await readdir('fixtures/idp'))
        .filter((name) => /\.(ya?ml|json)$/.test(name))
        .map((name) => `fixtures/idp/${name}`),
      ...(await readdir('fixtures/scenarios/providers', { recursive: true }))
        .filter((name) => /(^|\/)idp\/[^/]+\.(ya?ml|json)$/.test(name) && !name.endsWith('facts.yaml'))
        .map((name) => `fixtures/scenarios/providers/${name}`),
    ];
    for (const file of files) {
      const fixture = await loadFixture(file);
      expect(JSON.parse(JSON.stringify(fixture)), file).toEqual(fixture);
    }
  });

  it('serves a fixture the same from the cache, and a changed or broken file is validated again', async () => {
    const file = path.join(temp, 'idp.yaml');
    const fixture = await readFile('fixtures/default.yaml', 'utf8');
    await writeFile(file, fixture);
    const first = await serveOnce(file);
    expect(first.discovery?.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await entries()).toHaveLength(1);

    const second = await serveOnce(file);
    const normalized = (document: Record<string, unknown> | undefined) =>
      JSON.parse(JSON.stringify(document).replaceAll(String(document?.issuer), 'ISSUER')) as unknown;
    expect(normalized(second.discovery)).toEqual(normalized(first.discovery));
    expect(await entries()).toHaveLength(1);

    // A corrupt entry is no fixture: validated again, and served.
    await writeFile(path.join(cacheDir, (await entries())[0]!), '{ not json');
    expect((await serveOnce(file)).discovery?.issuer).toBeDefined();

    // The same file made invalid: refused (exit 2), never served from the cache.
    await writeFile(file, fixture.replace('defaultUser: alice', 'defaultUser: nobody'));
    const refused = await serveOnce(file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/defaultUser/);
    expect(await entries()).toHaveLength(1);
  }, 90_000);
});

describe('a start from the cache', () => {
  // The cache exists so that a start skips the YAML parser and the schema library; the request
  // path must not load them either, or an authorization request pays for them instead.
  it('answers discovery and an authorization request without loading zod or yaml', async () => {
    // From node_modules, or from the bundle of them a checkout's .fast-start/ holds (bin/build-fast-start.js).
    const probe = path.join(temp, 'probe.mjs');
    await writeFile(
      probe,
      `import { registerHooks } from 'node:module';
registerHooks({ load(url, context, next) { \
const name = /\\/node_modules\\/(zod|yaml)\\//.exec(url)?.[1] ?? /\\/vendor\\/(zod|yaml)\\.js$/.exec(url)?.[1]; \
if (name) process.stderr.write('loaded ' + name + '/\\n'); \
return next(url, context); } });
`,
    );
    const file = path.join(temp, 'probed.yaml');
    // A text of its own: the other tests leave the default fixture's entry in the shared cache.
    await writeFile(file, `${await readFile('fixtures/default.yaml', 'utf8')}\n# probed start\n`);
    const authorize = async (issuer: string) =>
      (
        await fetch(
          `${issuer}/authorize?response_type=code&client_id=logto-basic&redirect_uri=${encodeURIComponent('http://localhost:3001/callback/logto-basic')}&scope=openid&state=s`,
          { redirect: 'manual' },
        )
      ).status;
    const serve = () => serveOnce(file, { nodeArgs: ['--import', probe], then: authorize });
    const validating = await serve();
    expect(validating.stderr).toMatch(/loaded zod\//);
    const cached = await serve();
    expect(cached.after).toBe(303);
    expect(cached.stderr).not.toMatch(/loaded (zod|yaml)\//);
  }, 60_000);
});
