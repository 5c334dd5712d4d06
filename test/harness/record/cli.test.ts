import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { followRedirects } from '../../../harness/follow-redirects.ts';
import { quirkyMockIdp, writeConfig, type RealIdp, CLIENT_SECRET } from './real-idps.ts';

const CLI = path.resolve('bin/connector-harness.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The CLI as a person runs it. `person` plays the human: it gets the authorization URL as soon as
 * the CLI prints it, and may write to the CLI's stdin.
 */
function record(
  args: string[],
  person?: (url: string, stdin: NodeJS.WritableStream) => Promise<void>,
  stdin: 'pipe' | 'ignore' = 'pipe',
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'record', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: [stdin, 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let handed = false;
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /^\s+(http\S+\/authorize\?\S+)$/m.exec(stderr)?.[1];
      if (url && person && !handed) {
        handed = true;
        person(url, child.stdin!).catch(reject);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const idps: RealIdp[] = [];
afterAll(async () => {
  await Promise.all(idps.map((idp) => idp.stop()));
});

async function githubLike(
  profile: Record<string, unknown> = {},
  tokenResponse: Record<string, unknown> = {
    encoding: 'form',
    tokenType: 'bearer',
    expiresIn: 'absent',
    idToken: false,
  },
) {
  const idp = await quirkyMockIdp(
    {
      tokenResponse,
      userinfo: { path: '/user' },
      users: [{ id: 'octo', profile: { login: 'octo-person', id: 4242, name: 'Octo Person', ...profile } }],
      defaultUser: 'octo',
    },
    { scope: 'read:user', profileMap: { id: 'id', name: 'name' } },
  );
  idps.push(idp);
  return idp;
}

// Each test spawns the CLI (about 2 s of start-up on a busy machine) up to three times.
describe('connector-harness record (CLI)', { timeout: 90_000 }, () => {
  it('exits 2 naming the file when it does not exist', async () => {
    const run = await record(['/nonexistent/idp-config.json', '--headless']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('/nonexistent/idp-config.json: file not found');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when the IdP is unreachable, writing nothing', async () => {
    const port = await closedPort();
    const out = await mkdtemp(path.join(tmpdir(), 'recorded-'));
    const config = await writeConfig({
      authorizationEndpoint: `http://127.0.0.1:${port}/authorize`,
      tokenEndpoint: `http://127.0.0.1:${port}/token`,
      userInfoEndpoint: `http://127.0.0.1:${port}/userinfo`,
      clientId: 'c',
      clientSecret: CLIENT_SECRET,
    });
    const run = await record([config, '--headless', '--out', out]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/authorizationEndpoint: the IdP is unreachable/);
    await expect(readFile(path.join(out, 'scenario.yaml'), 'utf8')).rejects.toThrow();
  });

  it('exits 2 when the IdP accepts the connection and never answers (--headless --timeout)', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const config = await writeConfig({
        authorizationEndpoint: `http://127.0.0.1:${port}/authorize`,
        tokenEndpoint: `http://127.0.0.1:${port}/token`,
        userInfoEndpoint: `http://127.0.0.1:${port}/userinfo`,
        clientId: 'c',
        clientSecret: CLIENT_SECRET,
      });
      const run = await record([config, '--headless', '--timeout', '1']);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(
        /authorizationEndpoint: the IdP is unreachable: could not reach the IdP at http:\/\/127\.0\.0\.1:\d+: .*(timeout|aborted)/i,
      );
      expect(run.ms).toBeLessThan(15_000);
    } finally {
      silent.close();
      // The CLI is gone; its half-open sockets must not keep the server (and this test) alive.
      (silent as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }
  });

  it('exits 2 when no callback arrives before --timeout (never hangs)', async () => {
    const idp = await githubLike();
    const run = await record([await writeConfig(idp.config), '--timeout', '1']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/--timeout: no callback reached http:\/\/127\.0\.0\.1:\d+\/callback within 1 s/);
    expect(run.ms).toBeLessThan(15_000);
  });

  it('exits 2 naming --out before anyone signs in when --out cannot take the files (and never hangs on /proc)', async () => {
    const config = await writeConfig({
      authorizationEndpoint: 'http://127.0.0.1:9/authorize',
      tokenEndpoint: 'http://127.0.0.1:9/token',
      userInfoEndpoint: 'http://127.0.0.1:9/userinfo',
      clientId: 'c',
      clientSecret: CLIENT_SECRET,
    });
    for (const out of ['/proc/connector-harness-record', config]) {
      const run = await record([config, '--headless', '--out', out]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^--out: .*(cannot write there|is a file, not a folder)/m);
      expect(run.stderr).not.toMatch(/unreachable|\n\s+at /);
      expect(run.ms).toBeLessThan(15_000);
    }
  });

  it('takes a --timeout that is no whole number of milliseconds', async () => {
    const idp = await githubLike();
    const out = await mkdtemp(path.join(tmpdir(), 'recorded-'));
    const run = await record([await writeConfig(idp.config), '--headless', '--out', out, '--timeout', '10.0005']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✓ Sign-in/);
  });

  it('exits 2 when stdin closes before the landed URL is pasted (--redirect-uri)', async () => {
    const idp = await githubLike();
    const run = await record(
      [await writeConfig(idp.config), '--redirect-uri', 'https://logto.example.com/callback/abc'],
      undefined,
      'ignore',
    );
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('standard input closed before a callback URL was pasted');
  });

  it('takes the callback on a local port from a person signing in', async () => {
    const idp = await githubLike();
    const out = await mkdtemp(path.join(tmpdir(), 'recorded-'));
    // The "person": a browser that follows every redirect, the local callback included.
    const run = await record([await writeConfig(idp.config), '--out', out, '--user', 'octo'], async (url) => {
      const followed = await followRedirects(url, () => false);
      expect(followed.stoppedAt?.body).toContain('Signed in');
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain('Open this URL, sign in');
    expect(run.stdout).toMatch(/✓ Sign-in/);
    expect(run.stdout).toMatch(/replay: \d+ checks, the same verdicts as the live sign-in/);
    expect(run.stdout + run.stderr).not.toContain(CLIENT_SECRET);
    expect(await readFile(path.join(out, 'idp/fixture.yaml'), 'utf8')).toMatch(
      /^# .*Recorded by `connector-harness record` on .* from 127\.0\.0\.1:\d+/m,
    );
  });

  it('takes a pasted landed URL with --redirect-uri', async () => {
    const idp = await githubLike();
    const out = await mkdtemp(path.join(tmpdir(), 'recorded-'));
    const registered = 'https://logto.example.com/callback/abc';
    const run = await record(
      [await writeConfig(idp.config), '--out', out, '--redirect-uri', registered],
      async (url, stdin) => {
        const followed = await followRedirects(url, (next) => next.startsWith(registered));
        stdin.write('https://elsewhere.example/not-it\n');
        stdin.write(`${followed.callbackUrl}\n`);
      },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain('paste the full URL');
    expect(run.stderr).toContain(`that URL does not start with ${registered}`);
    expect(run.stdout).toMatch(/✓ Sign-in/);
  });

  it('exits 2 naming --out when the recording cannot be written there', async () => {
    const idp = await githubLike();
    const config = await writeConfig(idp.config);
    const run = await record([config, '--headless', '--out', path.join(config, 'below-a-file')]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    // Found before the sign-in now, by the folder check.
    expect(run.stderr).toMatch(/--out: .*below-a-file: a part of the path is a file, not a folder/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('re-recording into the same folder says what the provider changed, exit 1', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'recorded-'));
    const before = await githubLike();
    const first = await record([await writeConfig(before.config), '--headless', '--out', out]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const again = await record([await writeConfig(before.config), '--headless', '--out', out]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("compared with the stored recording: no change in the provider's answers");

    // The provider now sends token_type "token", an extra token field (form-encoded: a string), a string id and a new nested field.
    const after = await githubLike(
      { id: '4242', plan: { seats: 3 } },
      {
        encoding: 'form',
        tokenType: 'token',
        expiresIn: 'absent',
        idToken: false,
        extraFields: { created_at: 1700000000 },
      },
    );
    const changed = await record([await writeConfig(after.config), '--headless', '--out', out]);
    expect(changed.code, changed.stdout + changed.stderr).toBe(1);
    expect(changed.stdout).toContain("the provider's answers changed since the stored recording (4)");
    expect(changed.stdout).toContain('~ token.token_type: "bearer" → "token"');
    expect(changed.stdout).toContain('+ token.extra.created_at: string of digits (new)');
    expect(changed.stdout).toContain('~ userinfo.body.id: number → string of digits');
    expect(changed.stdout).toContain('+ userinfo.body.plan.seats: number (new)');
    // The new recording is written (the team reviews it with git diff).
    expect(await readFile(path.join(out, 'idp/fixture.yaml'), 'utf8')).toContain('tokenType: token');
  });
});
