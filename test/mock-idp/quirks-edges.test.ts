import * as client from 'openid-client';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { MockIdp } from '../../mock-idp/index.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { authorize, exchange, quirkFixture, SECRET, tokensFor, withIdp } from '../helpers/raw-flow.ts';

/**
 * The quirks beyond their main case: the other settings of each field, the combinations, and what a
 * standard client (openid-client) makes of them — a quirk that a strict client rejects is exactly
 * what the mock exists to reproduce, so the rejection is asserted too.
 */

/** openid-client wraps the reason (oauth4webapi's) a few causes deep: read the whole chain. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const messages: string[] = [];
    for (
      let cause: unknown = error;
      cause instanceof Error || (cause && typeof cause === 'object');
      cause = (cause as { cause?: unknown }).cause
    ) {
      messages.push(
        String((cause as { message?: unknown }).message ?? ''),
        String((cause as { code?: unknown }).code ?? ''),
      );
      if (messages.length > 20) break;
    }
    return messages.join(' | ');
  }
  throw new Error('expected a rejection, the call succeeded');
}

const accessTokenOf = async (idp: MockIdp) => ((await tokensFor(idp)).json() as { access_token: string }).access_token;

const openidConfig = (idp: MockIdp) =>
  client.discovery(new URL(idp.issuer), 'c', { redirect_uris: [REDIRECT_URI] }, client.ClientSecretBasic(SECRET), {
    execute: [client.allowInsecureRequests],
  });

async function openidCallback(config: client.Configuration, nonce?: string) {
  return hopToRedirect(
    client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email phone',
      ...(nonce ? { nonce } : {}),
    }),
    REDIRECT_URI,
  );
}

describe('token response, as a strict client sees it', () => {
  it('openid-client refuses a form-encoded token response (the GitHub quirk)', () =>
    withIdp(
      quirkFixture({ tokenResponse: { encoding: 'form', tokenType: 'bearer', expiresIn: 'absent' } }),
      async (idp) => {
        const config = await openidConfig(idp);
        expect(
          await rejection(
            client.authorizationCodeGrant(config, await openidCallback(config), { idTokenExpected: false }),
          ),
        ).toMatch(/content-type|JSON/i);
      },
    ));

  it('openid-client tolerates expires_in as a string (the Logto connector does not: the quirk matters there)', () =>
    withIdp(quirkFixture({ tokenResponse: { expiresIn: 'string' } }), async (idp) => {
      const config = await openidConfig(idp);
      const tokens = await client.authorizationCodeGrant(config, await openidCallback(config));
      // expiresIn() counts from the moment the answer arrived: a second may have passed since.
      expect(tokens.expiresIn()).toBeGreaterThanOrEqual(3590);
      expect(tokens.expiresIn()).toBeLessThanOrEqual(3600);
    }));

  it('openid-client accepts token_type "bearer" in lower case (RFC 6749 says it is case-insensitive)', () =>
    withIdp(quirkFixture({ tokenResponse: { tokenType: 'bearer' } }), async (idp) => {
      const config = await openidConfig(idp);
      const tokens = await client.authorizationCodeGrant(config, await openidCallback(config));
      expect(tokens.token_type).toBe('bearer');
    }));

  it('form encoding writes extra fields flat, objects as JSON, and applies to the refresh grant too', () =>
    withIdp(
      quirkFixture({
        tokenResponse: { encoding: 'form', extraFields: { scope_granted: 'read:user', team: { id: 't1' }, n: 7 } },
        refreshTokens: { issue: 'always' },
      }),
      async (idp) => {
        const first = await tokensFor(idp);
        const form = new URLSearchParams(first.text);
        expect(form.get('scope_granted')).toBe('read:user');
        expect(form.get('team')).toBe('{"id":"t1"}');
        expect(form.get('n')).toBe('7');
        const refreshed = await postForm(
          idp.endpoints.token,
          { grant_type: 'refresh_token', refresh_token: form.get('refresh_token')! },
          { authorization: basic('c', SECRET) },
        );
        expect(refreshed.status).toBe(200);
        expect(refreshed.contentType).toContain('application/x-www-form-urlencoded');
        expect(new URLSearchParams(refreshed.text).get('access_token')).toBeTruthy();
      },
    ));

  it('errors stay RFC 6749 JSON even when successes are form-encoded', () =>
    withIdp(quirkFixture({ tokenResponse: { encoding: 'form' } }), async (idp) => {
      const response = await exchange(idp, 'not-a-code');
      expect(response.status).toBe(400);
      expect(response.contentType).toContain('application/json');
      expect((response.json() as { error: string }).error).toBe('invalid_grant');
    }));
});

describe('userinfo settings', () => {
  it('method POST: GET gets 405 with Allow, POST with the query token gets the profile', () =>
    withIdp(quirkFixture({ userinfo: { path: '/api/me', method: 'POST', tokenFrom: ['query'] } }), async (idp) => {
      const token = await accessTokenOf(idp);
      const get = await fetch(`${idp.endpoints.userinfo}?access_token=${token}`);
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
      expect(((await get.json()) as { error: string }).error).toBe('invalid_request');
      const post = await fetch(`${idp.endpoints.userinfo}?access_token=${token}`, { method: 'POST' });
      expect(post.status).toBe(200);
      expect(((await post.json()) as { sub: string }).sub).toBe('alice');
    }));

  it('a path with characters the router reads as a pattern (: * ( ) + !) starts and answers there only, literally', () =>
    withIdp(quirkFixture({ userinfo: { path: '/v1/people/me:get(x)*+!' } }), async (idp) => {
      const token = await accessTokenOf(idp);
      // A body sends it through the koa route, a bodiless GET through the fast path: both match the path literally.
      const post = await fetch(idp.endpoints.userinfo, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=b',
      });
      expect([post.status, ((await post.json()) as { sub: string }).sub]).toEqual([200, 'alice']);
      expect((await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const elsewhere = await fetch(`${idp.issuer}/v1/people/me:other(x)*+!`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=b',
      });
      expect(elsewhere.status).toBe(404);
    }));

  it('tokenFrom header and query: both places work', () =>
    withIdp(quirkFixture({ userinfo: { tokenFrom: ['header', 'query'] } }), async (idp) => {
      const token = await accessTokenOf(idp);
      expect((await fetch(`${idp.endpoints.userinfo}?access_token=${token}`)).status).toBe(200);
      expect((await fetch(idp.endpoints.userinfo, { headers: { authorization: `token ${token}` } })).status).toBe(200);
    }));

  it('an unknown token in the query is 401 invalid_token too', () =>
    withIdp(quirkFixture({ userinfo: { tokenFrom: ['query'] } }), async (idp) => {
      const response = await fetch(`${idp.endpoints.userinfo}?access_token=nope`);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
    }));

  it('an override with status 200 and a non-JSON body is served byte for byte', () =>
    withIdp(quirkFixture({ userinfo: { override: { body: 'id=42&name=Alice' } } }), async (idp) => {
      const response = await fetch(idp.endpoints.userinfo, {
        headers: { authorization: `Bearer ${await accessTokenOf(idp)}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(await response.text()).toBe('id=42&name=Alice');
    }));

  it('the override still checks the token first', () =>
    withIdp(quirkFixture({ userinfo: { override: { body: 'whatever' } } }), async (idp) => {
      expect((await fetch(idp.endpoints.userinfo, { headers: { authorization: 'Bearer unknown' } })).status).toBe(401);
    }));

  it('openid-client rejects the profile when it has no sub matching the id_token (a REST-style profile)', () =>
    withIdp(quirkFixture({ users: [{ id: 'alice', profile: { data: { user: { id: 1 } } } }] }), async (idp) => {
      const config = await openidConfig(idp);
      const tokens = await client.authorizationCodeGrant(config, await openidCallback(config));
      expect(await rejection(client.fetchUserInfo(config, tokens.access_token, 'alice'))).toMatch(/"sub"/);
      const raw = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(await raw.json()).toStrictEqual({ data: { user: { id: 1 } } });
    }));
});

describe('required parameters, other forms', () => {
  it('`true` accepts any value at authorize and refuses the parameter missing', () =>
    withIdp(quirkFixture({ requiredParams: { authorize: { prompt_hint: true } } }), async (idp) => {
      const missing = await authorize(idp);
      expect(missing.searchParams.get('error')).toBe('invalid_request');
      expect(missing.searchParams.get('error_description')).toContain('"prompt_hint"');
      const any = await authorize(idp, { prompt_hint: 'whatever-value' });
      expect(any.searchParams.get('code')).toBeTruthy();
    }));

  it('a wrong value at the token endpoint is 400 naming the expected value', () =>
    withIdp(quirkFixture({ requiredParams: { token: { audience: 'https://api.example.com' } } }), async (idp) => {
      const code = (await authorize(idp)).searchParams.get('code')!;
      const wrong = await exchange(idp, code, { audience: 'https://other.example.com' });
      expect(wrong.status).toBe(400);
      const body = wrong.json() as { error: string; error_description: string };
      expect(body.error).toBe('invalid_request');
      expect(body.error_description).toContain('"audience"');
      expect(body.error_description).toContain('https://api.example.com');
      expect(body.error_description).toContain('https://other.example.com');
    }));

  it('the authorize error is a JSON 400 when the redirect_uri is not usable', () =>
    withIdp(quirkFixture({ requiredParams: { authorize: { audience: true } } }), async (idp) => {
      const response = await fetch(
        `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=not-a-url&scope=openid`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/^invalid_/);
    }));
});

describe('faults, other forms', () => {
  it('a string body is served as text/plain, byte for byte', () =>
    withIdp(quirkFixture({ faults: [{ endpoint: 'jwks', status: 500, body: 'upstream said no' }] }), async (idp) => {
      const response = await fetch(idp.endpoints.jwks);
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(await response.text()).toBe('upstream said no');
    }));

  it('a status without a body answers an RFC 6749 error body', () =>
    withIdp(quirkFixture({ faults: [{ endpoint: 'token', status: 503 }] }), async (idp) => {
      const response = await tokensFor(idp);
      expect(response.status).toBe(503);
      expect(response.json()).toMatchObject({ error: 'temporarily_unavailable' });
    }));

  it('faults the userinfo endpoint (status and body)', () =>
    withIdp(
      quirkFixture({
        faults: [{ endpoint: 'userinfo', status: 429, body: { message: 'API rate limit exceeded' }, nth: 1 }],
      }),
      async (idp) => {
        const token = await accessTokenOf(idp);
        const first = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } });
        expect(first.status).toBe(429);
        expect(await first.json()).toEqual({ message: 'API rate limit exceeded' });
        const second = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } });
        expect(second.status).toBe(200);
      },
    ));

  it('latency with nth delays only that call, and the journal marks only that call', () =>
    withIdp(quirkFixture({ faults: [{ endpoint: 'discovery', latencyMs: 120, nth: 2 }] }), async (idp) => {
      const url = `${idp.issuer}/.well-known/openid-configuration`;
      expect((await fetch(url)).status).toBe(200);
      const started = performance.now();
      expect((await fetch(url)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(120);
      expect((await fetch(url)).status).toBe(200);
      const marks = idp.journal
        .entries()
        .filter((entry) => entry.endpoint === 'discovery')
        .map((entry) => entry.fault);
      expect(marks).toEqual([undefined, expect.stringContaining('latency 120 ms'), undefined]);
      expect(
        idp.journal.entries().filter((entry) => entry.endpoint === 'discovery')[1]!.durationMs,
      ).toBeGreaterThanOrEqual(120);
    }));

  it('latency and status together: the error arrives after the delay', () =>
    withIdp(
      quirkFixture({ faults: [{ endpoint: 'token', status: 502, body: 'bad gateway', latencyMs: 100 }] }),
      async (idp) => {
        const code = (await authorize(idp)).searchParams.get('code')!;
        const started = performance.now();
        const response = await exchange(idp, code);
        expect(performance.now() - started).toBeGreaterThanOrEqual(100);
        expect(response.status).toBe(502);
        expect(response.text).toBe('bad gateway');
      },
    ));

  // The Nth *authorization request* a client makes; the browser's resume hop (/authorize/<uid>) is not a new request.
  it('nth on authorize counts authorization requests, not the internal resume hop', () =>
    withIdp(
      quirkFixture({ faults: [{ endpoint: 'authorize', status: 500, body: 'second sign-in fails', nth: 2 }] }),
      async (idp) => {
        const first = await authorize(idp).then(
          (url) => url.searchParams.get('code'),
          (error: Error) => error.message,
        );
        expect(first, 'the first sign-in must not be the faulted one').toMatch(/^[\w-]+$/);
        await expect(authorize(idp)).rejects.toThrow(/second sign-in fails/);
      },
    ));
});

describe('id_token quirks, in more detail', () => {
  const idTokenOf = async (idp: MockIdp, nonce = 'n-1') =>
    (await tokensFor(idp, { nonce, scope: 'openid email phone' })).json() as { id_token: string };

  it('wrongKid names a kid the JWKS does not have, and the token does not verify with any JWKS key', () =>
    withIdp(quirkFixture({ idToken: { wrongKid: true } }), async (idp) => {
      const { id_token: token } = await idTokenOf(idp);
      const { keys } = (await (await fetch(idp.endpoints.jwks)).json()) as { keys: Array<{ kid: string }> };
      expect(keys.map((key) => key.kid)).not.toContain(decodeProtectedHeader(token).kid);
      // Even a client that ignores the kid and tries every key of the right type fails.
      const jwks = createRemoteJWKSet(new URL(idp.endpoints.jwks));
      const { kid: _kid, ...header } = decodeProtectedHeader(token);
      await expect(
        jwtVerify(token, async () => jwks({ ...header, alg: header.alg! }, undefined as never)),
      ).rejects.toThrow(/signature verification failed/i);
    }));

  it('ES256 with wrongKid still uses ES256', () =>
    withIdp(quirkFixture({ idToken: { alg: 'ES256', wrongKid: true } }), async (idp) => {
      expect(decodeProtectedHeader((await idTokenOf(idp)).id_token).alg).toBe('ES256');
    }));

  it('expired: exp is in the past', () =>
    withIdp(quirkFixture({ idToken: { expired: true, ttlSeconds: 300 } }), async (idp) => {
      const claims = decodeJwt((await idTokenOf(idp)).id_token);
      expect(claims.exp!).toBeLessThan(Math.floor(Date.now() / 1000));
      expect(claims.exp! - claims.iat!).toBe(300);
    }));

  it('ttlSeconds sets exp - iat on an untouched token', () =>
    withIdp(quirkFixture({ idToken: { ttlSeconds: 120 } }), async (idp) => {
      const claims = decodeJwt((await idTokenOf(idp)).id_token);
      expect(claims.exp! - claims.iat!).toBe(120);
    }));

  it('negative clock skew: issued in the past; verification fails without tolerance once exp has passed', () =>
    withIdp(quirkFixture({ idToken: { clockSkewSeconds: -7200, ttlSeconds: 3600 } }), async (idp) => {
      const { id_token: token } = await idTokenOf(idp);
      const claims = decodeJwt(token);
      expect(Math.floor(Date.now() / 1000) - claims.iat!).toBeGreaterThanOrEqual(7195);
      const jwks = createRemoteJWKSet(new URL(idp.endpoints.jwks));
      await expect(jwtVerify(token, jwks, { audience: 'c', issuer: idp.issuer })).rejects.toThrow(/"exp" claim/);
      await expect(
        jwtVerify(token, jwks, { audience: 'c', issuer: idp.issuer, clockTolerance: 3700 }),
      ).resolves.toBeTruthy();
    }));

  it('positive clock skew: iat and exp move together into the future; openid-client (no iat check) still accepts it', () =>
    withIdp(quirkFixture({ idToken: { clockSkewSeconds: 600, ttlSeconds: 3600 } }), async (idp) => {
      const config = await openidConfig(idp);
      const tokens = await client.authorizationCodeGrant(config, await openidCallback(config));
      const claims = tokens.claims()!;
      expect(claims.iat - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(595);
      expect(claims.exp - claims.iat).toBe(3600);
    }));

  it.each([
    ['audience', { audience: 'someone-else' }, /"aud"/],
    ['issuer', { issuer: 'https://impostor.example' }, /"iss"/],
    ['nonce wrong', { nonce: 'wrong' as const }, /"nonce"/],
    ['nonce omitted', { nonce: 'omit' as const }, /"nonce" \(nonce\) claim missing/],
    ['badSignature', { badSignature: true }, /signature/i],
  ])('openid-client rejects the code grant for %s', (_name, quirk, pattern) =>
    withIdp(quirkFixture({ idToken: quirk }), async (idp) => {
      const config = await openidConfig(idp);
      const nonce = client.randomNonce();
      const grant = client.authorizationCodeGrant(config, await openidCallback(config, nonce), {
        expectedNonce: nonce,
      });
      // openid-client verifies the id_token's claims; the signature only on request (its default trusts TLS).
      if (_name === 'badSignature') {
        const tokens = await grant;
        await expect(jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(idp.endpoints.jwks)))).rejects.toThrow(
          pattern,
        );
      } else {
        expect(await rejection(grant)).toMatch(pattern);
      }
    }),
  );

  it('string booleans apply only to the *_verified claims and survive as strings', () =>
    withIdp(quirkFixture({ idToken: { stringBooleans: true } }), async (idp) => {
      const claims = decodeJwt((await idTokenOf(idp)).id_token);
      expect(claims).toMatchObject({
        email_verified: 'true',
        phone_verified: 'true',
        email: 'alice@example.com',
        sub: 'alice',
      });
    }));

  it('fixture claims, when given, are the id_token claims (not the profile)', () =>
    withIdp(
      quirkFixture({
        users: [
          {
            id: 'alice',
            profile: { data: { id: 1 } },
            claims: { email: 'claims@example.com', email_verified: false, locale: 'fr' },
          },
        ],
      }),
      async (idp) => {
        const claims = decodeJwt((await idTokenOf(idp)).id_token);
        expect(claims).toMatchObject({ sub: 'alice', email: 'claims@example.com', email_verified: false });
        expect(claims.data).toBeUndefined();
      },
    ));
});
