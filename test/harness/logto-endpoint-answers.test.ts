import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { bootstrapM2m } from '../../harness/logto-api/bootstrap-m2m.ts';
import { EndpointAnswerError, type AnswerProblem } from '../../harness/logto-api/endpoint-answer.ts';
import { inProcessIdpLauncher } from '../../harness/targets/logto/idp-launcher.ts';
import { ManagementClient } from '../../harness/logto-api/management-client.ts';
import { LogtoHttp } from '../../harness/logto-api/logto-http.ts';
import { useStoredToken } from '../../harness/targets/logto/token-use/use-stored-token.ts';
import { HARNESS_CLI, STACK_LINE, runCli, type CliRun } from '../helpers/spawn-cli.ts';

/*
 * An --endpoint that is not Logto's API (a proxy's login page, a redirect, broken or other JSON, a
 * token answer without a token, no answer at all): audit, run --target logto and the container
 * target's bootstrap say in one line what answered and what to check, exit 2, and quote no secret.
 * Each endpoint is a real HTTP server on 127.0.0.1 answering one bad shape.
 */

const APP_ID = 'm2m-app-id';
const SECRET = 'Hostile/Secret+with=signs-0123';
const SECRET_FORMS = [
  SECRET,
  encodeURIComponent(SECRET),
  new URLSearchParams({ s: SECRET }).toString().slice(2),
  Buffer.from(`${APP_ID}:${SECRET}`).toString('base64'),
];
const SCENARIO = 'fixtures/scenarios/standard-post.yaml';
const M2M_TOKEN = { access_token: 'm2m-access-token-0123456789', expires_in: 3600, token_type: 'Bearer' };

type Handler = (request: IncomingMessage & { body: string }, response: ServerResponse) => void;
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server on 127.0.0.1 answering every request through `handler`; its URL. */
async function endpoint(handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => handler(Object.assign(request, { body }), response));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const send = (
  response: ServerResponse,
  status: number,
  contentType: string | undefined,
  body: string,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { ...(contentType ? { 'content-type': contentType } : {}), ...headers });
  response.end(body);
};
const json = (response: ServerResponse, value: unknown) =>
  send(response, 200, 'application/json', JSON.stringify(value));
// A login page that quotes what it was sent, as some proxies' error pages do: the secret in every encoding.
const loginPage = (request: IncomingMessage & { body: string }) =>
  `<!doctype html><p>${request.headers.authorization ?? ''} ${SECRET} ${encodeURIComponent(SECRET)} ${request.body}</p><title>Sign in</title>`;

/** Logto's token answer, then `apis` for every /api call. */
const tokenThen =
  (apis: Handler): Handler =>
  (request, response) =>
    request.url === '/oidc/token' ? json(response, M2M_TOKEN) : apis(request, response);
const htmlPage =
  (status: number): Handler =>
  (request, response) =>
    send(response, status, 'text/html; charset=utf-8', loginPage(request));
const redirectTo =
  (location: string): Handler =>
  (_request, response) =>
    send(response, 302, undefined, '', { location });
const text =
  (contentType: string, body: string): Handler =>
  (_request, response) =>
    send(response, 200, contentType, body);
const value =
  (answer: unknown): Handler =>
  (_request, response) =>
    json(response, answer);

interface Shape {
  name: string;
  handler: Handler;
  /** What the one line must name: the request, and the status and content type that answered. */
  names: string[];
}

const LOGIN_ELSEWHERE = `https://sso.example.com/login?next=%2Fapi&client_secret=${encodeURIComponent(SECRET)}`;
const SHAPES: Shape[] = [
  {
    name: 'an HTML login page at /api/connectors',
    handler: tokenThen(htmlPage(200)),
    names: ['GET', '/api/connectors', '200 text/html', 'HTML page'],
  },
  {
    name: 'a 302 to a login page elsewhere at /api/connectors',
    handler: tokenThen(redirectTo(LOGIN_ELSEWHERE)),
    names: ['GET', '/api/connectors', '302', 'https://sso.example.com/login'],
  },
  {
    name: '{} at /api/connectors',
    handler: tokenThen(value({})),
    names: ['/api/connectors', '200 application/json', '"{}"', 'not a list of connectors'],
  },
  {
    name: 'null at /api/connectors',
    handler: tokenThen(value(null)),
    names: ['/api/connectors', '200 application/json', '"null"', 'not a list of connectors'],
  },
  {
    name: 'broken JSON at /api/connectors',
    handler: tokenThen(text('application/json', '[{"id": "a", "connectorId": ')),
    names: ['/api/connectors', '200 application/json', 'broken JSON'],
  },
  {
    name: 'a list whose items are not connectors',
    handler: tokenThen(value([{ id: 'a', connectorId: 'oauth2' }])),
    names: ['/api/connectors', 'not a list of connectors', '[0].config'],
  },
  {
    name: 'a token answer without access_token ({})',
    handler: value({}),
    names: ['POST', '/oidc/token', '200 application/json', 'access_token'],
  },
  {
    name: 'a text token answer',
    handler: text('text/plain', 'ok'),
    names: ['POST', '/oidc/token', '200 text/plain', '"ok"', 'not JSON'],
  },
  {
    name: 'broken JSON at /oidc/token, quoting the request',
    handler: (request, response) =>
      send(
        response,
        200,
        'application/json',
        `{"echo": "${request.headers.authorization}", "client_secret": "${SECRET}`,
      ),
    names: ['POST', '/oidc/token', '200 application/json', 'broken JSON'],
  },
  {
    name: 'a token answer redirecting to a login page',
    handler: redirectTo('/login?return=/oidc/token'),
    names: ['POST', '/oidc/token', '302', '/login?return='],
  },
  {
    name: 'an HTML page at /oidc/token',
    handler: htmlPage(200),
    names: ['POST', '/oidc/token', '200 text/html', 'HTML page'],
  },
  {
    name: "an HTML error page at /oidc/token (a proxy's 401)",
    handler: htmlPage(401),
    names: ['POST', '/oidc/token', '401 text/html'],
  },
];

const credentials = ['--m2m-app-id', APP_ID, '--m2m-app-secret', SECRET];
const harness = (args: string[]) => runCli(HARNESS_CLI, args, { timeoutMs: 45_000 });
const audit = (url: string, ...extra: string[]) => harness(['audit', '--endpoint', url, ...credentials, ...extra]);
const runLogto = (url: string, ...extra: string[]) =>
  harness(['run', SCENARIO, '--target', 'logto', '--endpoint', url, ...credentials, ...extra]);

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

/** Exit 2, nothing on stdout, one line on stderr naming `names`, no stack trace, no secret in any encoding. */
function expectOneLine(run: CliRun, names: string[]) {
  const output = run.stdout + run.stderr;
  expect(run.timedOut, 'the CLI hung').toBe(false);
  expect(run.code, output).toBe(2);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(lines(run.stderr), run.stderr).toHaveLength(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^--endpoint: /);
  for (const name of names) expect(run.stderr).toContain(name);
  for (const form of SECRET_FORMS) expect(output).not.toContain(form);
}

describe('a bad answer at --endpoint: one line, exit 2', { timeout: 120_000 }, () => {
  // Each CLI start costs one to three seconds on the loaded test machine: audit and run go in parallel.
  it.each(SHAPES)('$name: audit and run --target logto say what answered', async ({ handler, names }) => {
    const url = await endpoint(handler);
    const [audited, ran] = await Promise.all([audit(url), runLogto(url)]);
    expectOneLine(audited, [...names, url]);
    expectOneLine(ran, [...names, url]);
    expect(audited.stderr).toContain(`is ${url} Logto's root URL`);
  });

  it('an endpoint that never answers: a waiting line after 5 s, then exit 2 at --api-timeout naming the call', async () => {
    const url = await endpoint(() => {});
    const started = performance.now();
    const audited = await audit(url, '--api-timeout', '6');
    const elapsed = performance.now() - started;
    expect(audited.code, audited.stderr).toBe(2);
    expect(audited.stderr).not.toMatch(STACK_LINE);
    const [waiting, error, ...rest] = lines(audited.stderr);
    expect(rest).toEqual([]);
    expect(waiting).toBe(`waiting for ${url} (POST /oidc/token): 5 s, giving up at 6 s (--api-timeout)`);
    expect(error).toBe(
      `--endpoint: POST ${url}/oidc/token did not answer within 6 s (--api-timeout): is Logto up at ${url}? (GET ${url}/api/status answers 204 when it is)`,
    );
    // 6 s of waiting and a CLI start on a loaded machine (14 s at load 15); the default would wait 30 s, the old code 300.
    expect(elapsed).toBeLessThan(25_000);
    // run --target logto takes it from the environment too (the child gets this process's environment when it starts).
    process.env.HARNESS_API_TIMEOUT = '1';
    const running = runLogto(url);
    delete process.env.HARNESS_API_TIMEOUT;
    expectOneLine(await running, [`POST ${url}/oidc/token did not answer within 1 s`]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while audit waits for an endpoint: exit %i at once, one line', async (signal, code) => {
    let arrived!: () => void;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    const url = await endpoint(() => arrived());
    let sentAt = 0;
    const audited = await runCli(HARNESS_CLI, ['audit', '--endpoint', url, ...credentials], {
      timeoutMs: 45_000,
      onSpawn: (child) =>
        void waiting.then(() => {
          sentAt = performance.now();
          child.kill(signal);
        }),
    });
    expect(audited.timedOut).toBe(false);
    // The default --api-timeout is 30 s: an answer within seconds is the signal's doing.
    expect(performance.now() - sentAt).toBeLessThan(8_000);
    expect(audited.code, audited.stderr).toBe(code);
    expect(lines(audited.stderr), audited.stderr).toEqual([
      expect.stringMatching(/^interrupted \((Ctrl-C|SIGTERM)\)$/),
    ]);
  });

  it('--api-timeout takes seconds, and refuses what is not', async () => {
    const url = await endpoint(() => {});
    const [zero, word] = await Promise.all([audit(url, '--api-timeout', '0'), runLogto(url, '--api-timeout', 'soon')]);
    for (const run of [zero, word]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--api-timeout');
      expect(run.stderr).toContain('seconds, more than 0 and at most 3600');
    }
  });

  it('run --target logto: a bad answer in the middle of a scenario stops the run (exit 2) and the run still cleans up', async () => {
    const seen: string[] = [];
    const url = await endpoint((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      const route = `${request.method} ${request.url?.split('?')[0]}`;
      if (route === 'POST /oidc/token') return json(response, M2M_TOKEN);
      if (route === 'GET /api/connectors' || route === 'GET /api/applications' || route === 'GET /api/users')
        return json(response, []);
      if (route === 'GET /api/sign-in-exp')
        return json(response, { socialSignInConnectorTargets: [], socialSignIn: {} });
      if (route === 'POST /api/applications')
        return json(response, { id: 'app-1', name: 'harness-app', type: 'Traditional' });
      if (route === 'GET /api/applications/app-1/secrets')
        return json(response, [{ name: 'default', value: 'app-secret-0123456789', expiresAt: null }]);
      if (route === 'DELETE /api/applications/app-1') return send(response, 204, undefined, '');
      // The proxy's session ran out between two calls: its login page.
      return send(response, 200, 'text/html', loginPage(request));
    });
    const ran = await runLogto(url);
    expectOneLine(ran, [`POST ${url}/api/connectors answered 200 text/html`]);
    expect(seen).toContain('DELETE /api/applications/app-1');
  });
});

describe("the Account API's stored-token read", () => {
  it('an HTML answer is refused with what answered, not kept as a finding', async () => {
    const [scenario] = await loadScenarios([SCENARIO]);
    if (scenario?.idp.kind !== 'fixture') throw new Error('the standard scenario has a fixture IdP');
    const launcher = inProcessIdpLauncher();
    const idp = await launcher.launch(scenario.idp.fixture);
    try {
      const url = await endpoint((request, response) =>
        send(response, 200, 'text/html; charset=utf-8', loginPage(request)),
      );
      const management = new ManagementClient({
        endpoint: url,
        appId: APP_ID,
        appSecret: SECRET,
        resource: 'https://default.logto.app/api',
      });
      const plan = { expiries: 0 as const, why: 'the read before expiry only' };
      const userToken = 'user-access-token-0123456789';
      const reading = useStoredToken({
        endpoint: url,
        userToken,
        connectorTarget: 'harness-x-1',
        userId: 'u1',
        management,
        idp,
        plan,
        storedAt: Date.now(),
      });
      const error = await reading.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(EndpointAnswerError);
      expect((error as EndpointAnswerError).problem).toBe('html');
      expect((error as EndpointAnswerError).answer?.status).toBe(200);
      expect((error as Error).message).toContain(
        `GET ${url}/api/my-account/identities/harness-x-1/access-token answered 200 text/html`,
      );
      expect((error as Error).message).not.toContain('user-access-token-0123456789');
    } finally {
      await idp.stop();
    }
  });
});

describe("the container target's bootstrap of its M2M app", () => {
  const roles = [{ id: 'role-1', name: 'Logto Management API access' }];
  // Roles, then the application, then no secret for it.
  const noSecret: Handler = (request, response) => {
    if (request.url?.startsWith('/api/roles')) return json(response, roles);
    if (request.url === '/api/applications') return json(response, { id: 'app-1' });
    return request.url?.endsWith('/secrets') ? json(response, []) : send(response, 200, undefined, '');
  };
  const cases: Array<{ name: string; problem: AnswerProblem; handler: Handler; names: string[] }> = [
    {
      name: 'an HTML page',
      problem: 'html',
      handler: text('text/html', '<html>Sign in</html>'),
      names: ['GET', '/api/roles', '200 text/html'],
    },
    {
      name: '{}',
      problem: 'unexpected-shape',
      handler: value({}),
      names: ['/api/roles', 'not a list of machine-to-machine roles'],
    },
    { name: 'null', problem: 'unexpected-shape', handler: value(null), names: ['/api/roles', '"null"'] },
    { name: 'no role at all', problem: 'unexpected-shape', handler: value([]), names: ['/api/roles', '"[]"'] },
    {
      name: 'broken JSON',
      problem: 'not-json',
      handler: text('application/json', '[{"id":'),
      names: ['/api/roles', 'broken JSON'],
    },
    {
      name: 'a redirect to a login page',
      problem: 'redirect',
      handler: redirectTo('https://sso.example.com/login'),
      names: ['/api/roles', '302', 'https://sso.example.com/login'],
    },
    {
      name: 'an application without a secret',
      problem: 'unexpected-shape',
      handler: noSecret,
      names: ['GET', '/api/applications/app-1/secrets', "not a list of an application's secrets"],
    },
  ];
  it.each(cases)('$name: an EndpointAnswerError naming the container target', async ({ handler, problem, names }) => {
    const url = await endpoint(handler);
    const error = await bootstrapM2m(url).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EndpointAnswerError);
    expect((error as EndpointAnswerError).problem).toBe(problem);
    expect((error as EndpointAnswerError).problems[0]?.field).toBe('--target logto-container');
    for (const name of names) expect((error as Error).message).toContain(name);
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });

  it('a Logto that never answers: a timeout, not a hang', async () => {
    const url = await endpoint(() => {});
    const error = await bootstrapM2m(url, { timeoutMs: 300 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as EndpointAnswerError).problem).toBe('timeout');
    expect((error as Error).message).toContain(
      `GET ${url}/api/roles?type=MachineToMachine did not answer within 0.3 s`,
    );
  });
});

describe("Logto's own empty answers", () => {
  it('koa\'s stand-in for an empty body (201 text/plain "Created", as identification answers) is no body; other text is refused', async () => {
    const url = await endpoint((request, response) =>
      request.url === '/created'
        ? send(response, 201, 'text/plain; charset=utf-8', 'Created')
        : send(response, 201, 'text/plain', 'hello'),
    );
    const http = new LogtoHttp(url);
    expect((await http.request('POST', '/created')).body).toBeUndefined();
    await expect(http.request('POST', '/other')).rejects.toBeInstanceOf(EndpointAnswerError);
  });
});
