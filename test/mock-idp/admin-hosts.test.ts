import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { freePort } from '../../lib/free-port.ts';
import { UserError } from '../../lib/user-error.ts';
import { MOCK_IDP_CLI, STACK_LINE, runCli } from '../helpers/spawn-cli.ts';
import { quirkFixture, tokensFor } from '../helpers/raw-flow.ts';

// A page on evil.example whose name a DNS rebinding points at 127.0.0.1 reaches the IdP's port with
// `Host: evil.example`: it must not read the journal or change users. Logto in a container reaches
// the OAuth endpoints through a container name, so they answer any Host.

interface Answer {
  status: number;
  body: string;
}

/** A raw request with whatever Host (fetch forbids setting it); `path` may be absolute-form. */
function send(
  port: number,
  method: string,
  path: string,
  host: string,
  options: { body?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const call = request(
      { host: '127.0.0.1', port, method, path, headers: { host, ...options.headers } },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    call.once('error', reject).end(options.body);
  });
}

const portOf = (idp: MockIdp) => Number(new URL(idp.issuer).port);
const PATCH = JSON.stringify({ profile: { sub: 'alice', name: 'Changed By A Page' } });

/** Every admin request a rebinding page would make: the journal (JSON and its page), a clear, a user change, health. */
const adminRequests = (port: number, host: string) => [
  send(port, 'GET', '/_journal', host),
  send(port, 'GET', '/_journal?since=0&endpoint=token', host, { headers: { accept: 'text/html' } }),
  send(port, 'DELETE', '/_journal', host),
  send(port, 'PUT', '/_users/alice', host, { body: PATCH, headers: { 'content-type': 'application/json' } }),
  send(port, 'GET', '/_health', host),
];

function expectRefused(answer: Answer, host: string) {
  expect(answer.status, answer.body).toBe(403);
  const body = JSON.parse(answer.body) as { error: string; error_description: string; allowed_hosts: string[] };
  expect(body.error).toBe('host_not_allowed');
  expect(body.error_description).toContain(JSON.stringify(host));
  expect(body.error_description).toContain('--allowed-host');
  expect(body.error_description).toContain('MOCK_IDP_ALLOWED_HOSTS');
  expect(body.allowed_hosts).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '[::1]']));
}

let idp: MockIdp | undefined;
afterEach(async () => {
  await idp?.stop();
  idp = undefined;
});

describe('the /_ routes answer only names of the IdP', () => {
  it('refuses the journal, its page, a clear and a user change under a foreign Host, changing nothing', async () => {
    idp = await startMockIdp(quirkFixture());
    const port = portOf(idp);
    await tokensFor(idp);
    const journaled = idp.journal.entries().length;
    expect(journaled).toBeGreaterThan(0);

    for (const host of [`evil.example:${port}`, 'evil.example', 'localhost.evil.example', `127.0.0.1.nip.io:${port}`]) {
      for (const answer of await Promise.all(adminRequests(port, host))) expectRefused(answer, host);
    }
    // Absolute form names the target itself: its name counts as much as the Host header.
    expectRefused(
      await send(port, 'GET', `http://evil.example:${port}/_journal`, `127.0.0.1:${port}`),
      `evil.example:${port}`,
    );

    expect(idp.journal.entries().length).toBe(journaled);
    const { access_token: accessToken } = (await tokensFor(idp)).json() as { access_token: string };
    const profile = (await (
      await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${accessToken}` } })
    ).json()) as { name: string };
    expect(profile.name).toBe('Alice');
  });

  it("answers under localhost, 127.0.0.1, [::1] (any port, any case) and the issuer's host", async () => {
    idp = await startMockIdp(quirkFixture());
    const port = portOf(idp);
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      'localhost',
      'LOCALHOST:1',
      new URL(idp.issuer).host,
    ]) {
      const journal = await send(port, 'GET', '/_journal', host);
      expect(journal.status, `${host}: ${journal.body}`).toBe(200);
      expect(JSON.parse(journal.body)).toBeInstanceOf(Array);
    }
    expect(
      (
        await send(port, 'PUT', '/_users/alice', `localhost:${port}`, {
          body: PATCH,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(204);
    expect((await send(port, 'DELETE', '/_journal', `127.0.0.1:${port}`)).status).toBe(204);
  });

  it('with an issuer option (the container suites), its host is allowed at any port (Docker maps it); others are not', async () => {
    const port = await freePort();
    idp = await startMockIdp(quirkFixture(), { port, issuer: 'http://idp-0a1b2c3d:4000' });
    expect((await send(port, 'GET', '/_journal', 'idp-0a1b2c3d:4000')).status).toBe(200);
    expect((await send(port, 'GET', '/_journal', `idp-0a1b2c3d:${port}`)).status).toBe(200);
    expect(
      (
        await send(port, 'PUT', '/_users/alice', 'idp-0a1b2c3d:4000', {
          body: PATCH,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(204);
    expectRefused(await send(port, 'GET', '/_journal', 'idp-ffffffff:4000'), 'idp-ffffffff:4000');
  });

  it('allowedHosts adds names; a value that is no host name is refused before listening', async () => {
    idp = await startMockIdp(quirkFixture(), { allowedHosts: ['journal.lan:4000', 'Other.LAN'] });
    const port = portOf(idp);
    expect((await send(port, 'GET', '/_journal', 'journal.lan')).status).toBe(200);
    expect((await send(port, 'GET', '/_journal', `other.lan:${port}`)).status).toBe(200);
    expectRefused(await send(port, 'GET', '/_journal', 'evil.example'), 'evil.example');
    await expect(startMockIdp(quirkFixture(), { allowedHosts: ['a/b'] })).rejects.toThrow(UserError);
  });
});

describe('the OAuth endpoints answer any Host', () => {
  it('discovery, JWKS, authorize, token and userinfo (the fast paths too) answer evil.example as usual', async () => {
    idp = await startMockIdp(quirkFixture());
    const port = portOf(idp);
    const host = 'evil.example';
    expect((await send(port, 'GET', '/.well-known/openid-configuration', host)).status).toBe(200);
    expect((await send(port, 'GET', '/jwks', host)).status).toBe(200);
    const authorize = await send(
      port,
      'GET',
      '/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2Flocalhost%3A3001%2Fcallback&scope=openid&state=s',
      host,
    );
    expect([302, 303]).toContain(authorize.status);
    const token = await send(port, 'POST', '/token', host, {
      body: 'grant_type=authorization_code&code=nope',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(JSON.parse(token.body)).toMatchObject({ error: expect.stringMatching(/^invalid_/) });
    const userinfo = await send(port, 'GET', '/userinfo', host);
    expect(userinfo.status).toBe(401);
    expect(JSON.parse(userinfo.body)).toMatchObject({ error: 'invalid_token' });
  });

  it('a userinfo path under /_ stays an OAuth endpoint; the journal next to it does not', async () => {
    idp = await startMockIdp(quirkFixture({ userinfo: { path: '/_api/me' } }));
    const port = portOf(idp);
    const userinfo = await send(port, 'GET', '/_api/me', 'idp.internal');
    expect(userinfo.status, userinfo.body).toBe(401);
    expect(JSON.parse(userinfo.body)).toMatchObject({ error: 'invalid_token' });
    expectRefused(await send(port, 'GET', '/_journal', 'idp.internal'), 'idp.internal');
  });
});

describe('mock-idp serve --allowed-host', () => {
  it('adds names from the option and from MOCK_IDP_ALLOWED_HOSTS', async () => {
    const answers: Record<string, number> = {};
    const previous = process.env.MOCK_IDP_ALLOWED_HOSTS;
    process.env.MOCK_IDP_ALLOWED_HOSTS = 'env-one.lan, env-two.lan';
    let asked = false;
    const run = await runCli(
      MOCK_IDP_CLI,
      ['serve', 'fixtures/default.yaml', '--port', '0', '--quiet', '--allowed-host', 'cli.lan'],
      {
        onStdout: (text, child) => {
          const issuer = /issuer\s+(\S+)/.exec(text)?.[1];
          if (!issuer || asked) return;
          asked = true;
          const port = Number(new URL(issuer).port);
          void Promise.all(
            ['cli.lan', 'env-one.lan', 'env-two.lan', 'evil.example'].map(
              async (host) => (answers[host] = (await send(port, 'GET', '/_journal', host)).status),
            ),
          ).finally(() => child.kill('SIGTERM'));
        },
      },
    ).finally(() =>
      previous === undefined
        ? delete process.env.MOCK_IDP_ALLOWED_HOSTS
        : (process.env.MOCK_IDP_ALLOWED_HOSTS = previous),
    );
    expect(run.timedOut).toBe(false);
    expect(answers).toEqual({ 'cli.lan': 200, 'env-one.lan': 200, 'env-two.lan': 200, 'evil.example': 403 });
  });

  it('a value that is no host name: one line naming the option, exit 2', async () => {
    const run = await runCli(MOCK_IDP_CLI, [
      'serve',
      'fixtures/default.yaml',
      '--port',
      '0',
      '--allowed-host',
      'http://idp.lan/path',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--allowed-host: "http://idp.lan/path" is not a host name');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});
