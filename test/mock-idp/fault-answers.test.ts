import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../mock-idp/index.ts';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { UserError } from '../../lib/user-error.ts';
import { hopToRedirect, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { authorize, exchange, quirkFixture, SECRET, tokensFor, withIdp } from '../helpers/raw-flow.ts';

// Plain fetch against the server: what a client of the mock IdP sees on the wire.

describe('fault headers', () => {
  it("sends a fault's headers with its status and body (WWW-Authenticate on a token 401)", () =>
    withIdp(
      quirkFixture({
        faults: [
          {
            endpoint: 'token',
            status: 401,
            body: { error: 'invalid_client' },
            headers: { 'WWW-Authenticate': 'Basic realm="token", error="invalid_client"', 'retry-after': '30' },
          },
        ],
      }),
      async (idp) => {
        const response = await exchange(idp, (await authorize(idp)).searchParams.get('code')!);
        expect(response.status).toBe(401);
        expect(response.contentType).toContain('application/json');
        expect(response.json()).toEqual({ error: 'invalid_client' });
        const raw = await fetch(idp.endpoints.token, { method: 'POST' });
        expect(raw.headers.get('www-authenticate')).toBe('Basic realm="token", error="invalid_client"');
        expect(raw.headers.get('retry-after')).toBe('30');
      },
    ));

  it("types a string body by the fault's content-type header, text/plain without one", () =>
    withIdp(
      quirkFixture({
        faults: [
          {
            endpoint: 'userinfo',
            status: 502,
            body: '<h1>Bad gateway</h1>',
            headers: { 'content-type': 'text/html; charset=utf-8' },
            nth: 1,
          },
          { endpoint: 'userinfo', status: 502, body: 'Bad gateway', nth: 2 },
        ],
      }),
      async (idp) => {
        const html = await fetch(idp.endpoints.userinfo);
        expect([html.status, html.headers.get('content-type'), await html.text()]).toEqual([
          502,
          'text/html; charset=utf-8',
          '<h1>Bad gateway</h1>',
        ]);
        const text = await fetch(idp.endpoints.userinfo);
        expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
      },
    ));

  it("sends a userinfo override's headers with a valid token (the profile is not served)", () =>
    withIdp(
      quirkFixture({
        userinfo: {
          override: {
            status: 401,
            contentType: 'application/json',
            body: '{"error":"invalid_token"}',
            headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          },
        },
      }),
      async (idp) => {
        const token = (JSON.parse((await tokensFor(idp)).text) as { access_token: string }).access_token;
        const response = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(await response.text()).toBe('{"error":"invalid_token"}');
      },
    ));
});

describe('an authorize fault that redirects back with an error', () => {
  const fixture = (
    extra: Partial<FixtureInput['faults'] extends Array<infer F> | undefined ? F : never> = {},
    client: Partial<FixtureInput['clients'][number]> = {},
  ) =>
    quirkFixture({
      clients: [
        {
          clientId: 'c',
          clientSecret: 'quirk-client-secret-0123456789',
          tokenEndpointAuthMethod: 'client_secret_basic',
          ...client,
        },
      ],
      faults: [
        {
          endpoint: 'authorize',
          errorRedirect: {
            error: 'access_denied',
            error_description: 'The user denied your request',
            error_reason: 'user_denied',
          },
          ...extra,
        },
      ],
    });

  it('redirects to the redirect_uri with the error parameters and the state, no code', () =>
    withIdp(fixture(), async (idp) => {
      const callback = await authorize(idp);
      expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
      expect(Object.fromEntries(callback.searchParams)).toEqual({
        error: 'access_denied',
        error_description: 'The user denied your request',
        error_reason: 'user_denied',
        state: 'st',
        iss: idp.issuer,
      });
      const entry = idp.journal.entries().find((candidate) => candidate.endpoint === 'authorize');
      expect(entry?.response.status).toBe(303);
      expect(entry?.fault).toBe('redirect error=access_denied');
    }));

  it("is read as the error by a client that checks iss (RFC 9207, which discovery announces), and a fixture's own iss is kept", async () => {
    const refusal = async (iss?: string) =>
      withIdp(
        quirkFixture({
          clients: [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }],
          faults: [{ endpoint: 'authorize', errorRedirect: { error: 'access_denied', ...(iss ? { iss } : {}) } }],
        }),
        async (idp) => {
          const config = await client.discovery(
            new URL(idp.issuer),
            'c',
            { redirect_uris: [REDIRECT_URI] },
            client.ClientSecretBasic(SECRET),
            { execute: [client.allowInsecureRequests] },
          );
          const state = client.randomState();
          const callback = await hopToRedirect(
            client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state }),
            REDIRECT_URI,
          );
          return client.authorizationCodeGrant(config, callback, { expectedState: state }).then(
            () => 'accepted',
            // openid-client's own error for the OAuth error; oauth4webapi's (the cause) for a failed check.
            (error: { error?: string; message: string; cause?: { message?: string } }) =>
              error.error ?? error.cause?.message ?? error.message,
          );
        },
      );
    expect(await refusal()).toBe('access_denied');
    // A mix-up reproduced on purpose: the client must refuse the foreign issuer before the error.
    expect(await refusal('https://other-idp.example')).toBe('unexpected "iss" (issuer) response parameter value');
  });

  it("finds the client by its renamed id parameter (WeChat's appid) and redirects back all the same", () =>
    withIdp(
      quirkFixture({
        clients: [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' }],
        clientParamNames: { clientId: 'appid', clientSecret: 'secret' },
        faults: [{ endpoint: 'authorize', errorRedirect: { error: 'access_denied' } }],
      }),
      async (idp) => {
        const url = new URL(idp.endpoints.authorization);
        for (const [key, value] of Object.entries({
          response_type: 'code',
          appid: 'c',
          redirect_uri: REDIRECT_URI,
          state: 'st',
        }))
          url.searchParams.set(key, value);
        const response = await fetch(url, { redirect: 'manual' });
        expect(response.status).toBe(303);
        const callback = new URL(response.headers.get('location')!);
        expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
        expect(Object.fromEntries(callback.searchParams)).toEqual({
          error: 'access_denied',
          state: 'st',
          iss: idp.issuer,
        });
      },
    ));

  it('refuses a redirect_uri with a fragment (RFC 6749 §3.1.2) in the error redirect as in the sign-in, for a client with open redirect URIs', () =>
    withIdp(fixture(), async (idp) => {
      const withFragment = `${REDIRECT_URI}#frag`;
      const refused = await fetch(
        `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent(withFragment)}&state=st`,
        { redirect: 'manual' },
      );
      expect([refused.status, refused.headers.get('location')]).toEqual([400, null]);
      expect((await refused.json()) as unknown).toMatchObject({ error: 'access_denied' });
    }).then(() =>
      withIdp(quirkFixture(), async (idp) => {
        const signIn = await fetch(
          `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent(`${REDIRECT_URI}#frag`)}&scope=openid&state=st`,
          { redirect: 'manual' },
        );
        expect([signIn.status, signIn.headers.get('location')]).toEqual([400, null]);
        expect((await signIn.json()) as unknown).toMatchObject({ error: 'invalid_redirect_uri' });
      }),
    ));

  it('refuses only the Nth request with nth, signing in the others', () =>
    withIdp(fixture({ nth: 1 }), async (idp) => {
      expect((await authorize(idp)).searchParams.get('error')).toBe('access_denied');
      const second = await authorize(idp);
      expect(second.searchParams.get('error')).toBeNull();
      expect(second.searchParams.get('code')).toBeTruthy();
    }));

  it('answers 400 with the parameters as JSON when the redirect_uri is not registered (no open redirect)', () =>
    withIdp(fixture({}, { redirectUris: ['http://registered.test/cb'] }), async (idp) => {
      const url = new URL(idp.endpoints.authorization);
      for (const [key, value] of Object.entries({
        response_type: 'code',
        client_id: 'c',
        redirect_uri: 'http://evil.test/cb',
        state: 'st',
      }))
        url.searchParams.set(key, value);
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.json()).toEqual({
        error: 'access_denied',
        error_description: 'The user denied your request',
        error_reason: 'user_denied',
      });
    }));

  it('refuses a redirect_uri with a line break or tab as the sign-in does, instead of redirecting where URL parsing drops them', () =>
    withIdp(fixture(), async (idp) => {
      for (const redirectUri of ['http://client.test/cb\r\nX-Injected: 1', 'http://client\t.test/cb']) {
        const url = new URL(idp.endpoints.authorization);
        for (const [key, value] of Object.entries({
          response_type: 'code',
          client_id: 'c',
          redirect_uri: redirectUri,
          state: 'st',
        }))
          url.searchParams.set(key, value);
        const response = await fetch(url, { redirect: 'manual' });
        expect([response.status, response.headers.get('location')], JSON.stringify(redirectUri)).toEqual([400, null]);
        expect(((await response.json()) as { error: string }).error).toBe('access_denied');
      }
    }));

  it("sends the IdP's iss even when the redirect_uri's own query holds one (a client may not pick the issuer it is told)", () =>
    withIdp(fixture(), async (idp) => {
      const url = new URL(idp.endpoints.authorization);
      for (const [key, value] of Object.entries({
        response_type: 'code',
        client_id: 'c',
        redirect_uri: `${REDIRECT_URI}?iss=https://other-idp.example`,
        state: 'st',
      }))
        url.searchParams.set(key, value);
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(303);
      expect(new URL(response.headers.get('location')!).searchParams.getAll('iss')).toEqual([idp.issuer]);
    }));

  it('keeps the required-parameter redirect as it was (the same helper answers both)', () =>
    withIdp(quirkFixture({ requiredParams: { authorize: { audience: true } } }), async (idp) => {
      const callback = await hopToRedirect(
        `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&state=s1`,
        REDIRECT_URI,
      );
      expect([...callback.searchParams.keys()]).toEqual(['error', 'error_description', 'state', 'iss']);
      expect(callback.searchParams.get('error_description')).toContain('"audience"');
    }));
});

describe('validation of the new fault fields', () => {
  const problemsOf = (faults: unknown[], userinfo?: unknown) => {
    try {
      parseFixture({
        ...quirkFixture({ faults: faults as FixtureInput['faults'] }),
        ...(userinfo ? { userinfo } : {}),
      });
    } catch (error) {
      if (error instanceof UserError) return error.problems.map((problem) => `${problem.field}: ${problem.message}`);
      throw error;
    }
    return [];
  };

  it.each([
    [
      [{ endpoint: 'token', status: 401, headers: { 'www authenticate': 'x' } }],
      'fixture.faults[0].headers.www authenticate: "www authenticate" is not an HTTP header name',
    ],
    [
      [{ endpoint: 'token', status: 401, headers: { 'Content-Length': '3' } }],
      'fixture.faults[0].headers.Content-Length: "Content-Length" is set by the server from the body',
    ],
    [
      [{ endpoint: 'token', status: 401, headers: { 'www-authenticate': 'a', 'WWW-Authenticate': 'b' } }],
      'fixture.faults[0].headers.WWW-Authenticate: "WWW-Authenticate" is given twice (also as "www-authenticate")',
    ],
    [
      [{ endpoint: 'token', status: 401, headers: { 'www-authenticate': 'Bearer\r\nset-cookie: x=1' } }],
      'fixture.faults[0].headers.www-authenticate: the value of "www-authenticate" holds a line break',
    ],
    [
      [{ endpoint: 'token', headers: { 'retry-after': '5' }, latencyMs: 10 }],
      "fixture.faults[0].headers: headers are sent with the fault's answer: add a `status`",
    ],
    [
      [{ endpoint: 'token', errorRedirect: { error: 'access_denied' } }],
      'fixture.faults[0].errorRedirect: only the authorize endpoint redirects back to the client, not token',
    ],
    [
      [{ endpoint: 'authorize', status: 400, errorRedirect: { error: 'access_denied' } }],
      'fixture.faults[0].status: status cannot go with errorRedirect',
    ],
    [
      [{ endpoint: 'authorize', errorRedirect: { error_description: 'no code' } }],
      'fixture.faults[0].errorRedirect: `error` is required',
    ],
    [
      [{ endpoint: 'authorize', errorRedirect: { error: 'access "denied"' } }],
      'fixture.faults[0].errorRedirect.error: "access "denied"" is not an OAuth error code',
    ],
    [
      [{ endpoint: 'authorize', errorRedirect: { error: 'access_denied', state: 'fixed' } }],
      "fixture.faults[0].errorRedirect.state: the request's `state` is sent back by itself",
    ],
    [
      [],
      'fixture.userinfo.override.headers.Content-Type: the content type is `contentType`; set it there',
      { override: { status: 401, body: '', headers: { 'Content-Type': 'text/html' } } },
    ],
    [
      [],
      'fixture.userinfo.override.contentType: the content type holds a line break',
      { override: { body: '', contentType: 'text/plain\r\nX-Injected: 1' } },
    ],
    [
      [],
      'fixture.userinfo.override.contentType: the content type holds a line break',
      { override: { body: '', contentType: 'text/plain; charset=\u2192' } },
    ],
    [[], 'fixture.userinfo.path: a URL path such as /userinfo', { path: '/api/user info' }],
    [[], 'fixture.userinfo.path: a URL path such as /userinfo', { path: '/userinfo?fields=id' }],
  ])('refuses %j, naming the field', (faults, expected, userinfo?: unknown) => {
    const problems = problemsOf(faults, userinfo);
    expect(
      problems.some((problem) => problem.startsWith(expected)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('accepts every shipped-style fault without the new fields, and the new fields where they belong', () => {
    expect(
      problemsOf([
        { endpoint: 'token', status: 503, body: 'x', nth: 1 },
        { endpoint: 'jwks', latencyMs: 5 },
      ]),
    ).toEqual([]);
    expect(
      problemsOf([
        { endpoint: 'token', status: 401, headers: { 'WWW-Authenticate': 'Basic realm="x"' } },
        {
          endpoint: 'authorize',
          errorRedirect: { error: 'invalid_scope', iss: 'https://idp.example' },
          latencyMs: 5,
          nth: 2,
        },
      ]),
    ).toEqual([]);
  });
});
