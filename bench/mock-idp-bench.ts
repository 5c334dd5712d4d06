import autocannon, { type Result } from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { loadFixture } from '../mock-idp/fixture/load.ts';
import { table } from './table.ts';
import { freePort } from '../lib/free-port.ts';

// Both servers run as a user runs them, each through its own CLI in its own process: nothing of one
// is loaded in the other's, and nothing is loaded before the clock starts.
const FIXTURE = 'fixtures/default.yaml';
const SERVERS = {
  'mock-idp': (port: number) => ['bin/mock-idp.js', 'serve', FIXTURE, '--port', String(port), '--quiet'],
  'oauth2-mock-server': (port: number) => [
    'node_modules/oauth2-mock-server/dist/oauth2-mock-server.mjs',
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
  ],
} as const;
type Server = keyof typeof SERVERS;
const NAMES = Object.keys(SERVERS) as Server[];

const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const COLD_RUNS = numberFrom('BENCH_COLD_RUNS', 9);
// Rounds are short and many: on two shared cores a slow spell lasts seconds, and alternating servers
// round by round lets each show its best outside one.
const ROUNDS = numberFrom('BENCH_ROUNDS', 6);
const CONNECTIONS = 32;
const SECONDS = numberFrom('BENCH_SECONDS', 3);
const TOKEN_CODES = numberFrom('BENCH_TOKEN_CODES', 1000);
const REDIRECT_URI = 'http://app.bench/callback';
const BASIC = 'logto-basic';
const JWT = 'logto-jwt';

/** One discovery request on a fresh connection: its status, or the connect error while the port is closed. */
const discoveryStatus = (port: number) =>
  new Promise<number | string>((resolve) => {
    const call = get(
      { host: '127.0.0.1', port, path: '/.well-known/openid-configuration', agent: false },
      (response) => {
        response.resume().once('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

interface Running {
  issuer: string;
  child: ChildProcess;
  /** Spawn of the CLI → first discovery 200, as a user (or a test runner polling the port) sees it. */
  coldMs: number;
  started: number;
}

/** Spawn → the answer to an authorization request sent right after discovery: ready for a sign-in. */
async function signInReady(running: Running): Promise<number> {
  const response = await fetch(
    `${running.issuer}/authorize?response_type=code&client_id=${BASIC}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&state=s`,
    { redirect: 'manual' },
  );
  await response.arrayBuffer();
  if (response.status < 300 || response.status >= 400)
    throw new Error(`authorization request answered ${response.status}`);
  return performance.now() - running.started;
}

async function start(server: Server, env: NodeJS.ProcessEnv = process.env): Promise<Running> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, SERVERS[server](port), { stdio: ['ignore', 'ignore', 'inherit'], env });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    const status = await discoveryStatus(port);
    if (status === 200)
      return { issuer: `http://127.0.0.1:${port}`, child, coldMs: performance.now() - started, started };
    if (exited) throw new Error(`${server} exited before it answered discovery (last answer: ${status})`);
    if (performance.now() - started > 30_000)
      throw new Error(`${server} did not answer discovery within 30 s (last answer: ${status})`);
    await sleep(1);
  }
}

async function stop({ child }: Running): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** The servers in turn, the order flipped every round: neither always gets the quieter moment. */
const inTurn = (round: number) => (round % 2 === 0 ? NAMES : [...NAMES].reverse());

/**
 * Spawn → first discovery 200, COLD_RUNS times each. `firstRun`: each start gets an empty temp folder,
 * so no cache a previous start left (mock-idp keeps compiled and type-stripped code there) helps.
 */
async function coldStarts(firstRun: boolean): Promise<Record<Server, number[]> & { signIn: Record<Server, number[]> }> {
  const times = {
    'mock-idp': [] as number[],
    'oauth2-mock-server': [] as number[],
    signIn: { 'mock-idp': [] as number[], 'oauth2-mock-server': [] as number[] },
  };
  for (let round = 0; round < COLD_RUNS; round += 1) {
    for (const server of inTurn(round)) {
      const temp = firstRun ? await mkdtemp(path.join(tmpdir(), 'bench-first-run-')) : undefined;
      const running = await start(server, temp ? { ...process.env, TMPDIR: temp, TMP: temp, TEMP: temp } : process.env);
      times[server].push(running.coldMs);
      times.signIn[server].push(await signInReady(running));
      await stop(running);
      if (temp) await rm(temp, { recursive: true, force: true });
    }
  }
  return times;
}

/** A browser's part: follow redirects with cookies until the redirect URI carries a code. */
async function mintCode(issuer: string, clientId: string): Promise<string> {
  let url = `${issuer}/authorize?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&state=s`;
  const cookies: string[] = [];
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookies.join('; ') } });
    for (const header of response.headers.getSetCookie()) cookies.push(header.split(';')[0]!);
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (!location) throw new Error(`no redirect from ${url} (${response.status})`);
    url = new URL(location, url).href;
    if (url.startsWith(REDIRECT_URI)) return new URL(url).searchParams.get('code')!;
  }
  throw new Error('too many redirects');
}

async function mintCodes(issuer: string, clientId: string, count: number): Promise<string[]> {
  const codes: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (codes.length < count) codes.push(await mintCode(issuer, clientId));
    }),
  );
  return codes.slice(0, count);
}

interface Secrets {
  basic: string;
  jwt: string;
}

const FORM = 'application/x-www-form-urlencoded';
const exchange = (code: string) => ({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });

/** Each request takes the next prepared body: a code (and an assertion) is good for one request only. */
function oneBodyEach(path: string, headers: Record<string, string>, bodies: string[]) {
  let next = 0;
  return [
    {
      method: 'POST',
      path,
      headers: { 'content-type': FORM, ...headers },
      setupRequest: (request: object) => ({ ...request, body: bodies[next++ % bodies.length] }),
    },
  ];
}

type Measure = (issuer: string, secrets: Secrets) => Promise<Result>;

const MEASURES: Record<string, Measure> = {
  discovery: (issuer) =>
    autocannon({ url: `${issuer}/.well-known/openid-configuration`, connections: CONNECTIONS, duration: SECONDS }),
  userinfo: async (issuer, secrets) => {
    const basic = { authorization: `Basic ${Buffer.from(`${BASIC}:${secrets.basic}`).toString('base64')}` };
    const seed = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': FORM, ...basic },
      body: new URLSearchParams(exchange(await mintCode(issuer, BASIC))),
    });
    const { access_token: accessToken } = (await seed.json()) as { access_token: string };
    return autocannon({
      url: `${issuer}/userinfo`,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: { authorization: `Bearer ${accessToken}` },
    });
  },
  'token (code, client_secret_basic)': async (issuer, secrets) => {
    const codes = await mintCodes(issuer, BASIC, TOKEN_CODES);
    const basic = { authorization: `Basic ${Buffer.from(`${BASIC}:${secrets.basic}`).toString('base64')}` };
    return autocannon({
      url: issuer,
      connections: CONNECTIONS,
      amount: codes.length,
      sampleInt: 20,
      requests: oneBodyEach(
        '/token',
        basic,
        codes.map((code) => new URLSearchParams(exchange(code)).toString()),
      ),
    });
  },
  'token (code, client_secret_jwt)': async (issuer, secrets) => {
    const codes = await mintCodes(issuer, JWT, TOKEN_CODES);
    const key = new TextEncoder().encode(secrets.jwt);
    const bodies = await Promise.all(
      codes.map(async (code) => {
        const assertion = await new SignJWT({ jti: crypto.randomUUID() })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(JWT)
          .setSubject(JWT)
          .setAudience(`${issuer}/token`)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(key);
        return new URLSearchParams({
          ...exchange(code),
          client_id: JWT,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }).toString();
      }),
    );
    return autocannon({
      url: issuer,
      connections: CONNECTIONS,
      amount: codes.length,
      sampleInt: 20,
      requests: oneBodyEach('/token', {}, bodies),
    });
  },
};

/** Not measured: both servers' JIT (and the load generator's) warm before the first round. */
async function warmUp(issuer: string, secrets: Secrets): Promise<void> {
  await autocannon({ url: `${issuer}/.well-known/openid-configuration`, connections: CONNECTIONS, duration: 2 });
  await mintCodes(issuer, BASIC, 200);
  await MEASURES.userinfo!(issuer, secrets);
}

/** A process's CPU time so far (user + system), from /proc. */
const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

// The tables go to stdout; these lines (on stderr) only say where a run of a few minutes is.
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const ratio = (ours: number, peer: number) => (ours / peer).toFixed(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const failures = (result: Result) => result.errors + result.timeouts + result.non2xx;
const rate = (result: Result) => (result.requests.total - failures(result)) / result.duration;

export async function benchMockIdp(): Promise<string> {
  const fixture = await loadFixture(FIXTURE);
  const secretOf = (clientId: string) => fixture.clients.find((client) => client.clientId === clientId)!.clientSecret!;
  const secrets = { basic: secretOf(BASIC), jwt: secretOf(JWT) };

  // What the mock IdP's CLI starts from in a checkout that ran it (see bin/build-fast-start.js); a
  // package's dist/ is JavaScript already. Made before the clock starts, like the peer's dist/.
  progress(execFileSync(process.execPath, ['bin/build-fast-start.js'], { encoding: 'utf8' }).trim());
  progress(`cold starts: ${COLD_RUNS} of each server, three ways`);
  await coldStarts(false); // fills the caches a user's earlier runs would have left
  const cold = await coldStarts(false);
  const firstRun = await coldStarts(true);
  const best = {} as Record<string, Record<Server, Result>>;
  const running = {} as Record<Server, Running>;
  for (const server of NAMES) running[server] = await start(server);
  try {
    for (const server of NAMES) await warmUp(running[server].issuer, secrets);
    // Every endpoint in rounds that alternate which server goes first; each server's best round counts.
    for (const [name, measure] of Object.entries(MEASURES)) {
      best[name] = {} as Record<Server, Result>;
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const server of inTurn(round)) {
          const before = cpuMs(running[server].child.pid!);
          const result = await measure(running[server].issuer, secrets);
          progress(
            `${name}, round ${round + 1}/${ROUNDS}: ${server} ${rate(result).toFixed(0)} req/s, ` +
              `${(((cpuMs(running[server].child.pid!) - before) * 1000) / result.requests.total).toFixed(1)} µs CPU per request`,
          );
          const kept = best[name][server];
          if (!kept || rate(result) > rate(kept)) best[name][server] = result;
        }
      }
    }
  } finally {
    await Promise.all(NAMES.map((server) => stop(running[server])));
  }

  const [ours, peer] = NAMES;
  const rows: string[][] = [
    [
      `cold start: spawn of the CLI → first discovery 200, median of ${COLD_RUNS}`,
      ms(median(cold[ours!])),
      ms(median(cold[peer!])),
      ratio(median(cold[ours!]), median(cold[peer!])),
    ],
    [
      `cold start: the same, best of ${COLD_RUNS}`,
      ms(Math.min(...cold[ours!])),
      ms(Math.min(...cold[peer!])),
      ratio(Math.min(...cold[ours!]), Math.min(...cold[peer!])),
    ],
    [
      `cold start: spawn → an authorization request answered, median of ${COLD_RUNS}`,
      ms(median(cold.signIn[ours!])),
      ms(median(cold.signIn[peer!])),
      ratio(median(cold.signIn[ours!]), median(cold.signIn[peer!])),
    ],
    [
      `cold start, first run (empty temp folder), median of ${COLD_RUNS}`,
      ms(median(firstRun[ours!])),
      ms(median(firstRun[peer!])),
      ratio(median(firstRun[ours!]), median(firstRun[peer!])),
    ],
  ];
  for (const [name, results] of Object.entries(best)) {
    const [a, b] = [results[ours!], results[peer!]];
    const failed = failures(a) + failures(b) ? ` (failed: ${failures(a)} / ${failures(b)})` : '';
    rows.push([`${name} req/s${failed}`, rate(a).toFixed(0), rate(b).toFixed(0), ratio(rate(a), rate(b))]);
    rows.push([
      `${name} latency p50 / p99`,
      `${ms(a.latency.p50)} / ${ms(a.latency.p99)}`,
      `${ms(b.latency.p50)} / ${ms(b.latency.p99)}`,
      '',
    ]);
  }
  return [
    `mock-idp vs oauth2-mock-server, each started through its own CLI in its own process (mock-idp serves ${FIXTURE}).`,
    "Cold start: alternating servers; mock-idp's CLI starts from .fast-start/ (npm run build:fast-start: sources stripped ahead, oidc-provider bundled)",
    'and keeps compiled code in the temp folder, so a first run ever (empty temp folder) is shown apart.',
    `Load: autocannon, ${CONNECTIONS} connections, after a warm-up; best of ${ROUNDS} rounds that alternate which server goes first`,
    `(discovery and userinfo: ${SECONDS} s each; token: ${TOKEN_CODES} fresh codes each).` +
      ` ratio = mock-idp / peer (cold start: lower is better; req/s: higher is better).`,
    table(['metric', 'mock-idp', 'oauth2-mock-server', 'ratio'], rows),
    'mock-idp checks the client (basic secret; HS256 assertion signature, audience and jti replay), the code and the access token;' +
      ' oauth2-mock-server accepts any code, client and token.',
  ].join('\n');
}
