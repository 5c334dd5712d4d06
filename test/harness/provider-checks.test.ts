import { describe, expect, it } from 'vitest';
import { checkAvatarUrl } from '../../harness/checks/avatar-url.ts';
import { checkDoubleCredentials } from '../../harness/checks/double-credentials.ts';
import { checkErrorWith200, errorIn200Body } from '../../harness/checks/error-with-200.ts';
import { checkProfileMap } from '../../harness/checks/profile-map.ts';
import { callbackErrorHint, checkSignIn } from '../../harness/checks/sign-in.ts';
import { checkTokenGuard } from '../../harness/checks/token-guard.ts';
import { checkTokenResponse } from '../../harness/checks/token-response.ts';
import { checkTokenStorage } from '../../harness/checks/token-storage.ts';
import type { Scenario } from '../../harness/model.ts';
import type { Observation } from '../../harness/observation.ts';
import type { JournalEntry } from '../../mock-idp/journal.ts';

/** The checks the provider library added, each over a hand-built observation. */

const scenario = (overrides: Partial<Scenario> = {}): Scenario => ({
  file: 'x.yaml',
  name: 'x',
  knownBad: false,
  connector: 'oauth2',
  config: {},
  syncProfile: false,
  enableTokenStorage: false,
  idp: { kind: 'url', url: 'http://idp.test' },
  expect: {},
  ...overrides,
});

const entry = (
  endpoint: JournalEntry['endpoint'],
  response: JournalEntry['response'],
  extra: Partial<JournalEntry> = {},
): JournalEntry => ({
  seq: 1,
  at: '',
  endpoint,
  method: endpoint === 'token' ? 'POST' : 'GET',
  path: `/${endpoint}`,
  params: endpoint === 'token' ? { grant_type: 'authorization_code' } : {},
  headers: {},
  response,
  durationMs: 1,
  ...extra,
});

const observation = (
  config: Record<string, unknown>,
  journal: JournalEntry[],
  overrides: Partial<Observation> = {},
): Observation => ({
  scenario: scenario({ config }),
  config,
  connectorVersion: 'test',
  issuer: 'http://idp.test',
  redirectUri: 'http://logto.test/cb',
  state: 's',
  signInPath: 'getUserInfo',
  journal,
  ...overrides,
});

describe('avatar that is not a URL', () => {
  it('warns on a Discord avatar hash, naming the CDN URL and the fix', () => {
    const [result] = checkAvatarUrl(
      observation({}, [], { userInfo: { id: '1', avatar: '8342729096ea3675442027381ff50dfe' } }),
    );
    expect(result).toMatchObject({ id: 'profile.avatar.url', status: 'warn' });
    expect(result?.hint).toContain('cdn.discordapp.com');
    expect(result?.hint).toContain('"avatar_url"');
  });

  it('says nothing for an http(s) URL or no avatar', () => {
    expect(checkAvatarUrl(observation({}, [], { userInfo: { id: '1', avatar: 'https://cdn.example/a.png' } }))).toEqual(
      [],
    );
    expect(checkAvatarUrl(observation({}, [], { userInfo: { id: '1' } }))).toEqual([]);
  });
});

describe('errors served with HTTP 200', () => {
  it.each([
    [{ ok: false, error: 'invalid_code' }, 'Slack'],
    [{ errcode: 40029, errmsg: 'invalid code' }, 'WeChat'],
    [{ resultcode: '024', message: 'Authentication failed' }, 'Naver'],
    [{ error: 'invalid_request', error_description: 'no code' }, '"error"'],
  ])('%j is an error (%s)', (body, named) => {
    expect(errorIn200Body(body)).toContain(named);
  });

  it.each([
    [{ ok: true, access_token: 'a' }],
    [{ errcode: 0, errmsg: 'ok' }],
    [{ resultcode: '00', response: {} }],
    [{ access_token: 'a', token_type: 'Bearer' }],
  ])('%j is an answer', (body) => {
    expect(errorIn200Body(body)).toBeUndefined();
  });

  it('fails with the body, and the sign-in check explains why Logto shows invalid_response', () => {
    const journal = [
      entry('token', { status: 200, contentType: 'application/json', body: { ok: false, error: 'bad_client_secret' } }),
    ];
    const error = {
      stage: 'sign-in' as const,
      logtoCode: 'connector.invalid_response',
      logtoStatus: 400,
      message: 'access_token: Required',
    };
    const [result] = checkErrorWith200(observation({}, journal, { error }));
    expect(result).toMatchObject({ id: 'idp.error-with-200', status: 'fail' });
    expect(result?.message).toContain('bad_client_secret');
    const [signIn] = checkSignIn(observation({}, journal, { error }));
    expect(signIn?.status).toBe('fail');
    expect(signIn?.hint).toContain('HTTP 200 with an error body');
  });
});

describe('Basic plus client_id in the body', () => {
  it('fails when the IdP refused it and names customConfig as the culprit', () => {
    const token = entry(
      'token',
      { status: 400, body: { error: 'invalid_request' } },
      { params: { grant_type: 'authorization_code', client_id: 'c' }, headers: { authorization: 'Basic …(20)' } },
    );
    const [result] = checkDoubleCredentials(observation({ customConfig: { client_id: 'c' } }, [token]));
    expect(result).toMatchObject({ id: 'auth.double-credentials', status: 'fail' });
    expect(result?.hint).toContain('remove client_id from customConfig');
  });

  it('is silent for Basic alone', () => {
    const token = entry('token', { status: 200, body: {} }, { headers: { authorization: 'Basic …(20)' } });
    expect(checkDoubleCredentials(observation({}, [token]))).toEqual([]);
  });
});

describe('token response without token_type (WeChat)', () => {
  it('fails with the reason', () => {
    const token = entry('token', {
      status: 200,
      contentType: 'application/json',
      body: { access_token: 'a', expires_in: 7200, openid: 'o' },
    });
    // The encoding is right; the guard's refusal of the missing token_type is token.guard's.
    const [result] = checkTokenGuard(observation({ tokenEndpointResponseType: 'json' }, [token]));
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain('token_type is absent, the guard wants a string');
    expect(checkTokenResponse(observation({ tokenEndpointResponseType: 'json' }, [token]))[0]?.status).toBe('pass');
  });
});

describe('hints', () => {
  it('an IdP that requires PKCE → no config fixes it, a dedicated connector does', () => {
    expect(
      callbackErrorHint('invalid_request', 'Authorization Server policy requires PKCE to be used for this request'),
    ).toContain('never send one');
  });

  it('no refresh token after access_type=offline without prompt=consent → prompt=consent named', () => {
    const authorize = entry(
      'authorize',
      { status: 303, body: '' },
      { params: { response_type: 'code', access_type: 'offline' } },
    );
    const config = { scope: 'openid' };
    const results = checkTokenStorage(
      observation(config, [authorize], {
        scenario: scenario({ config, enableTokenStorage: true, expect: { refreshToken: true } }),
        signInPath: 'getTokenResponseAndUserInfo',
        tokenResponse: { access_token: 'a', token_type: 'Bearer' },
      }),
    );
    const refresh = results.find((result) => result.id === 'storage.refresh_token');
    expect(refresh?.status).toBe('fail');
    expect(refresh?.hint).toContain('"prompt": "consent"');
  });

  it.each([
    [
      'Google without access_type: both parameters, where each goes in the OIDC config',
      { response_type: 'code', scope: 'openid email' },
      { scope: 'openid email' },
      'google',
      'oidc',
      'set "customConfig": { "access_type": "offline" } and "authRequestOptionalConfig": { "prompt": "consent" }',
    ],
    [
      'an OIDC IdP, offline_access not asked: the scope to set, with what is there',
      { response_type: 'code', scope: 'openid profile' },
      { scope: 'openid profile' },
      undefined,
      'oauth2',
      'set "scope": "openid profile offline_access"',
    ],
    [
      'offline_access asked, the granted scope without it: an IdP-side permission',
      { response_type: 'code', scope: 'openid offline_access', prompt: 'consent' },
      { scope: 'openid offline_access' },
      undefined,
      'oidc',
      'offline_access was asked for but not granted (the token answer\'s scope is "openid")',
    ],
    [
      'offline_access without prompt=consent at an OIDC IdP: OIDC Core §11',
      { response_type: 'code', scope: 'openid offline_access' },
      { scope: 'openid offline_access' },
      undefined,
      'oidc',
      'set "authRequestOptionalConfig": { "prompt": "consent" }',
    ],
  ] as const)('%s', (_name, params, config, provider, connector, hint) => {
    const authorize = entry('authorize', { status: 303, body: '' }, { params: { ...params } });
    const results = checkTokenStorage(
      observation({ ...config }, [authorize], {
        scenario: scenario({
          config: { ...config },
          connector,
          enableTokenStorage: true,
          expect: { refreshToken: true },
          ...(provider ? { provider } : {}),
        }),
        signInPath: 'getTokenResponseAndUserInfo',
        tokenResponse: { access_token: 'a', token_type: 'Bearer', scope: 'openid' },
      }),
    );
    expect(results.find((result) => result.id === 'storage.refresh_token')?.hint).toContain(hint);
  });
});

describe('a configured profileMap path with nothing like it in the userinfo', () => {
  it('names field selection (Facebook fields=, Patreon fields[user]=)', () => {
    const config = { profileMap: { id: 'id', email: 'email' } };
    const results = checkProfileMap(
      observation(config, [], {
        scenario: scenario({ config, expect: { profile: { email: 'a@example.com' } } }),
        userInfo: { id: '4', rawData: { id: '4', name: 'Mark' } },
      }),
    );
    const email = results.find((result) => result.id === 'profile.email');
    expect(email?.status).toBe('fail');
    expect(email?.hint).toContain('?fields=');
  });

  const missingEmail = (scope: string, granted?: string) => {
    const config = { scope, profileMap: { id: 'sub' } };
    return checkProfileMap(
      observation(config, [], {
        scenario: scenario({ config, expect: { profile: { email: 'a@example.com' } } }),
        userInfo: { id: 's', rawData: { sub: 's' } },
        ...(granted ? { tokenResponse: { access_token: 'a', token_type: 'Bearer', scope: granted } } : {}),
      }),
    ).find((result) => result.id === 'profile.email')?.hint;
  };

  it('an OpenID Connect request without the scope that carries the field: that scope, added to what is there', () => {
    expect(missingEmail('openid profile')).toBe(
      'email comes with the "email" scope, which the authorize request did not ask for: set "scope": "openid profile email"',
    );
  });

  it('asked for and not granted: the grant at the IdP, with what was granted', () => {
    expect(missingEmail('openid email', 'openid')).toContain(
      'the "email" scope that carries email was asked for but not granted (the token answer\'s scope is "openid")',
    );
  });

  it('a plain OAuth 2.0 API (no openid) has scopes of its own: no OIDC scope is suggested', () => {
    expect(missingEmail('read:user') ?? '').not.toContain('scope');
  });
});
