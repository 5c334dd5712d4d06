import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockIdp, type JournalEntry, type MockIdp } from '../../mock-idp/index.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';

/**
 * What a hostile client does to the server itself: odd Authorization headers, a secret sent as a
 * JSON body, a redirect_uri that is not a URL, a connection dropped mid-upload. Each gets a 4xx
 * and an honest journal entry, never a 500, a stack trace or a secret in the journal.
 */

const SECRET = 'robust-secret-0123456789abcdef';
let idp: MockIdp;
const logs: string[] = [];

beforeAll(async () => {
  idp = await startMockIdp(
    {
      clients: [
        { clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
        { clientId: 'p', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' },
      ],
      users: [{ id: 'alice', profile: { sub: 'alice' } }],
      defaultUser: 'alice',
    },
    { log: (line) => logs.push(line) },
  );
});
afterAll(() => idp.stop());

// After every hostile request the server must still serve, and must not have logged a bug.
afterEach(async () => {
  expect((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  expect(logs.filter((line) => /internal error|server_error|\n\s+at /.test(line))).toEqual([]);
});

const lastEntry = (path: string): JournalEntry => idp.journal.entries().findLast((entry) => entry.path === path)!;
const journalText = async () =>
  `${JSON.stringify(idp.journal.entries())}\n${await (await fetch(`${idp.issuer}/_journal`)).text()}`;

async function accessToken(): Promise<string> {
  const url = new URL(idp.endpoints.authorization);
  for (const [key, value] of Object.entries({
    response_type: 'code',
    client_id: 'c',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
  }))
    url.searchParams.set(key, value);
  const code = (await hopToRedirect(url, REDIRECT_URI)).searchParams.get('code')!;
  const response = await postForm(
    idp.endpoints.token,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
    { authorization: basic('c', SECRET) },
  );
  expect(response.status).toBe(200);
  return (response.json() as { access_token: string }).access_token;
}

describe('the journal masks every Authorization header, whatever its shape', () => {
  it('a bearer token after a tab, which userinfo accepts', async () => {
    const token = await accessToken();
    const response = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer\t${token}` } });
    expect(response.status).toBe(200);
    expect(await journalText()).not.toContain(token);
    expect(lastEntry('/userinfo').headers.authorization).toMatch(/^Bearer .{4}…\(\d+\)$/);
  });

  it('a Basic secret after a tab', async () => {
    const credentials = Buffer.from(`c:${SECRET}`).toString('base64');
    await postForm(
      idp.endpoints.token,
      { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI },
      { authorization: `Basic\t${credentials}` },
    );
    const text = await journalText();
    expect(text).not.toContain(credentials);
    expect(text).not.toContain(SECRET);
    expect(lastEntry('/token').headers.authorization).toBe(`Basic ${credentials.slice(0, 4)}…(${credentials.length})`);
  });

  it('a value without a scheme', async () => {
    const token = await accessToken();
    await fetch(idp.endpoints.userinfo, { headers: { authorization: token } });
    expect(await journalText()).not.toContain(token);
    expect(lastEntry('/userinfo').headers.authorization).toBe(`${token.slice(0, 4)}…(${token.length})`);
  });

  it('a scheme-like first word that is not a known scheme', async () => {
    await fetch(idp.endpoints.userinfo, { headers: { authorization: `${SECRET} and-more` } });
    expect(await journalText()).not.toContain(SECRET);
  });
});

describe('a body that is not JSON under a JSON content type', () => {
  it.each([
    ['a bare secret', 'dev-secret-change-me'],
    ['a secret in a broken object', '{"client_id": "p", "client_secret": dev-secret-change-me}'],
  ])('is refused without quoting it: %s', async (_what, body) => {
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; error_description: string };
    expect(answer.error).toBe('invalid_request');
    expect(answer.error_description).toContain('not valid JSON');
    expect(answer.error_description).not.toContain('secret');
    expect(await journalText()).not.toContain('dev-secret');
  });
});

describe('a redirect_uri that is not a URL, for a client without registered redirect URIs', () => {
  it.each(['http://[::1', 'http://[', 'http://exa%mple.com/'])(
    '%s gets 400 invalid_redirect_uri, journaled as such',
    async (redirectUri) => {
      const url = new URL(idp.endpoints.authorization);
      for (const [key, value] of Object.entries({
        response_type: 'code',
        client_id: 'c',
        redirect_uri: redirectUri,
        scope: 'openid',
      }))
        url.searchParams.set(key, value);
      // Followed like a browser would: the 500 used to come after sign-in, when redirecting back.
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_redirect_uri');
      expect(lastEntry('/authorize').response.status).toBe(400);
    },
  );
});

describe('a client that disconnects mid-upload', () => {
  /** Declares 1000 bytes, sends a few, then closes (FIN) or resets (RST) the connection. */
  const abandonUpload = (how: 'close' | 'reset') =>
    new Promise<void>((resolve, reject) => {
      const { hostname, port } = new URL(idp.issuer);
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `POST /token HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
            `Content-Length: 1000\r\n\r\ngrant_type=authorization_code&code=`,
        );
        setTimeout(() => (how === 'reset' ? socket.resetAndDestroy() : socket.destroy()), 50);
      });
      socket.once('close', () => resolve());
      socket.once('error', reject);
    });

  it.each(['close', 'reset'] as const)(
    '(%s) is journaled as a 400 the client never read, without a stack trace',
    async (how) => {
      const printed = vi.spyOn(console, 'error');
      try {
        const before = idp.journal.entries().at(-1)?.seq ?? 0;
        await abandonUpload(how);
        await vi.waitFor(
          () => expect(idp.journal.entries().some((entry) => entry.seq > before && entry.path === '/token')).toBe(true),
          { timeout: 3000 },
        );
        const entry = lastEntry('/token');
        expect(entry.response.status).toBe(400);
        expect(entry.clientClosed).toBe(true);
        expect((entry.response.body as { error_description: string }).error_description).toMatch(
          /closed the connection after \d+ of 1000 bytes/,
        );
        // koa prints socket errors to stderr on its own unless told otherwise.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(printed.mock.calls.map((call) => String(call[0]))).toEqual([]);
      } finally {
        printed.mockRestore();
      }
    },
  );
});
