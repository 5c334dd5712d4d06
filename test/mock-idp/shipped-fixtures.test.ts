import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadFixture, startMockIdp, type Fixture, type MockIdp } from '../../mock-idp/index.ts';
import { postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { clientAuthFor, rawSignIn, refresh, tokenFields } from './helpers/fixture-flow.ts';

/**
 * Each example fixture in fixtures/idp/ does on the wire what its header says the real provider
 * does. A fixture without an entry here fails the last test: an example nobody checks is a claim.
 */

const DIR = 'fixtures/idp';
type Check = (idp: MockIdp, fixture: Fixture) => Promise<void>;

const signedIn = async (idp: MockIdp, fixture: Fixture, options: Parameters<typeof rawSignIn>[2] = {}) => {
  const result = await rawSignIn(idp, fixture, options);
  expect(result.token, `no code: ${result.callback.href}`).toBeDefined();
  expect(result.token!.status, result.token!.text).toBe(200);
  return { ...result, fields: tokenFields(result.token!) };
};

const userinfo = (idp: MockIdp, token: string, init: RequestInit & { scheme?: string } = {}) =>
  fetch(idp.endpoints.userinfo, { ...init, headers: { authorization: `${init.scheme ?? 'Bearer'} ${token}` } });

const idTokenOf = async (idp: MockIdp, fixture: Fixture) => String((await signedIn(idp, fixture)).fields.id_token);
const jwksOf = (idp: MockIdp) => createRemoteJWKSet(new URL(idp.endpoints.jwks));
const verify = (idp: MockIdp, token: string) =>
  jwtVerify(token, jwksOf(idp), { audience: 'logto', issuer: idp.issuer });

const CHECKS: Record<string, Check> = {
  'auth0-audience.yaml': async (idp, fixture) => {
    const without = await rawSignIn(idp, fixture);
    expect(without.callback.searchParams.get('error')).toBe('invalid_request');
    expect(without.callback.searchParams.get('error_description')).toContain('"audience"');
    const audience = { audience: 'https://api.example.com' };
    const onlyAtAuthorize = await rawSignIn(idp, fixture, { authorize: audience });
    expect(onlyAtAuthorize.token?.status).toBe(400);
    expect(onlyAtAuthorize.token?.json()).toMatchObject({ error: 'invalid_request' });
    await signedIn(idp, fixture, { authorize: audience, token: audience });
  },
  'client-secret-basic.yaml': async (idp, fixture) => {
    await signedIn(idp, fixture);
    const { callback } = await rawSignIn(
      idp,
      { ...fixture, clients: [{ ...fixture.clients[0]!, tokenEndpointAuthMethod: 'client_secret_post' }] },
      { pkce: false },
    );
    const post = await postForm(idp.endpoints.token, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? 'x',
      redirect_uri: REDIRECT_URI,
      client_id: 'logto',
      client_secret: fixture.clients[0]!.clientSecret!,
    });
    expect(post.status).toBe(401);
    expect(String((post.json() as { error_description: string }).error_description)).toMatch(
      /client_secret_basic.*client_secret_post/,
    );
  },
  'client-secret-jwt-hs512.yaml': async (idp, fixture) => {
    await signedIn(idp, fixture);
    expect(
      idp.journal
        .entries()
        .filter((entry) => entry.endpoint === 'token')
        .at(-1)?.clientAuth?.assertion,
    ).toMatchObject({ verified: true, header: { alg: 'HS512' } });
    const { form, headers } = await clientAuthFor(
      idp,
      fixture,
      { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI },
      'HS256',
    );
    expect((await postForm(idp.endpoints.token, form, headers)).status).toBe(401);
  },
  'flaky-token-endpoint.yaml': async (idp, fixture) => {
    const first = await rawSignIn(idp, fixture);
    expect(first.token?.status).toBe(503);
    expect(first.token?.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'upstream is down' });
    await signedIn(idp, fixture);
  },
  'form-token-with-expires-in.yaml': async (idp, fixture) => {
    const { token, fields } = await signedIn(idp, fixture);
    expect(token!.contentType).toContain('application/x-www-form-urlencoded');
    expect(fields.expires_in).toBe('3600');
    expect(fields.id_token).toBeUndefined();
  },
  'github-form-token.yaml': async (idp, fixture) => {
    const { token, fields } = await signedIn(idp, fixture, { authorize: { scope: 'read:user user:email' } });
    expect(token!.contentType).toContain('application/x-www-form-urlencoded');
    expect(fields).toMatchObject({ token_type: 'bearer' });
    expect(fields.expires_in).toBeUndefined();
    expect(fields.id_token).toBeUndefined();
    expect(idp.endpoints.userinfo).toBe(`${idp.issuer}/user`);
    const response = await userinfo(idp, String(fields.access_token), { scheme: 'token' });
    expect(await response.json()).toStrictEqual(fixture.users[0]!.profile);
  },
  'google-access-type.yaml': async (idp, fixture) => {
    const without = await rawSignIn(idp, fixture);
    expect(without.callback.searchParams.get('error_description')).toContain('"access_type"');
    const { fields } = await signedIn(idp, fixture, { authorize: { access_type: 'offline' } });
    expect(typeof fields.refresh_token).toBe('string');
    // rotate: false — the same refresh token works twice.
    for (let use = 0; use < 2; use += 1)
      expect((await refresh(idp, fixture, String(fields.refresh_token))).status).toBe(200);
  },
  'nested-userinfo.yaml': async (idp, fixture) => {
    const { fields } = await signedIn(idp, fixture);
    expect(await (await userinfo(idp, String(fields.access_token))).json()).toStrictEqual(fixture.users[0]!.profile);
  },
  'numeric-id-email-list.json': async (idp, fixture) => {
    const { fields } = await signedIn(idp, fixture);
    const profile = (await (await userinfo(idp, String(fields.access_token))).json()) as {
      id: unknown;
      emails: Array<{ value: string }>;
    };
    expect(profile).toStrictEqual(fixture.users[0]!.profile);
    expect(profile.id).toBe(1001);
    expect(profile.emails[0]!.value).toBe('carol@example.com');
  },
  'oidc-bad-signature.yaml': async (idp, fixture) => {
    await expect(verify(idp, await idTokenOf(idp, fixture))).rejects.toThrow(/signature verification failed/);
  },
  'oidc-clock-skew.yaml': async (idp, fixture) => {
    expect(decodeJwt(await idTokenOf(idp, fixture)).iat! - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(595);
  },
  'oidc-es256.yaml': async (idp, fixture) => {
    const token = await idTokenOf(idp, fixture);
    expect(decodeProtectedHeader(token).alg).toBe('ES256');
    expect((await verify(idp, token)).payload.nonce).toBe('fixture-nonce');
  },
  'oidc-expired.yaml': async (idp, fixture) => {
    await expect(verify(idp, await idTokenOf(idp, fixture))).rejects.toThrow(/"exp" claim/);
  },
  'oidc-nonce-omitted.yaml': async (idp, fixture) => {
    const { payload } = await verify(idp, await idTokenOf(idp, fixture));
    expect(payload.nonce).toBeUndefined();
  },
  'oidc-nonce-wrong.yaml': async (idp, fixture) => {
    const { payload } = await verify(idp, await idTokenOf(idp, fixture));
    expect(payload.nonce).toBeTruthy();
    expect(payload.nonce).not.toBe('fixture-nonce');
  },
  'oidc-string-booleans.json': async (idp, fixture) => {
    const { payload } = await verify(idp, await idTokenOf(idp, fixture));
    expect(payload.email_verified).toBe('true');
  },
  'oidc-wrong-audience.yaml': async (idp, fixture) => {
    const token = await idTokenOf(idp, fixture);
    expect(decodeJwt(token).aud).toBe('another-client');
    await expect(verify(idp, token)).rejects.toThrow(/"aud" claim/);
  },
  'oidc-wrong-issuer.yaml': async (idp, fixture) => {
    const token = await idTokenOf(idp, fixture);
    expect(decodeJwt(token).iss).toBe('https://login.example.com/tenant-a');
    await expect(verify(idp, token)).rejects.toThrow(/"iss" claim/);
  },
  'oidc-wrong-kid.yaml': async (idp, fixture) => {
    await expect(verify(idp, await idTokenOf(idp, fixture))).rejects.toThrow(/no applicable key|matching key/i);
  },
  'public-client-pkce.yaml': async (idp, fixture) => {
    const without = await rawSignIn(idp, fixture, { pkce: false });
    expect(without.callback.searchParams.get('error')).toBe('invalid_request');
    const { fields } = await signedIn(idp, fixture);
    expect(fields.access_token).toBeTruthy();
    expect(
      idp.journal
        .entries()
        .filter((entry) => entry.endpoint === 'token')
        .at(-1)?.clientAuth?.method,
    ).toBe('none');
  },
  'refresh-never.yaml': async (idp, fixture) => {
    const { fields } = await signedIn(idp, fixture, { authorize: { scope: 'openid offline_access' } });
    expect(fields.refresh_token).toBeUndefined();
  },
  'refresh-no-rotation.yaml': async (idp, fixture) => {
    const { fields } = await signedIn(idp, fixture, { authorize: { scope: 'openid' } });
    expect(typeof fields.refresh_token).toBe('string');
    for (let use = 0; use < 2; use += 1) {
      const again = await refresh(idp, fixture, String(fields.refresh_token));
      expect(again.status).toBe(200);
      expect((again.json() as { refresh_token?: string }).refresh_token ?? fields.refresh_token).toBe(
        fields.refresh_token,
      );
    }
  },
  'slow-userinfo.yaml': async (idp, fixture) => {
    // Waiting the full 6 s would slow the suite; that the answer has not come within 300 ms shows the latency is applied.
    expect(fixture.faults[0]).toMatchObject({ endpoint: 'userinfo', latencyMs: 6000 });
    const { fields } = await signedIn(idp, fixture);
    await expect(
      fetch(idp.endpoints.userinfo, {
        headers: { authorization: `Bearer ${String(fields.access_token)}` },
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow(/abort|timeout/i);
  },
  'string-expires-in.json': async (idp, fixture) => {
    const { token, fields } = await signedIn(idp, fixture);
    expect(token!.contentType).toContain('application/json');
    expect(fields.expires_in).toBe('3600');
  },
  'token-type-token.yaml': async (idp, fixture) => {
    const { fields } = await signedIn(idp, fixture);
    expect(fields.token_type).toBe('token');
    const response = await userinfo(idp, String(fields.access_token), { scheme: 'token' });
    expect(response.status).toBe(200);
  },
  'userinfo-html-error.yaml': async (idp, fixture) => {
    const { fields } = await signedIn(idp, fixture);
    const response = await userinfo(idp, String(fields.access_token));
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toBe('<html><body><h1>502 Bad Gateway</h1></body></html>');
  },
  'userinfo-query-token-post.yaml': async (idp, fixture) => {
    const { fields } = await signedIn(idp, fixture);
    const token = encodeURIComponent(String(fields.access_token));
    expect(idp.endpoints.userinfo).toBe(`${idp.issuer}/api/me`);
    expect((await fetch(`${idp.endpoints.userinfo}?access_token=${token}`)).status).toBe(405);
    expect((await userinfo(idp, String(fields.access_token), { method: 'POST' })).status).toBe(401);
    const ok = await fetch(`${idp.endpoints.userinfo}?access_token=${token}`, { method: 'POST' });
    expect(await ok.json()).toStrictEqual(fixture.users[0]!.profile);
  },
};

const files = (await readdir(DIR)).filter((name) => /\.(ya?ml|json)$/.test(name)).sort();

describe.each(files)('fixtures/idp/%s', (name) => {
  it('says which provider behaves this way', async () => {
    const text = await readFile(path.join(DIR, name), 'utf8');
    const fixture = await loadFixture(path.join(DIR, name));
    if (name.endsWith('.json')) expect(fixture.description?.length).toBeGreaterThan(20);
    else expect(text.split('\n')[0]).toMatch(/^# .{20,}/);
  });

  it.runIf(name in CHECKS)('behaves on the wire as its header says', async () => {
    const fixture = await loadFixture(path.join(DIR, name));
    const idp = await startMockIdp(fixture);
    try {
      await CHECKS[name]!(idp, fixture);
    } finally {
      await idp.stop();
    }
  });
});

describe('fixtures/idp coverage', () => {
  it('every example fixture has a wire check, and every check a fixture', () => {
    expect(files.filter((name) => !(name in CHECKS))).toEqual([]);
    expect(Object.keys(CHECKS).filter((name) => !files.includes(name))).toEqual([]);
    expect(files.some((name) => name.endsWith('.json'))).toBe(true);
  });
});
