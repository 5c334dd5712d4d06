import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
// @ts-expect-error oidc-provider ships no types for its helpers; this one is `export default new AsyncLocalStorage()`.
import requestContext from 'oidc-provider/lib/helpers/als.js';
import { describe, expect, it } from 'vitest';
import { pipelinesOf } from '../helpers/pipelines-of.ts';
import { SHIPPED_FIXTURES } from '../helpers/shipped-fixtures.ts';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { loadFixture } from '../../mock-idp/fixture/load.ts';
import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import { runRequestsWithoutContext } from '../../mock-idp/server/provider-context.ts';
import { basic, REDIRECT_URI } from '../helpers/browser-hops.ts';

/**
 * The shortcuts listed in mock-idp/server/front-door.ts answer what koa and oidc-provider answer:
 * the userinfo fast path against the koa route, requests without oidc-provider's request context
 * against requests with it. (Discovery and JWKS: static-metadata.test.ts; the start: startup.test.ts.)
 */

interface Wire {
  status: number;
  /** Lowercase names in the order sent, values as sent; not the per-request Date and connection headers. */
  headers: string[];
  body: string;
  /** How content-length was spelt: koa writes `Content-Length`, a direct answer `content-length`. */
  lengthSpelt?: string;
}

function send(url: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const call = request(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const headers: string[] = [];
        let lengthSpelt: string | undefined;
        for (let index = 0; index < response.rawHeaders.length; index += 2) {
          const name = response.rawHeaders[index]!;
          if (name.toLowerCase() === 'content-length') lengthSpelt = name;
          if (!['date', 'connection', 'keep-alive'].includes(name.toLowerCase()))
            headers.push(`${name.toLowerCase()}: ${response.rawHeaders[index + 1]}`);
        }
        resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString(), lengthSpelt });
      });
    });
    call.on('error', reject);
    call.end(body);
  });
}

/** Values that differ from one IdP (or one sign-in) to the next: tokens, codes, uids, ports, times. */
const normalized = (text: string, idp: MockIdp) =>
  text
    .replaceAll(idp.issuer, 'ISSUER')
    .replaceAll(encodeURIComponent(idp.issuer), 'ISSUER')
    .replace(/[A-Za-z0-9+/=_-]{4}…\(\d+\)/g, '<masked>')
    // Long runs with a capital or a digit: header names such as access-control-allow-origin stay.
    .replace(/(?=[A-Za-z0-9_-]*[A-Z0-9])[A-Za-z0-9_-]{20,}/g, '<random>')
    .replace(/expires=[^;]+/g, 'expires=<time>');

/** A sign-in by code with the fixture's first client, for fixtures that need nothing else. */
async function accessToken(idp: MockIdp, fixture: Fixture): Promise<string | undefined> {
  const client = fixture.clients[0]!;
  const simple =
    ['client_secret_basic', 'client_secret_post', 'none'].includes(client.tokenEndpointAuthMethod) &&
    !fixture.clientParamNames &&
    Object.keys(fixture.requiredParams.authorize).length === 0 &&
    Object.keys(fixture.requiredParams.token).length === 0 &&
    fixture.faults.length === 0;
  if (!simple) return undefined;
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(idp.endpoints.authorization);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUris?.[0] ?? REDIRECT_URI,
    scope: 'openid',
    state: 's',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(name, value);
  const cookies = new Map<string, string>();
  let at = url.href;
  for (let hop = 0; hop < 10 && !at.startsWith(client.redirectUris?.[0] ?? REDIRECT_URI); hop += 1) {
    const response = await fetch(at, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    await response.arrayBuffer();
    at = new URL(response.headers.get('location') ?? '', at).href;
  }
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: new URL(at).searchParams.get('code') ?? '',
    redirect_uri: client.redirectUris?.[0] ?? REDIRECT_URI,
    code_verifier: verifier,
    ...(client.tokenEndpointAuthMethod === 'client_secret_basic' ? {} : { client_id: client.clientId }),
    ...(client.tokenEndpointAuthMethod === 'client_secret_post' ? { client_secret: client.clientSecret! } : {}),
  });
  const answer = await fetch(idp.endpoints.token, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(client.tokenEndpointAuthMethod === 'client_secret_basic'
        ? { authorization: basic(client.clientId, client.clientSecret!) }
        : {}),
    },
    body: form,
  });
  const text = await answer.text();
  const token = text.startsWith('{')
    ? (JSON.parse(text) as { access_token?: string }).access_token
    : new URLSearchParams(text).get('access_token');
  if (!token) throw new Error(`no access token from ${idp.endpoints.token}: ${answer.status} ${text.slice(0, 200)}`);
  return token;
}

/** The bodiless requests the fast path takes, each answered and journaled. */
async function userinfoExchanges(idp: MockIdp, fixture: Fixture): Promise<{ wires: Wire[]; journal: string[] }> {
  const token = await accessToken(idp, fixture);
  await fetch(`${idp.issuer}/_journal`, { method: 'DELETE' });
  const url = idp.endpoints.userinfo;
  const wires = [
    await send(url),
    await send(url, 'GET', { authorization: 'Bearer unknown-token' }),
    await send(`${url}?access_token=unknown-token`),
    await send(url, 'POST', { authorization: 'Bearer unknown-token' }),
    ...(token
      ? [
          await send(url, 'GET', { authorization: `Bearer ${token}` }),
          await send(`${url}?access_token=${token}`, 'POST'),
          await send(`${url}?access_token=${token}&extra=1`, 'GET', { authorization: `bearer ${token}` }),
        ]
      : []),
  ];
  const journal = idp.journal
    .entries()
    .filter((entry) => entry.endpoint === 'userinfo')
    .map(({ seq: _seq, at: _at, durationMs: _duration, ...entry }) => normalized(JSON.stringify(entry), idp));
  return { wires: wires.map((wire) => ({ ...wire, body: normalized(wire.body, idp) })), journal };
}

const SHIPPED = SHIPPED_FIXTURES;

describe('the userinfo fast path answers as the koa route does', () => {
  it.each(SHIPPED)('%s', async (file) => {
    const fixture: Fixture = { ...(await loadFixture(file)), faults: [] };
    // A fault that never fires sends every userinfo request through koa; nothing else changes.
    const throughKoa: Fixture = { ...fixture, faults: [{ endpoint: 'userinfo', latencyMs: 0, nth: 1_000_000 }] };
    const direct = await startMockIdp(fixture);
    const koa = await startMockIdp(throughKoa);
    try {
      const fast = await userinfoExchanges(direct, fixture);
      const routed = await userinfoExchanges(koa, fixture);
      expect(routed.wires.map((wire) => wire.lengthSpelt)).toEqual(routed.wires.map(() => 'Content-Length'));
      // Served directly exactly when no quirk has a say in the answer; through koa (as `routed`) otherwise.
      const direction = pipelinesOf(fixture).userinfo.length === 0 ? 'content-length' : 'Content-Length';
      expect(fast.wires.map((wire) => wire.lengthSpelt)).toEqual(fast.wires.map(() => direction));
      expect(fast.wires.map(({ lengthSpelt: _spelt, ...wire }) => wire)).toEqual(
        routed.wires.map(({ lengthSpelt: _spelt, ...wire }) => wire),
      );
      expect(fast.journal).toEqual(routed.journal);
      expect(fast.journal).toHaveLength(fast.wires.length);
    } finally {
      await Promise.all([direct.stop(), koa.stop()]);
    }
  });
});

interface Storage {
  run: (...args: unknown[]) => unknown;
}

/** A sign-in, a token, userinfo through koa, a refresh, a revocation and a sign-out, as seen on the wire. */
async function wholeFlow(idp: MockIdp): Promise<string[]> {
  const seen: string[] = [];
  const note = (what: string, wire: Wire) =>
    seen.push(`${what} ${wire.status} ${wire.headers.join(' | ')} ${wire.body}`.replace(/\s+/g, ' '));
  const secret = idp.fixture.clients.find((client) => client.clientId === 'logto-basic')!.clientSecret!;
  const auth = { authorization: basic('logto-basic', secret), 'content-type': 'application/x-www-form-urlencoded' };
  const authorize = new URLSearchParams({
    response_type: 'code',
    client_id: 'logto-basic',
    redirect_uri: REDIRECT_URI,
    scope: 'openid offline_access profile',
    state: 's',
    prompt: 'consent',
  });
  let at = `${idp.endpoints.authorization}?${authorize.toString()}`;
  const cookies = new Map<string, string>();
  for (let hop = 0; hop < 10 && !at.startsWith(REDIRECT_URI); hop += 1) {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const wire = await send(at, 'GET', cookie ? { cookie } : {});
    note(`hop ${hop}`, wire);
    for (const line of wire.headers.filter((header) => header.startsWith('set-cookie: '))) {
      const [pair = ''] = line.slice('set-cookie: '.length).split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const location = wire.headers.find((header) => header.startsWith('location: '))?.slice('location: '.length);
    at = new URL(location ?? '', at).href;
  }
  const code = new URL(at).searchParams.get('code')!;
  const tokenWire = await send(
    idp.endpoints.token,
    'POST',
    auth,
    new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).toString(),
  );
  note('token', tokenWire);
  const tokens = JSON.parse(tokenWire.body) as { access_token: string; refresh_token: string; id_token: string };
  note(
    'userinfo',
    await send(
      idp.endpoints.userinfo,
      'POST',
      { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      'a=b',
    ),
  );
  note(
    'refresh',
    await send(
      idp.endpoints.token,
      'POST',
      auth,
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }).toString(),
    ),
  );
  note(
    'reused code',
    await send(
      idp.endpoints.token,
      'POST',
      auth,
      new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).toString(),
    ),
  );
  note('revoke', await send(idp.endpoints.revocation, 'POST', auth, `token=${tokens.access_token}`));
  note('sign out', await send(`${idp.endpoints.endSession}?id_token_hint=${tokens.id_token}`));
  return seen.map((line) => normalized(line, idp));
}

describe("requests without oidc-provider's request context (AsyncLocalStorage)", () => {
  it('answer a whole flow as they do with it', async () => {
    const storage = requestContext as AsyncLocalStorage<unknown> & Storage;
    const idp = await startMockIdp(await loadFixture('fixtures/default.yaml'));
    try {
      expect(Object.hasOwn(storage, 'run')).toBe(true);
      const without = await wholeFlow(idp);
      // AsyncLocalStorage's own run again (counted): oidc-provider's request context is on.
      let contexts = 0;
      const realRun = AsyncLocalStorage.prototype.run.bind(storage) as Storage['run'];
      storage.run = (...args: unknown[]) => {
        contexts += 1;
        return realRun(...args);
      };
      const withContext = await wholeFlow(idp);
      expect(contexts).toBeGreaterThan(6);
      expect(without).toEqual(withContext);
      expect(without.length).toBeGreaterThan(6);
    } finally {
      runRequestsWithoutContext();
      await idp.stop();
    }
  });
});
