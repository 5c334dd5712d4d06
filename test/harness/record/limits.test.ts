/**
 * record against IdPs that stall, flood, redirect or loop, and a person who presses Ctrl-C: each
 * stops at once with one line and the documented exit code, and nothing is written.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARNESS_CLI, runCli, STACK_LINE } from '../../helpers/spawn-cli.ts';
import { CLIENT_ID, CLIENT_SECRET, writeConfig } from './real-idps.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, origin: string) => void;

const servers: Array<ReturnType<typeof createServer>> = [];
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A provider on bare node:http: authorize redirects back with a code unless `authorize` says otherwise. */
async function provider(handlers: { authorize?: Handler; token?: Handler }): Promise<{ config: string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://idp.invalid');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/authorize') {
      if (handlers.authorize) return handlers.authorize(request, response, origin);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', 'live-code-0123456789');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return response.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && handlers.token) return handlers.token(request, response, origin);
    response.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = await writeConfig({
    authorizationEndpoint: `${origin}/authorize`,
    tokenEndpoint: `${origin}/token`,
    userInfoEndpoint: `${origin}/userinfo`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenEndpointResponseType: 'json',
    scope: 'profile',
  });
  return { config };
}

const emptyFolder = () => mkdtemp(path.join(tmpdir(), 'record-limits-'));

describe('record stops at once on a signal, and writes nothing', { timeout: 60_000 }, () => {
  it.each([
    ['SIGINT', 'token', 130],
    ['SIGTERM', 'token', 143],
    ['SIGINT', 'authorize', 130],
    ['SIGTERM', 'authorize', 143],
  ] as const)('%s while the IdP holds the %s request: exit %i within seconds', async (signal, held, code) => {
    let arrived: (() => void) | undefined;
    const heldRequest = new Promise<void>((resolve) => (arrived = resolve));
    // Accepts the request and never answers (the connector's own timeout is long).
    const { config } = await provider({ [held]: () => arrived?.() });
    const out = await emptyFolder();
    let sentAt = 0;
    const pending = runCli(HARNESS_CLI, ['record', config, '--headless', '--timeout', '120', '--out', out], {
      timeoutMs: 45_000,
      // The signal goes when the IdP really holds the request, not after a guessed sleep.
      onSpawn: (child) =>
        void heldRequest.then(() => {
          sentAt = performance.now();
          child.kill(signal);
        }),
    });
    const run = await pending;
    expect(run.timedOut).toBe(false);
    expect(performance.now() - sentAt).toBeLessThan(8_000);
    expect(run.code, run.stdout + run.stderr).toBe(code);
    expect(run.stderr).toContain('interrupted');
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(await readdir(out)).toEqual([]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while waiting for the person to come back: exit %i, not a bad-input 2', async (signal, code) => {
    const { config } = await provider({});
    const out = await emptyFolder();
    let sent = false;
    const run = await runCli(HARNESS_CLI, ['record', config, '--timeout', '120', '--out', out], {
      timeoutMs: 45_000,
      onStderr: (text, child) => {
        if (!sent && /Open this URL/.test(text)) {
          sent = true;
          child.kill(signal);
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(code);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('record refuses what it cannot replay, with one line and exit 2', { timeout: 60_000 }, () => {
  it('a token answer of hundreds of MB: refused at the cap, the rest never read', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const { config } = await provider({
      token: (request, response) => {
        request.resume();
        response.writeHead(200, { 'content-type': 'application/json' });
        // 300 MB if anyone reads it all; writes only as fast as the reader takes them.
        const pump = () => {
          while (sent < 300 * 1024 * 1024) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          response.end();
        };
        response.on('close', () => response.removeAllListeners('drain'));
        pump();
      },
    });
    const out = await emptyFolder();
    const run = await runCli(HARNESS_CLI, ['record', config, '--headless', '--out', out], { timeoutMs: 45_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/tokenEndpoint: the IdP's token answer is too large to record: .*more than 4 MB/);
    expect(run.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(run.stderr).not.toMatch(STACK_LINE);
    // The cap plus what socket buffers held when the proxy hung up: far from the 300 MB on offer.
    expect(sent).toBeLessThan(32 * 1024 * 1024);
    expect(await readdir(out)).toEqual([]);
  });

  it.each([
    ['elsewhere', (origin: string) => `${origin}/oauth/token`, /302 to http:\/\/127\.0\.0\.1:\d+\/oauth\/token/],
    ['to itself (a loop)', (origin: string) => `${origin}/token`, /302 to http:\/\/127\.0\.0\.1:\d+\/token\)/],
  ])('a redirect at the token endpoint, %s', async (_name, location, detail) => {
    let requests = 0;
    const { config } = await provider({
      token: (request, response, origin) => {
        requests += 1;
        request.resume();
        response.writeHead(302, { location: location(origin) }).end();
      },
    });
    const out = await emptyFolder();
    const run = await runCli(HARNESS_CLI, ['record', config, '--headless', '--out', out], { timeoutMs: 45_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/tokenEndpoint: the IdP answered the token request with a redirect/);
    expect(run.stderr).toMatch(detail);
    expect(run.stderr).not.toMatch(STACK_LINE);
    // Not passed on: the connector never followed it round again.
    expect(requests).toBe(1);
    expect(await readdir(out)).toEqual([]);
  });

  it('a redirect loop at authorize', async () => {
    const { config } = await provider({
      authorize: (request, response, origin) => {
        response.writeHead(302, { location: `${origin}/authorize?again=1` }).end();
      },
    });
    const out = await emptyFolder();
    const run = await runCli(HARNESS_CLI, ['record', config, '--headless', '--out', out], { timeoutMs: 45_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/authorizationEndpoint: the IdP redirects in a loop at authorize \(20 redirects/);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('the recording proxy', () => {
  it('reads a request body up to the cap, then answers 413 and stops reading', async () => {
    const { startRecordingProxy, MAX_EXCHANGE_BYTES } = await import('../../../harness/record/proxy.ts');
    // Nothing listens on port 9: a request that got through would be answered 502 and kept as an exchange.
    const proxy = await startRecordingProxy(
      { token: 'http://127.0.0.1:9/token', userinfo: undefined },
      { timeoutMs: 2000 },
    );
    const offered = 16 * MAX_EXCHANGE_BYTES;
    let sent = 0;
    try {
      const status = await new Promise<number | Error>((resolve) => {
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const upload = request(proxy.urls.token, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        upload.on('response', (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        });
        upload.on('error', resolve);
        // Writes only as fast as the proxy takes them, so `sent` is what the proxy read plus the socket buffers.
        const pump = () => {
          while (sent < offered) {
            sent += chunk.length;
            if (!upload.write(chunk)) return void upload.once('drain', pump);
          }
          upload.end();
        };
        pump();
      });
      // The proxy answers 413 and hangs up on the rest: a client busy writing may see the reset first.
      expect([413, 'ECONNRESET', 'EPIPE']).toContain(
        status instanceof Error ? (status as NodeJS.ErrnoException).code : status,
      );
      expect(sent).toBeLessThan(offered / 2);
      expect(proxy.exchanges).toEqual([]);
      // No half-read connection is left open to hold the proxy's close (a keep-alive one held it 5 s).
      const closing = performance.now();
      await proxy.close();
      expect(performance.now() - closing).toBeLessThan(2_000);
    } finally {
      await proxy.close().catch(() => {});
    }
  });
});
