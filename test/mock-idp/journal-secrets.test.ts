import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type JournalEntry, type MockIdp } from '../../mock-idp/index.ts';
import { hopToRedirect, REDIRECT_URI } from '../helpers/browser-hops.ts';

/**
 * Every secret a sign-in puts on the wire, through every endpoint and every client auth method,
 * must stay out of the journal (in-process and at GET /_journal), while the journal still shows
 * enough to diagnose: which method, the decoded assertion, the parameters, the statuses.
 */

const SECRETS = {
  basic: 'journal-basic-secret-0123456789abcdef',
  post: 'journal-post-secret-0123456789abcdef',
  jwt: 'journal-jwt-secret-0123456789abcdef0123456789',
};

let idp: MockIdp;
const seenOnTheWire: string[] = [...Object.values(SECRETS)];

beforeAll(async () => {
  idp = await startMockIdp({
    clients: [
      { clientId: 'basic', clientSecret: SECRETS.basic, tokenEndpointAuthMethod: 'client_secret_basic' },
      { clientId: 'post', clientSecret: SECRETS.post, tokenEndpointAuthMethod: 'client_secret_post' },
      { clientId: 'jwt', clientSecret: SECRETS.jwt, tokenEndpointAuthMethod: 'client_secret_jwt' },
      { clientId: 'public', tokenEndpointAuthMethod: 'none', pkce: 'required' },
    ],
    users: [{ id: 'alice', profile: { sub: 'alice', name: 'Alice', email: 'alice@example.com' } }],
    defaultUser: 'alice',
    refreshTokens: { issue: 'always', rotate: true },
    userinfo: { tokenFrom: ['header', 'query'] },
  });

  // One complete life per auth method: sign-in, userinfo (header and query), refresh, revocation, logout.
  const auths: Array<[string, client.ClientAuth]> = [
    ['basic', client.ClientSecretBasic(SECRETS.basic)],
    ['post', client.ClientSecretPost(SECRETS.post)],
    ['jwt', captureAssertion(client.ClientSecretJwt(SECRETS.jwt))],
    ['public', client.None()],
  ];
  for (const [clientId, auth] of auths) {
    const config = await client.discovery(new URL(idp.issuer), clientId, { redirect_uris: [REDIRECT_URI] }, auth, {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      state: 'journal-state',
      // A customConfig-like extra parameter, as Logto's connector would add.
      audience: 'https://api.example.com',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await hopToRedirect(url, REDIRECT_URI);
    seenOnTheWire.push(callback.searchParams.get('code')!, verifier);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'journal-state',
    });
    seenOnTheWire.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!);
    await client.fetchUserInfo(config, tokens.access_token, 'alice');
    await fetch(`${idp.endpoints.userinfo}?access_token=${encodeURIComponent(tokens.access_token)}`);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    seenOnTheWire.push(refreshed.access_token, refreshed.refresh_token!);
    if (refreshed.id_token) seenOnTheWire.push(refreshed.id_token);
    await client.tokenRevocation(config, refreshed.refresh_token!, { token_type_hint: 'refresh_token' });
    await fetch(
      client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT_URI }),
      { redirect: 'manual' },
    );
  }
});
afterAll(() => idp.stop());

const assertions: string[] = [];
function captureAssertion(auth: client.ClientAuth): client.ClientAuth {
  // openid-client types ClientAuth as returning void, yet awaits it (oauth4webapi: void | Promise<void>).
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  return async (as, metadata, body, headers) => {
    // eslint-disable-next-line @typescript-eslint/await-thenable
    await auth(as, metadata, body, headers);
    const assertion = body.get('client_assertion');
    if (assertion) {
      assertions.push(assertion);
      seenOnTheWire.push(assertion);
    }
  };
}

const tokenEntries = (clientId: string): JournalEntry[] =>
  idp.journal.entries().filter((entry) => entry.endpoint === 'token' && entry.clientAuth?.clientId === clientId);

describe('journal secrets', () => {
  it('captured every secret the flows put on the wire (so the next assertion means something)', () => {
    // 3 secrets + per client: code, verifier, access, refresh, id_token, refreshed access + refresh (+ id_token), + one assertion per jwt call.
    expect(seenOnTheWire.filter(Boolean).length).toBeGreaterThanOrEqual(3 + 4 * 7 + 2);
    expect(assertions.length).toBe(3); // code grant, refresh, revocation
  });

  it.each([
    ['in-process journal', () => JSON.stringify(idp.journal.entries())],
    ['GET /_journal', async () => (await fetch(`${idp.issuer}/_journal`)).text()],
  ])('no raw secret, code, verifier, assertion or token appears in the %s', async (_where, read) => {
    const serialized = await read();
    const leaked = seenOnTheWire.filter((secret) => secret && serialized.includes(secret));
    expect(leaked.map((secret) => `${secret.slice(0, 12)}…`)).toEqual([]);
  });

  it('still shows the masked shape: a prefix and the length, not the value', () => {
    const post = tokenEntries('post')[0]!;
    expect(post.params.client_secret).toMatch(/^.{4}…\(\d+\)$|^\*\*\*\(\d+\)$/);
    expect(post.params.client_secret).not.toBe(SECRETS.post);
    const body = post.response.body as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(String(body.access_token)).toMatch(/…\(\d+\)$/);
  });
});

describe('journal contents', () => {
  it('records authorize, token, userinfo, refresh, revocation and end session in order', () => {
    const sequence = idp.journal
      .entries()
      .filter((entry) => ['authorize', 'token', 'userinfo', 'revocation', 'end_session'].includes(entry.endpoint))
      .map((entry) => entry.endpoint);
    const perClient = ['authorize', 'token', 'userinfo', 'userinfo', 'token', 'revocation', 'end_session'];
    // The authorize endpoint is hit twice per sign-in (the request, then the resume after login).
    const collapsed = sequence.filter(
      (endpoint, index) => !(endpoint === 'authorize' && sequence[index - 1] === 'authorize'),
    );
    expect(collapsed).toEqual([...perClient, ...perClient, ...perClient, ...perClient]);
    const seqs = idp.journal.entries().map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('shows the extra authorize parameters as received', () => {
    const authorize = idp.journal.entries().find((entry) => entry.endpoint === 'authorize')!;
    expect(authorize.params).toMatchObject({
      client_id: 'basic',
      audience: 'https://api.example.com',
      state: 'journal-state',
      code_challenge_method: 'S256',
    });
  });

  it.each([
    ['basic', 'client_secret_basic'],
    ['post', 'client_secret_post'],
    ['jwt', 'client_secret_jwt'],
    ['public', 'none'],
  ] as const)('token requests of %s record method %s for both grants', (clientId, method) => {
    const entries = tokenEntries(clientId);
    expect(entries.map((entry) => entry.params.grant_type)).toEqual(['authorization_code', 'refresh_token']);
    for (const entry of entries) {
      expect(entry.clientAuth).toMatchObject({ method, expected: method, clientId });
      expect(entry.response.status).toBe(200);
    }
  });

  it('decodes the client assertion: header, claims, verified', () => {
    const [entry] = tokenEntries('jwt');
    const assertion = entry!.clientAuth!.assertion!;
    expect(assertion.verified).toBe(true);
    expect(assertion.error).toBeUndefined();
    expect(assertion.header.alg).toBe('HS256');
    expect(assertion.claims).toMatchObject({ iss: 'jwt', sub: 'jwt' });
    expect(typeof assertion.claims.jti).toBe('string');
    expect(typeof assertion.claims.exp).toBe('number');
    expect([idp.issuer, idp.endpoints.token]).toContainEqual(assertion.claims.aud);
  });

  it('masks the code in the redirect location but keeps the rest', () => {
    const redirect = idp.journal.entries().find((entry) => entry.response.location?.startsWith(REDIRECT_URI))!;
    const location = new URL(redirect.response.location!);
    expect(location.searchParams.get('state')).toBe('journal-state');
    expect(location.searchParams.get('code')).toMatch(/…\(\d+\)$|\*\*\*/);
  });
});
