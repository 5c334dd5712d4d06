import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { hopToRedirect, REDIRECT_URI } from '../helpers/browser-hops.ts';

const SECRET = 'a-long-enough-client-secret-for-hs512-0123456789abcdef0123456789';

const fixture = {
  clients: [
    { clientId: 'basic', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' as const },
    { clientId: 'post', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' as const },
    { clientId: 'jwt', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_jwt' as const },
    { clientId: 'public', tokenEndpointAuthMethod: 'none' as const, pkce: 'required' as const },
  ],
  users: [{ id: 'alice', profile: { sub: 'alice', name: 'Alice', email: 'alice@example.com', email_verified: true } }],
  defaultUser: 'alice',
};

let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp(fixture);
});
afterAll(() => idp.stop());

async function configFor(clientId: string, auth: client.ClientAuth) {
  const config = await client.discovery(new URL(idp.issuer), clientId, { redirect_uris: [REDIRECT_URI] }, auth, {
    execute: [client.allowInsecureRequests],
  });
  return config;
}

async function codeFlow(config: client.Configuration, scope = 'openid profile email offline_access') {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await hopToRedirect(url, REDIRECT_URI);
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
  });
}

describe('discovery and keys', () => {
  it('announces the endpoints, auth methods and algorithms', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(idp.issuer);
    expect(metadata.userinfo_endpoint).toBe(idp.endpoints.userinfo);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'none']),
    );
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['HS256', 'HS384', 'HS512']),
    );
    expect(metadata.revocation_endpoint).toBe(idp.endpoints.revocation);
    expect(metadata.end_session_endpoint).toBe(idp.endpoints.endSession);
  });

  it('announces what a code-flow client needs to know', async () => {
    const metadata = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata).toMatchObject({
      authorization_endpoint: idp.endpoints.authorization,
      token_endpoint: idp.endpoints.token,
      jwks_uri: idp.endpoints.jwks,
      response_types_supported: ['code'],
    });
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']));
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'phone', 'offline_access']),
    );
  });

  it('publishes keys with distinct kids and the algs RS256 and ES256', async () => {
    const { keys } = (await (await fetch(idp.endpoints.jwks)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
    expect(keys.every((key) => key.use === undefined || key.use === 'sig')).toBe(true);
  });

  it('publishes an RS256 and an ES256 key, public halves only', async () => {
    const { keys } = (await (await fetch(idp.endpoints.jwks)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((key) => key.kty).sort()).toEqual(['EC', 'RSA']);
    for (const key of keys) expect(key.d).toBeUndefined();
  });
});

describe.each([
  ['client_secret_basic', 'basic', () => client.ClientSecretBasic(SECRET)],
  ['client_secret_post', 'post', () => client.ClientSecretPost(SECRET)],
  [
    'client_secret_jwt HS256',
    'jwt',
    () =>
      client.ClientSecretJwt(SECRET, {
        [client.modifyAssertion]: (header: Record<string, unknown>) => {
          header.alg = 'HS256';
        },
      }),
  ],
  ['none + PKCE', 'public', () => client.None()],
] as const)('code flow with %s', (_label, clientId, auth) => {
  it('issues tokens whose id_token verifies against the JWKS, and userinfo answers', async () => {
    const config = await configFor(clientId, auth());
    const tokens = await codeFlow(config);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(idp.endpoints.jwks)), {
      issuer: idp.issuer,
      audience: clientId,
    });
    expect(payload.sub).toBe('alice');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).toEqual(fixture.users[0]!.profile);
    const seen = idp.journal
      .entries()
      .filter((entry) => entry.endpoint === 'token')
      .at(-1);
    expect(seen?.clientAuth?.method).toBe(
      fixture.clients.find((candidate) => candidate.clientId === clientId)!.tokenEndpointAuthMethod,
    );
  });
});

describe.each(['HS256', 'HS384', 'HS512'])('client_secret_jwt signed with %s', (alg) => {
  it('is accepted and journaled as verified with that alg', async () => {
    // openid-client's ClientSecretJwt always signs with SHA-256, so sign HS384/HS512 assertions with jose.
    // openid-client types ClientAuth as returning void, yet awaits it (oauth4webapi: void | Promise<void>).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    const auth: client.ClientAuth = async (as, metadata, body) => {
      const assertion = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg })
        .setIssuer(metadata.client_id)
        .setSubject(metadata.client_id)
        .setAudience(as.token_endpoint!)
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(new TextEncoder().encode(SECRET));
      body.set('client_id', metadata.client_id);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', assertion);
    };
    const config = await configFor('jwt', auth);
    const tokens = await codeFlow(config, 'openid');
    expect(tokens.access_token).toBeTruthy();
    const entry = idp.journal
      .entries()
      .filter((candidate) => candidate.endpoint === 'token')
      .at(-1)!;
    expect(entry.clientAuth?.method).toBe('client_secret_jwt');
    expect(entry.clientAuth?.assertion?.header.alg).toBe(alg);
    expect(entry.clientAuth?.assertion?.verified).toBe(true);
    expect(entry.clientAuth?.assertion?.claims).toMatchObject({ iss: 'jwt', sub: 'jwt' });
  });
});

describe('refresh, revocation and end session', () => {
  it('refreshes with a rotated refresh token and rejects the old one', async () => {
    const config = await configFor('basic', client.ClientSecretBasic(SECRET));
    const tokens = await codeFlow(config);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('revokes an access token so userinfo rejects it', async () => {
    const config = await configFor('post', client.ClientSecretPost(SECRET));
    const tokens = await codeFlow(config, 'openid');
    await client.tokenRevocation(config, tokens.access_token);
    const response = await fetch(idp.endpoints.userinfo, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('builds an end-session URL the IdP answers', async () => {
    const config = await configFor('post', client.ClientSecretPost(SECRET));
    const tokens = await codeFlow(config, 'openid');
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: REDIRECT_URI,
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('logout');
  });
});

describe('refresh without rotation, with openid-client', () => {
  let steady: MockIdp;
  beforeAll(async () => {
    steady = await startMockIdp({ ...fixture, refreshTokens: { issue: 'always', rotate: false } });
  });
  afterAll(() => steady.stop());

  it('issues a refresh token without offline_access and accepts it again and again', async () => {
    const config = await client.discovery(
      new URL(steady.issuer),
      'basic',
      { redirect_uris: [REDIRECT_URI] },
      client.ClientSecretBasic(SECRET),
      { execute: [client.allowInsecureRequests] },
    );
    const callback = await hopToRedirect(
      client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid' }),
      REDIRECT_URI,
    );
    const tokens = await client.authorizationCodeGrant(config, callback);
    expect(tokens.refresh_token).toBeTruthy();
    for (let use = 0; use < 3; use += 1) {
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).toBeTruthy();
      expect(refreshed.refresh_token ?? tokens.refresh_token).toBe(tokens.refresh_token);
    }
  });
});
