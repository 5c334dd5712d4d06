import * as client from 'openid-client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type ClientAuthMethod, type MockIdp } from '../../mock-idp/index.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';

/**
 * A client registered for one method must be refused, with a description naming both methods,
 * whichever other method a standard client (openid-client) tries: this is the diagnosis a
 * connector author needs when Logto's tokenEndpointAuthMethod does not match the IdP's.
 */

const SECRET = 'client-auth-matrix-secret-0123456789abcdef0123456789abcdef';
const METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'none',
] as const satisfies readonly ClientAuthMethod[];

const authFor = (method: ClientAuthMethod): client.ClientAuth => {
  switch (method) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(SECRET);
    case 'client_secret_post':
      return client.ClientSecretPost(SECRET);
    case 'client_secret_jwt':
      return client.ClientSecretJwt(SECRET);
    case 'none':
      return client.None();
  }
};

let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp({
    clients: [
      ...METHODS.map((method) => ({
        clientId: method,
        tokenEndpointAuthMethod: method,
        ...(method === 'none' ? {} : { clientSecret: SECRET }),
      })),
      {
        clientId: 'pinned-hs512',
        clientSecret: SECRET,
        tokenEndpointAuthMethod: 'client_secret_jwt' as const,
        clientSecretJwtAlg: 'HS512' as const,
      },
      { clientId: 'pkce-required', tokenEndpointAuthMethod: 'none' as const, pkce: 'required' as const },
    ],
    users: [{ id: 'alice', profile: { sub: 'alice' } }],
    defaultUser: 'alice',
  });
});
afterAll(() => idp.stop());

const configFor = (clientId: string, auth: client.ClientAuth) =>
  client.discovery(new URL(idp.issuer), clientId, { redirect_uris: [REDIRECT_URI] }, auth, {
    execute: [client.allowInsecureRequests],
  });

/** A real code for the client, obtained with PKCE, so the only thing wrong at the token endpoint is the auth method. */
async function codeCallback(config: client.Configuration) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return { callback: await hopToRedirect(url, REDIRECT_URI), verifier };
}

const lastToken = () =>
  idp.journal
    .entries()
    .filter((entry) => entry.endpoint === 'token')
    .at(-1)!;

const mismatches = METHODS.flatMap((registered) =>
  METHODS.filter((seen) => seen !== registered).map((seen) => [registered, seen] as const),
);

describe.each(mismatches)('a client registered for %s, approached with %s', (registered, seen) => {
  it('is refused with invalid_client naming both methods, and the journal shows what was seen', async () => {
    const config = await configFor(registered, authFor(seen));
    const { callback, verifier } = await codeCallback(config);
    const failure = await client
      .authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, idTokenExpected: false })
      .then(
        () => undefined,
        (error: unknown) => error as client.ResponseBodyError,
      );
    expect(failure, 'the token request succeeded').toBeInstanceOf(client.ResponseBodyError);
    expect(failure!.status).toBe(401);
    expect(failure!.error).toBe('invalid_client');
    expect(failure!.error_description).toContain(`registered for ${registered}`);
    expect(failure!.error_description).toContain(`used ${seen}`);
    expect(lastToken().clientAuth).toMatchObject({ method: seen, clientId: registered, expected: registered });
    expect(lastToken().response.status).toBe(401);
  });
});

describe.each(METHODS)('a client registered for %s, approached with that method', (method) => {
  it('gets tokens', async () => {
    const config = await configFor(method, authFor(method));
    const { callback, verifier } = await codeCallback(config);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    expect(tokens.access_token).toBeTruthy();
    expect(lastToken().clientAuth).toMatchObject({ method, expected: method });
  });
});

describe('other client authentication rules', () => {
  const hsAssertion = (alg: string, clientId = 'pinned-hs512') =>
    new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(idp.endpoints.token)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(SECRET));

  const code = async (clientId: string) => {
    const url = new URL(idp.endpoints.authorization);
    for (const [key, value] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
    }))
      url.searchParams.set(key, value);
    return (await hopToRedirect(url, REDIRECT_URI)).searchParams.get('code')!;
  };

  const withAssertion = async (assertion: string) =>
    postForm(idp.endpoints.token, {
      grant_type: 'authorization_code',
      code: await code('pinned-hs512'),
      redirect_uri: REDIRECT_URI,
      client_id: 'pinned-hs512',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });

  it('a client pinned to HS512 accepts an HS512 assertion', async () => {
    const response = await withAssertion(await hsAssertion('HS512'));
    expect(response.status, response.text).toBe(200);
    expect(lastToken().clientAuth?.assertion).toMatchObject({ verified: true, header: { alg: 'HS512' } });
  });

  it.each(['HS256', 'HS384'])(
    'a client pinned to HS512 refuses an %s assertion, and the journal says why',
    async (alg) => {
      const response = await withAssertion(await hsAssertion(alg));
      expect(response.status).toBe(401);
      expect((response.json() as { error: string }).error).toBe('invalid_client');
      const assertion = lastToken().clientAuth?.assertion;
      expect(assertion).toMatchObject({ verified: false, header: { alg } });
      expect(assertion?.error).toMatch(/alg/i);
    },
  );

  it('two authentication mechanisms in one request are refused with a 4xx RFC 6749 error', async () => {
    const response = await postForm(
      idp.endpoints.token,
      {
        grant_type: 'authorization_code',
        code: await code('client_secret_basic'),
        redirect_uri: REDIRECT_URI,
        client_id: 'client_secret_basic',
        client_secret: SECRET,
      },
      { authorization: basic('client_secret_basic', SECRET) },
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(['invalid_request', 'invalid_client']).toContain((response.json() as { error: string }).error);
  });

  it('revocation checks the method too', async () => {
    const response = await postForm(idp.endpoints.revocation, {
      token: 'whatever',
      client_id: 'client_secret_basic',
      client_secret: SECRET,
    });
    expect(response.status).toBe(401);
    const body = response.json() as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client');
    expect(body.error_description).toContain('client_secret_basic');
    expect(body.error_description).toContain('client_secret_post');
  });

  it('a client with pkce: required gets an error redirect without a code_challenge', async () => {
    const url = new URL(idp.endpoints.authorization);
    for (const [key, value] of Object.entries({
      response_type: 'code',
      client_id: 'pkce-required',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: 'st',
    }))
      url.searchParams.set(key, value);
    const callback = await hopToRedirect(url, REDIRECT_URI);
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(callback.searchParams.get('state')).toBe('st');
  });

  it('a public client with PKCE is refused a code exchange with the wrong code_verifier', async () => {
    const config = await configFor('pkce-required', client.None());
    const { callback } = await codeCallback(config);
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier() }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
