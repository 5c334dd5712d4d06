import createOauthConnector from '@logto/connector-oauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { hopToRedirect } from '../helpers/browser-hops.ts';

// Logto's redirect URI for a social connector; nothing listens there, the hops stop before it.
const LOGTO_CALLBACK = 'http://localhost:3001/callback/oauth2-test';

let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp(await loadFixture('fixtures/default.yaml'));
});
afterAll(() => idp.stop());

async function signIn(config: Record<string, unknown>) {
  const connector = await createOauthConnector({ getConfig: async () => config });
  const session: Record<string, unknown> = {};
  const url = await connector.getAuthorizationUri(
    {
      state: 'logto-state',
      redirectUri: LOGTO_CALLBACK,
      connectorId: 'test',
      connectorFactoryId: 'oauth2',
      jti: 'jti',
      headers: {},
    },
    async (data) => {
      Object.assign(session, data);
    },
  );
  const callback = await hopToRedirect(url, LOGTO_CALLBACK);
  return connector.getUserInfo(Object.fromEntries(callback.searchParams), async () => session);
}

describe('the real @logto/connector-oauth against the default fixture', () => {
  const base = () => ({
    authorizationEndpoint: idp.endpoints.authorization,
    tokenEndpoint: idp.endpoints.token,
    userInfoEndpoint: idp.endpoints.userinfo,
    tokenEndpointResponseType: 'json',
    scope: 'openid profile email',
    profileMap: { id: 'sub', avatar: 'picture' },
  });

  it('signs alice in with client_secret_post and maps her profile', async () => {
    const userInfo = await signIn({ ...base(), clientId: 'logto-oauth2', clientSecret: 'dev-secret-change-me' });
    expect(userInfo).toMatchObject({
      id: 'alice',
      name: 'Alice Example',
      email: 'alice@example.com',
      avatar: 'https://example.com/avatars/alice.png',
      phone: '+15555550100',
    });
    const token = idp.journal
      .entries()
      .filter((entry) => entry.endpoint === 'token')
      .at(-1)!;
    expect(token.clientAuth?.method).toBe('client_secret_post');
    expect(token.response.status).toBe(200);
  });

  it('signs in with client_secret_basic and client_secret_jwt, as the IdP journal confirms', async () => {
    await signIn({
      ...base(),
      clientId: 'logto-basic',
      clientSecret: 'dev-basic-secret-change-me',
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    expect(
      idp.journal
        .entries()
        .filter((entry) => entry.endpoint === 'token')
        .at(-1)!.clientAuth?.method,
    ).toBe('client_secret_basic');
    await signIn({
      ...base(),
      clientId: 'logto-jwt',
      clientSecret: 'dev-jwt-secret-change-me-0123456789abcdef',
      tokenEndpointAuthMethod: 'client_secret_jwt',
      clientSecretJwtSigningAlgorithm: 'HS512',
    });
    const jwt = idp.journal
      .entries()
      .filter((entry) => entry.endpoint === 'token')
      .at(-1)!.clientAuth!;
    expect(jwt.method).toBe('client_secret_jwt');
    expect(jwt.assertion).toMatchObject({
      verified: true,
      header: { alg: 'HS512' },
      claims: { iss: 'logto-jwt', sub: 'logto-jwt', aud: idp.endpoints.token },
    });
  });
});

describe('the real connector against quirky example fixtures', () => {
  const configFor = (quirky: MockIdp, extra: Record<string, unknown>) => ({
    authorizationEndpoint: quirky.endpoints.authorization,
    tokenEndpoint: quirky.endpoints.token,
    userInfoEndpoint: quirky.endpoints.userinfo,
    clientId: 'logto',
    clientSecret: 'example-secret-change-me-0123456789',
    ...extra,
  });
  const withFixture = async (file: string, run: (quirky: MockIdp) => Promise<void>) => {
    const quirky = await startMockIdp(await loadFixture(file));
    try {
      await run(quirky);
    } finally {
      await quirky.stop();
    }
  };

  it('GitHub-like form token response with the default query-string parsing, numeric id mapped to a string', () =>
    withFixture('fixtures/idp/github-form-token.yaml', async (quirky) => {
      const user = await signIn(
        configFor(quirky, { scope: 'read:user', profileMap: { id: 'id', name: 'name', avatar: 'avatar_url' } }),
      );
      expect(user).toMatchObject({ id: '583231', name: 'The Octocat', avatar: 'https://avatars.example/u/583231' });
      const userinfo = quirky.journal.entries().find((entry) => entry.endpoint === 'userinfo')!;
      // The connector sends the token_type verbatim: `bearer`, lower case.
      expect(userinfo.headers.authorization).toMatch(/^bearer /);
    }));

  it('customConfig reaches the IdP snake_cased at authorize and token, and satisfies Auth0-style required params', () =>
    withFixture('fixtures/idp/auth0-audience.yaml', async (quirky) => {
      const user = await signIn(
        configFor(quirky, {
          tokenEndpointResponseType: 'json',
          scope: 'openid profile email',
          profileMap: { id: 'sub' },
          customConfig: { audience: 'https://api.example.com' },
        }),
      );
      expect(user).toMatchObject({ id: 'alice', email: 'alice@example.com' });
      const [authorize, token] = ['authorize', 'token'].map((name) =>
        quirky.journal.entries().find((entry) => entry.endpoint === name)!,
      );
      expect(authorize!.params.audience).toBe('https://api.example.com');
      expect(token!.params.audience).toBe('https://api.example.com');
      expect(token!.clientAuth?.method).toBe('client_secret_post');
    }));

  it('nested userinfo mapped through dot paths', () =>
    withFixture('fixtures/idp/nested-userinfo.yaml', async (quirky) => {
      const user = await signIn(
        configFor(quirky, {
          tokenEndpointResponseType: 'json',
          profileMap: {
            id: 'data.user.id',
            name: 'data.user.display_name',
            email: 'data.user.emails.0.value',
            avatar: 'data.user.avatar.url',
          },
        }),
      );
      expect(user).toMatchObject({
        id: '4242',
        name: 'Bob Nested',
        email: 'bob@example.com',
        avatar: 'https://example.com/bob.png',
      });
    }));

  it('the default query-string parsing fails on a JSON token body, as documented', () =>
    withFixture('fixtures/idp/auth0-audience.yaml', async (quirky) => {
      await expect(
        signIn(configFor(quirky, { profileMap: { id: 'sub' }, customConfig: { audience: 'https://api.example.com' } })),
      ).rejects.toMatchObject({ code: 'invalid_response' });
      // The IdP itself answered 200: the failure is the connector's parsing, which the journal makes plain.
      expect(quirky.journal.entries().find((entry) => entry.endpoint === 'token')?.response.status).toBe(200);
    }));
});
