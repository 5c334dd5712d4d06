import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/free-port.ts';
import { hopToRedirect, REDIRECT_URI } from '../helpers/browser-hops.ts';

// bin/build-fast-start.js into a folder of this test's (a start finds it through FAST_START_DIR), so
// the checkout's own .fast-start/ is neither needed nor touched.
const run = promisify(execFile);
let temp: string;
let built: string;

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'fast-start-test-'));
  built = path.join(temp, 'built');
  await run(process.execPath, ['bin/build-fast-start.js', '--out', built]);
}, 120_000);
afterAll(() => rm(temp, { recursive: true, force: true }));

/** The environment of a start with an empty temp folder of its own: what a first run ever finds. */
async function firstRunEnv(name: string, fastStartDir: string): Promise<NodeJS.ProcessEnv> {
  const folder = path.join(temp, name);
  await mkdir(folder);
  return { ...process.env, TMPDIR: folder, TMP: folder, TEMP: folder, FAST_START_DIR: fastStartDir };
}

describe('bin/build-fast-start.js: stripped sources made ahead', () => {
  it('a first run strips nothing itself (no stripped-source cache in its temp folder) and answers alike', async () => {
    const validate = async (env: NodeJS.ProcessEnv) =>
      run(process.execPath, ['bin/mock-idp.js', 'validate', 'fixtures/default.yaml'], { env });
    const prebuiltEnv = await firstRunEnv('with-build', built);
    const withBuild = await validate(prebuiltEnv);
    const withoutBuild = await validate(await firstRunEnv('without-build', 'none'));
    expect(withBuild).toEqual(withoutBuild);
    expect(withBuild.stdout).toContain('✓ fixtures/default.yaml');
    expect(await readdir(prebuiltEnv.TMPDIR!)).not.toContain('mock-idp-stripped-ts');
    expect(await readdir(path.join(temp, 'without-build'))).toContain('mock-idp-stripped-ts');
  });

  it("a first run starts from the build's compile cache: all of it is in the run's temp folder", async () => {
    const env = await firstRunEnv('compile-cache', built);
    await run(process.execPath, ['bin/mock-idp.js', '--version'], { env });
    const made = await readdir(path.join(built, 'compile-cache'), { recursive: true });
    // The build's start loaded oidc-provider, which --version never does: only a copy brings its entries.
    expect(made.length).toBeGreaterThan(50);
    const copied = new Set(await readdir(path.join(env.TMPDIR!, 'node-compile-cache'), { recursive: true }));
    expect(made.filter((file) => !copied.has(file))).toEqual([]);
  });
});

describe('bin/build-fast-start.js: the mock IdP loads oidc-provider, koa and jose from one bundle', () => {
  // A line added to the bundle's oidc-provider entry writes a file when the bundle is evaluated: the
  // proof, from outside the process, that it ran rather than node_modules.
  beforeAll(async () => {
    await appendFile(
      path.join(built, 'vendor', 'oidc_provider.js'),
      "\nimport { writeFileSync as markBundleLoaded } from 'node:fs';\n" +
        'if (process.env.BUNDLE_MARK) markBundleLoaded(process.env.BUNDLE_MARK, "loaded");\n',
    );
  });

  /** Serves fixtures/default.yaml, signs in with openid-client (code, basic auth, userinfo), stops. */
  async function signInThroughCli(env: NodeJS.ProcessEnv) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['bin/mock-idp.js', 'serve', 'fixtures/default.yaml', '--port', String(port), '--quiet'],
      { env, stdio: 'ignore' },
    );
    try {
      const issuer = new URL(`http://127.0.0.1:${port}`);
      for (let attempt = 0; ; attempt += 1) {
        const answer = await fetch(`${issuer.href}.well-known/openid-configuration`).catch(() => undefined);
        if (answer?.ok) break;
        if (attempt > 400) throw new Error('the mock IdP never answered discovery');
        await sleep(50);
      }
      const config = await client.discovery(
        issuer,
        'logto-basic',
        { redirect_uris: [REDIRECT_URI] },
        client.ClientSecretBasic('dev-basic-secret-change-me'),
        { execute: [client.allowInsecureRequests] },
      );
      const nonce = client.randomNonce();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid profile email',
        state,
        nonce,
      });
      const tokens = await client.authorizationCodeGrant(config, await hopToRedirect(url, REDIRECT_URI), {
        expectedNonce: nonce,
        expectedState: state,
      });
      const claims = tokens.claims()!;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      return { sub: claims.sub, email: claims.email, userinfo };
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }

  const marked = async (mark: string) =>
    stat(mark).then(
      () => true,
      () => false,
    );

  it('a current bundle is loaded, and a whole sign-in answers as from node_modules', { timeout: 60_000 }, async () => {
    const mark = path.join(temp, 'current.mark');
    const fromBundle = await signInThroughCli({ ...(await firstRunEnv('bundle', built)), BUNDLE_MARK: mark });
    expect(await marked(mark)).toBe(true);
    const fromModules = await signInThroughCli({ ...(await firstRunEnv('modules', 'none')), BUNDLE_MARK: mark });
    expect(fromBundle).toEqual(fromModules);
    expect(fromBundle.sub).toBe('alice');
    expect(fromBundle.userinfo.email).toBe(fromBundle.email);
  });

  it(
    'a bundle made from other files than node_modules holds now is not loaded, nor the rest of its group: node_modules serves',
    { timeout: 60_000 },
    async () => {
      const manifestFile = path.join(built, 'vendor', 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<
        string,
        { inputs: [string, number, number][] }
      >;
      const stale = structuredClone(manifest);
      // As if an install had changed a file of @koa/router's since the build: oidc-provider, which
      // does not use it, still loads from node_modules, with the koa the rest of node_modules uses.
      const providerFiles = new Set(manifest['oidc-provider']!.inputs.map(([file]) => file));
      const routerOnly = stale['@koa/router']!.inputs.find(([file]) => !providerFiles.has(file))!;
      routerOnly[1] += 1;
      await writeFile(manifestFile, JSON.stringify(stale));
      try {
        const mark = path.join(temp, 'stale.mark');
        const answered = await signInThroughCli({ ...(await firstRunEnv('stale', built)), BUNDLE_MARK: mark });
        expect(answered.sub).toBe('alice');
        expect(await marked(mark)).toBe(false);
      } finally {
        await writeFile(manifestFile, JSON.stringify(manifest));
      }
    },
  );
});
