/**
 * The recording proxy journals a request through mock-idp's own code: the same request, once
 * through the proxy in front of a real oidc-provider (the mock IdP) and once as that IdP received
 * it, leaves journal entries that agree in every field both keep. Real HTTP on 127.0.0.1.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from '../../../harness/record/proxy.ts';
import type { ClientAuthMethod } from '../../../mock-idp/fixture/schema.ts';
import { parseFixture, startMockIdp, type MockIdp } from '../../../mock-idp/index.ts';
import type { ClientAuthRecord, JournalEntry } from '../../../mock-idp/journal.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from '../../helpers/browser-hops.ts';

const CLIENT_ID = 'proxy-journal-client';
const SECRET = 'proxy-journal-secret-0c9f2e7d41b8a3';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

async function idpFor(method: ClientAuthMethod): Promise<MockIdp> {
  const idp = await startMockIdp(
    parseFixture({
      clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, tokenEndpointAuthMethod: method }],
      users: [{ id: 'jane', profile: { sub: 'jane', name: 'Jane Roe', email: 'jane@example.test' } }],
      defaultUser: 'jane',
    }),
    { port: 0 },
  );
  stops.push(() => idp.stop());
  return idp;
}

async function proxyFor(idp: MockIdp): Promise<RecordingProxy> {
  const proxy = await startRecordingProxy(
    { token: idp.endpoints.token, userinfo: idp.endpoints.userinfo },
    { timeoutMs: 5000, client: { clientId: CLIENT_ID, clientSecret: SECRET } },
  );
  stops.push(() => proxy.close());
  return proxy;
}

/** A code for the client, fetched at the IdP's authorize endpoint as a browser would. */
async function codeFrom(idp: MockIdp, verifier: string): Promise<string> {
  const url = new URL(idp.endpoints.authorization);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state: 'proxy-journal-state',
    nonce: 'proxy-journal-nonce',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const callback = await hopToRedirect(url, REDIRECT_URI);
  return callback.searchParams.get('code')!;
}

/** The client's credentials as a connector sends them, to the token endpoint it knows: the proxy. */
async function authenticated(
  method: ClientAuthMethod,
  proxy: RecordingProxy,
  form: Record<string, string>,
  { withClientId = true } = {},
): Promise<{ form: Record<string, string>; headers: Record<string, string> }> {
  switch (method) {
    case 'client_secret_basic':
      return { form, headers: { authorization: basic(CLIENT_ID, SECRET) } };
    case 'client_secret_post':
      return { form: { ...form, client_id: CLIENT_ID, client_secret: SECRET }, headers: {} };
    default: {
      const assertion = await new SignJWT({ jti: randomBytes(8).toString('hex') })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(CLIENT_ID)
        .setSubject(CLIENT_ID)
        .setAudience(proxy.urls.token)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(new TextEncoder().encode(SECRET));
      // RFC 7523 §3: client_id is optional beside an assertion, whose `sub` names the client.
      const jwt = {
        ...(withClientId ? { client_id: CLIENT_ID } : {}),
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      };
      return { form: { ...form, ...jwt }, headers: {} };
    }
  }
}

/**
 * The fields a live entry and a replayed one both keep: `seq`, `at` and `durationMs` are the journal's own;
 * oidc-provider's reason (`errorDetail`) and the client's registered method (`expected`) only the mock IdP knows.
 */
type Shared = Omit<JournalEntry, 'seq' | 'at' | 'durationMs' | 'errorDetail' | 'clientAuth'> & {
  clientAuth?: Omit<ClientAuthRecord, 'expected'>;
};
const shared = (entry: JournalEntry | undefined): Shared | undefined => {
  if (!entry) return undefined;
  const { seq: _seq, at: _at, durationMs: _duration, errorDetail: _detail, clientAuth, ...rest } = entry;
  if (!clientAuth) return rest;
  const { expected: _registered, ...seen } = clientAuth;
  return { ...rest, clientAuth: seen };
};

const lastAt = async (entries: readonly JournalEntry[] | Promise<readonly JournalEntry[]>, endpoint: string) =>
  (await entries).filter((entry) => entry.endpoint === endpoint).at(-1);

describe('the recording proxy journals a request as the mock IdP does', () => {
  it.each<ClientAuthMethod>(['client_secret_basic', 'client_secret_post'])(
    'a %s code exchange, then userinfo',
    async (method) => {
      const idp = await idpFor(method);
      const proxy = await proxyFor(idp);
      const verifier = randomBytes(32).toString('base64url');
      const code = await codeFrom(idp, verifier);
      const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
      const { form, headers } = await authenticated(method, proxy, base);
      const token = await postForm(proxy.urls.token, form, headers);
      expect(token.status, token.text).toBe(200);
      const accessToken = (token.json() as { access_token: string }).access_token;
      const userinfo = await fetch(proxy.urls.userinfo, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(userinfo.status).toBe(200);

      const live = await lastAt(proxy.journal.readAfter(0), 'token');
      const replayed = await lastAt(idp.journal.entries(), 'token');
      expect(live?.clientAuth?.method).toBe(method);
      expect(live?.clientAuth?.clientId).toBe(CLIENT_ID);
      expect(shared(live)).toEqual(shared(replayed));
      // Masked alike: no secret, code or token is in either entry as sent.
      for (const secret of [SECRET, code, accessToken]) expect(JSON.stringify(live)).not.toContain(secret);
      expect(live?.idToken?.claims.sub).toBe('jane');

      const liveUserinfo = await lastAt(proxy.journal.readAfter(0), 'userinfo');
      expect(liveUserinfo?.headers.authorization).toMatch(/^Bearer .*\(\d+\)$/);
      expect(shared(liveUserinfo)).toEqual(shared(await lastAt(idp.journal.entries(), 'userinfo')));
    },
  );

  it.each([
    ['with client_id', true],
    ['without client_id (the assertion names the client)', false],
  ])(
    'a client_secret_jwt code exchange %s: the assertion is checked and re-addressed to the IdP, the rest alike',
    async (_name, withClientId) => {
      const idp = await idpFor('client_secret_jwt');
      const proxy = await proxyFor(idp);
      const verifier = randomBytes(32).toString('base64url');
      const code = await codeFrom(idp, verifier);
      const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
      const { form, headers } = await authenticated('client_secret_jwt', proxy, base, { withClientId });
      const token = await postForm(proxy.urls.token, form, headers);
      expect(token.status, token.text).toBe(200);

      const live = shared(await lastAt(proxy.journal.readAfter(0), 'token'))!;
      const replayed = shared(await lastAt(idp.journal.entries(), 'token'))!;
      // The assertion the connector addressed to the proxy, and the one the IdP received: the same claims but `aud`.
      const { aud: liveAudience, ...liveClaims } = live.clientAuth!.assertion!.claims;
      const { aud: idpAudience, ...idpClaims } = replayed.clientAuth!.assertion!.claims;
      expect([liveAudience, idpAudience]).toEqual([proxy.urls.token, idp.endpoints.token]);
      expect(liveClaims).toEqual(idpClaims);
      expect(live.clientAuth).toEqual({
        ...replayed.clientAuth,
        assertion: { ...replayed.clientAuth!.assertion, claims: live.clientAuth!.assertion!.claims },
      });
      expect(live.clientAuth).toMatchObject({
        method: 'client_secret_jwt',
        clientId: CLIENT_ID,
        assertion: { verified: true },
      });
      const { client_assertion: liveAssertion, ...liveParams } = live.params;
      const { client_assertion: idpAssertion, ...idpParams } = replayed.params;
      expect(liveParams).toEqual(idpParams);
      expect([liveAssertion, idpAssertion]).toEqual([
        expect.stringMatching(/…\(\d+\)$/),
        expect.stringMatching(/…\(\d+\)$/),
      ]);
      const { params: _live, clientAuth: _liveAuth, ...liveRest } = live;
      const { params: _idp, clientAuth: _idpAuth, ...idpRest } = replayed;
      expect(liveRest).toEqual(idpRest);
    },
  );

  it('a token request without client authentication: neither says it used one', async () => {
    const idp = await idpFor('client_secret_post');
    const proxy = await proxyFor(idp);
    const refused = await postForm(proxy.urls.token, { grant_type: 'authorization_code', code: 'no-such-code' });
    expect(refused.status).toBe(400);
    const live = await lastAt(proxy.journal.readAfter(0), 'token');
    expect(live?.clientAuth).toEqual({ method: 'unknown' });
    expect(shared(live)).toEqual(shared(await lastAt(idp.journal.entries(), 'token')));
  });
});
