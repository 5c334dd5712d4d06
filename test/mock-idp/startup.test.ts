import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../lib/free-port.ts';

const CLI = path.resolve('mock-idp/cli.ts');
const CLI_ENV = {
  ...process.env,
  PATH: `${path.resolve('node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
};
// Generous for a loaded 2-core machine; a request the server dropped never gets an answer at all.
const ANSWER_WITHIN_MS = 10_000;

/** Retries a bare TCP connect until the port accepts one: the first moment a client can reach it. */
async function firstConnection(port: number, deadline: number) {
  while (Date.now() < deadline) {
    const socket = await new Promise<ReturnType<typeof connect> | undefined>((resolve) => {
      const attempt = connect(port, '127.0.0.1');
      attempt.once('connect', () => resolve(attempt));
      attempt.once('error', () => resolve(undefined));
    });
    if (socket) return socket;
    await sleep(1);
  }
  throw new Error(`port ${port} never opened`);
}

/** A request sent on the very first connection the server accepts: its status (discovery's by default). */
function answerOn(socket: ReturnType<typeof connect>, port: number, path = '/.well-known/openid-configuration') {
  return new Promise<number | 'no answer'>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no answer');
    }, ANSWER_WITHIN_MS);
    const call = request({ host: '127.0.0.1', port, path, createConnection: () => socket }, (response) => {
      response.resume();
      response.once('end', () => {
        clearTimeout(timer);
        resolve(response.statusCode ?? 0);
      });
    });
    call.once('error', () => {
      clearTimeout(timer);
      resolve('no answer');
    });
    call.end();
  });
}

describe('mock-idp serve answers from the moment its port opens', () => {
  it('a discovery request sent on the first accepted connection is answered (5 starts)', async () => {
    const outcomes: Array<number | 'no answer'> = [];
    for (let start = 0; start < 5; start += 1) {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [CLI, 'serve', 'fixtures/default.yaml', '--port', String(port), '--quiet'],
        { env: CLI_ENV, stdio: 'ignore' },
      );
      try {
        outcomes.push(await answerOn(await firstConnection(port, Date.now() + 20_000), port));
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    expect(outcomes).toEqual([200, 200, 200, 200, 200]);
  }, 120_000);

  it('a request that needs oidc-provider, sent before it has loaded, waits for it and gets its answer', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', 'fixtures/default.yaml', '--port', String(port), '--quiet'], {
      env: CLI_ENV,
      stdio: 'ignore',
    });
    try {
      const authorization = `/authorize?response_type=code&client_id=logto-basic&redirect_uri=${encodeURIComponent('http://localhost:3001/callback/x')}&scope=openid&state=s`;
      // oidc-provider's answer: on to the sign-in (303), as for any later request.
      expect(await answerOn(await firstConnection(port, Date.now() + 20_000), port, authorization)).toBe(303);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 60_000);
});

describe('bin/mock-idp.js keeps type-stripped sources for later starts', () => {
  it('a first run (empty temp folder) fills the cache, a second runs from it, both alike', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { execFile } = await import('node:child_process');
    const temp = await mkdtemp(path.join(tmpdir(), 'mock-idp-start-fast-'));
    // Without a .fast-start/ (bin/build-fast-start.js), whose stripped sources would leave this cache empty.
    const env = { ...CLI_ENV, TMPDIR: temp, TMP: temp, TEMP: temp, FAST_START_DIR: 'none' };
    const validate = () =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['bin/mock-idp.js', 'validate', 'fixtures/default.yaml', 'fixtures/idp/broken/unknown-key-typo.yaml'],
          { env },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    try {
      const first = await validate();
      const cached = await readdir(path.join(temp, 'mock-idp-stripped-ts'));
      const second = await validate();
      expect(first.code).toBe(2);
      expect(first.stdout).toContain('✓ fixtures/default.yaml');
      expect(cached.length).toBeGreaterThan(5);
      expect(second).toEqual(first);
      // Node's own stripping says nothing; the cache that replaces it must not either.
      expect(first.stderr).not.toMatch(/ExperimentalWarning|experimental/i);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  });
});

describe('mock-idp serve logs each request unless --quiet', () => {
  /** Serves, sends discovery (fast path) and userinfo without a token (fast path, 401), then stops. */
  async function servedLog(quiet: boolean): Promise<string> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [CLI, 'serve', 'fixtures/default.yaml', '--port', String(port), ...(quiet ? ['--quiet'] : [])],
      { env: CLI_ENV, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    try {
      await answerOn(await firstConnection(port, Date.now() + 20_000), port);
      const userinfo = await fetch(`http://127.0.0.1:${port}/userinfo`, {
        headers: { authorization: 'Bearer not-a-token-of-ours' },
      });
      expect(userinfo.status).toBe(401);
      const deadline = Date.now() + ANSWER_WITHIN_MS;
      while (!quiet && !stdout.includes('GET /userinfo') && Date.now() < deadline) await sleep(20);
      // A line written after the answer would still be on its way through the pipe.
      if (quiet) await sleep(300);
      return stdout;
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }

  it('one line per request with its status, the token never in it', async () => {
    const log = await servedLog(false);
    expect(log).toMatch(/^\d+ GET \/\.well-known\/openid-configuration → 200$/m);
    expect(log).toMatch(/^\d+ GET \/userinfo → 401$/m);
    expect(log).not.toContain('not-a-token-of-ours');
  }, 30_000);

  it('--quiet: the banner only, no request line', async () => {
    const log = await servedLog(true);
    expect(log).toContain('mock IdP serving fixtures/default.yaml');
    expect(log).not.toMatch(/→ \d{3}/);
  }, 30_000);
});
