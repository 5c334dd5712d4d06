import { describe, expect, it } from 'vitest';
import { checkClientAuth } from '../../harness/checks/client-auth.ts';
import { wireName } from '../../harness/connectors/wire-name.ts';
import { nearestPath } from '../../harness/checks/leaf-paths.ts';
import { checkTokenResponse } from '../../harness/checks/token-response.ts';
import { refreshFailureHint } from '../../harness/checks/token-storage.ts';
import type { Scenario } from '../../harness/model.ts';
import type { Observation } from '../../harness/observation.ts';
import { verdict } from '../../harness/result.ts';
import { checkTokenGuard } from '../../harness/checks/token-guard.ts';
import type { JournalEntry } from '../../mock-idp/journal.ts';

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

const tokenEntry = (response: JournalEntry['response'], clientAuth?: JournalEntry['clientAuth']): JournalEntry => ({
  seq: 1,
  at: '',
  endpoint: 'token',
  method: 'POST',
  path: '/token',
  params: { grant_type: 'authorization_code' },
  headers: {},
  response,
  durationMs: 1,
  ...(clientAuth ? { clientAuth } : {}),
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

describe('token response format', () => {
  const json = (body: Record<string, unknown>) => tokenEntry({ status: 200, contentType: 'application/json', body });
  const form = (body: Record<string, unknown>) =>
    tokenEntry({ status: 200, contentType: 'application/x-www-form-urlencoded', body });

  it.each([
    [
      'JSON with json',
      { tokenEndpointResponseType: 'json' },
      json({ access_token: 'a', token_type: 'Bearer', expires_in: 3600 }),
      'pass',
      undefined,
    ],
    ['form without expires_in, default', {}, form({ access_token: 'a', token_type: 'bearer' }), 'pass', undefined],
    [
      'JSON with the default',
      {},
      json({ access_token: 'a', token_type: 'Bearer' }),
      'fail',
      '"tokenEndpointResponseType": "json"',
    ],
    [
      'form with json',
      { tokenEndpointResponseType: 'json' },
      form({ access_token: 'a', token_type: 'bearer' }),
      'fail',
      '"query-string"',
    ],
    [
      'form with expires_in',
      {},
      form({ access_token: 'a', token_type: 'bearer', expires_in: '3600' }),
      // Read as configured: what the guard makes of expires_in is token.guard's (below).
      'pass',
      undefined,
    ],
    [
      'JSON with a string expires_in',
      { tokenEndpointResponseType: 'json' },
      json({ access_token: 'a', token_type: 'Bearer', expires_in: '3600' }),
      'pass',
      undefined,
    ],
  ] as const)('%s → %s', (_name, config, entry, status, hint) => {
    const [result] = checkTokenResponse(observation(config, [entry]));
    expect(result?.status).toBe(status);
    if (hint) expect(result?.hint).toContain(hint);
  });

  it.each([
    [
      'form with expires_in',
      {},
      form({ access_token: 'a', token_type: 'bearer', expires_in: '3600' }),
      'expires_in is "3600" (a JSON string), the guard wants absent or a number',
      'a form-encoded body carries only strings',
    ],
    [
      'JSON with a string expires_in',
      { tokenEndpointResponseType: 'json' },
      json({ access_token: 'a', token_type: 'Bearer', expires_in: '3600' }),
      'expires_in is "3600" (a JSON string), the guard wants absent or a number',
      'no setting changes how the connector reads the answer',
    ],
    [
      'JSON with a scope array',
      { tokenEndpointResponseType: 'json' },
      json({ access_token: 'a', token_type: 'bearer', scope: ['user:read:email'] }),
      'scope is ["user:read:email"] (a JSON array), the guard wants absent or a string',
      'no setting changes how the connector reads the answer',
    ],
    [
      'JSON with the access token nested',
      { tokenEndpointResponseType: 'json' },
      json({ data: { access_token: 'a', token_type: 'Bearer' } }),
      'access_token is absent, the guard wants a string',
      'the IdP sends it as "data.access_token"',
    ],
    [
      'JSON in camelCase',
      { tokenEndpointResponseType: 'json' },
      json({ accessToken: 'a', tokenType: 'Bearer' }),
      'access_token is absent, the guard wants a string',
      'the IdP sends it as "accessToken"',
    ],
  ] as const)('token.guard: %s → no setting fixes it', (_name, config, entry, message, why) => {
    const [result] = checkTokenGuard(observation(config, [entry]));
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain(message);
    expect(result?.hint).toContain('no setting of the OAuth2 connector fixes this');
    expect(result?.hint).toContain(why);
    expect(result?.unfixable?.waysOut).toContain(
      'a small proxy in front of the IdP that rewrites the answer into what the connector reads',
    );
  });

  it('token.guard passes a well-formed answer, and leaves a mis-encoded one to token.response-type', () => {
    const good = json({ access_token: 'a', token_type: 'Bearer', expires_in: 3600, scope: 'read' });
    expect(checkTokenGuard(observation({ tokenEndpointResponseType: 'json' }, [good]))[0]?.status).toBe('pass');
    expect(checkTokenGuard(observation({}, [good]))).toEqual([]);
  });
});

describe('client authentication', () => {
  const jwtSeen = (alg: string, verified = true) =>
    tokenEntry(
      { status: verified ? 200 : 401, body: {} },
      {
        method: 'client_secret_jwt',
        clientId: 'c',
        expected: 'client_secret_jwt',
        assertion: {
          header: { alg },
          claims: { iss: 'c', sub: 'c', aud: 'http://idp.test/token', exp: 700, iat: 100, jti: 'j' },
          verified,
          ...(verified ? {} : { error: 'signature verification failed' }),
        },
      },
    );
  const config = {
    clientId: 'c',
    tokenEndpoint: 'http://idp.test/token',
    tokenEndpointAuthMethod: 'client_secret_jwt',
    clientSecretJwtSigningAlgorithm: 'HS384',
  };

  it('passes when method, alg and claims are as configured', () => {
    const results = checkClientAuth(observation(config, [jwtSeen('HS384')]));
    expect(results.map((result) => result.status)).toEqual(['pass', 'pass']);
  });

  it('fails on another alg, or an assertion the IdP did not verify', () => {
    expect(checkClientAuth(observation(config, [jwtSeen('HS256')]))[1]).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('alg HS256, expected HS384'),
    });
    expect(checkClientAuth(observation(config, [jwtSeen('HS384', false)]))[1]?.message).toContain(
      'signature verification failed',
    );
  });

  it('fails when the IdP registers another method, and names the fix', () => {
    const entry = tokenEntry(
      { status: 401, body: {} },
      { method: 'client_secret_post', clientId: 'c', expected: 'client_secret_basic' },
    );
    const [result] = checkClientAuth(observation({ clientId: 'c' }, [entry]));
    expect(result).toMatchObject({
      status: 'fail',
      hint: 'set "tokenEndpointAuthMethod": "client_secret_basic" in the connector config',
    });
  });
});

describe('pure helpers', () => {
  it('wireName snake_cases like the connector', () => {
    expect(wireName('audienceParam')).toBe('audience_param');
    expect(wireName('access_type')).toBe('access_type');
    expect(wireName('resource')).toBe('resource');
  });

  it('nearestPath prefers the path holding the expected value, then a similar name', () => {
    const raw = { data: { mail: 'a@x', userName: 'n' } };
    expect(nearestPath(raw, 'email', 'a@x')).toBe('data.mail');
    expect(nearestPath(raw, 'username')).toBe('data.userName');
    expect(nearestPath(raw, 'zzzzzz')).toBeUndefined();
  });

  it('refreshFailureHint names the missing setting of the raw stored config', () => {
    expect(refreshFailureHint({})).toContain('tokenEndpointAuthMethod');
    expect(refreshFailureHint({ tokenEndpointAuthMethod: 'client_secret_jwt' })).toContain(
      'clientSecretJwtSigningAlgorithm',
    );
    expect(refreshFailureHint({ tokenEndpointAuthMethod: 'client_secret_post' })).toBeUndefined();
  });
});

describe('verdict', () => {
  const fail = { id: 'token.response-type', title: '', status: 'fail' as const, message: '' };
  const signInPass = { id: 'sign-in', title: '', status: 'pass' as const, message: '' };

  it('a good scenario fails on any failing check', () => {
    expect(verdict(scenario(), [signInPass]).status).toBe('passed');
    expect(verdict(scenario(), [signInPass, fail]).status).toBe('failed');
  });

  it('a known-bad scenario passes only when each expected diagnosis failed', () => {
    const knownBad = scenario({ knownBad: true, expect: { catches: ['token.response-type', 'storage'] } });
    expect(verdict(knownBad, [signInPass, fail])).toEqual({ status: 'failed', missed: ['storage'] });
    expect(verdict(knownBad, [signInPass, fail, { ...fail, id: 'storage.refresh' }]).status).toBe('passed');
    expect(verdict(scenario({ knownBad: true }), [signInPass]).status).toBe('failed');
  });

  it('a known-bad scenario that expects "no setting fixes this" passes only when a failing check says so', () => {
    const knownBad = scenario({ knownBad: true, expect: { catches: ['token.response-type'], unfixable: true } });
    expect(verdict(knownBad, [signInPass, fail])).toEqual({
      status: 'failed',
      missed: ['the "no setting fixes this" diagnosis'],
    });
    const said = { ...fail, unfixable: { reason: 'scope is an array', waysOut: ['a proxy'] } };
    expect(verdict(knownBad, [signInPass, said]).status).toBe('passed');
  });
});

describe('stored config', async () => {
  const { storedConfig } = await import('../../harness/stored-config.ts');
  it('drops what Logto drops before saving (empty strings, objects, arrays, null), recursively', () => {
    expect(
      storedConfig({
        clientId: 'c',
        scope: '',
        customConfig: {},
        profileMap: { id: 'sub', email: '' },
        list: [],
        keep: false,
        zero: 0,
      }),
    ).toEqual({ clientId: 'c', profileMap: { id: 'sub' }, keep: false, zero: 0 });
  });
});

describe('userinfo', async () => {
  const { checkUserinfo } = await import('../../harness/checks/userinfo.ts');
  const userinfoEntry = (response: JournalEntry['response'], authorization = 'bearer abcd…(40)'): JournalEntry => ({
    seq: 2,
    at: '',
    endpoint: 'userinfo',
    method: 'GET',
    path: '/userinfo',
    params: {},
    headers: { authorization },
    response,
    durationMs: 1,
  });

  it('passes on a JSON object and names the authorization scheme sent verbatim', () => {
    const [result] = checkUserinfo(
      observation({}, [userinfoEntry({ status: 200, contentType: 'application/json', body: { id: 1 } })]),
    );
    expect(result).toMatchObject({ status: 'pass', message: expect.stringContaining('"bearer"') });
  });

  it('fails on an HTTP error with the body the connector lost, and on a non-object body', () => {
    const refused = checkUserinfo(
      observation({}, [
        userinfoEntry({ status: 401, contentType: 'application/json', body: { error: 'invalid_token' } }),
      ]),
    )[0];
    expect(refused).toMatchObject({
      status: 'fail',
      evidence: { idpResponse: { status: 401, body: { error: 'invalid_token' } } },
    });
    expect(refused?.hint).toContain('token_type verbatim');
    const html = checkUserinfo(
      observation({}, [userinfoEntry({ status: 200, contentType: 'text/html', body: '<html>' })]),
    )[0];
    expect(html).toMatchObject({ status: 'fail', message: expect.stringContaining('not a JSON object') });
  });
});

describe('profileMap', async () => {
  const { checkProfileMap } = await import('../../harness/checks/profile-map.ts');
  const run = (
    profileMap: Record<string, string>,
    raw: Record<string, unknown>,
    profile: Scenario['expect']['profile'] = {},
  ) => {
    const config = { profileMap };
    return checkProfileMap(
      observation(config, [], {
        scenario: scenario({ config, expect: { profile } }),
        userInfo: { id: 'x', rawData: raw },
      }),
    );
  };

  it('passes on nested paths, and a numeric id becomes a string', () => {
    const results = run(
      { id: 'data.user.id', email: 'data.user.emails.0.value' },
      { data: { user: { id: 42, emails: [{ value: 'a@x' }] } } },
      { id: '42', email: 'a@x' },
    );
    expect(results.find((result) => result.id === 'profile.id')).toMatchObject({ status: 'pass', message: '"42"' });
    expect(results.find((result) => result.id === 'profile.email')?.status).toBe('pass');
  });

  it('fails on a miss (nearest match), a falsy value, a non-string, and a key with a dot', () => {
    const byId = (results: ReturnType<typeof run>, id: string) => results.find((result) => result.id === id);
    expect(
      byId(run({ id: 'sub', email: 'mail' }, { sub: 'a', email: 'a@x' }, { email: 'a@x' }), 'profile.email')?.hint,
    ).toContain('"email": "email"');
    expect(byId(run({ id: 'uid' }, { uid: 0 }), 'profile.id')?.message).toContain('drops falsy values');
    expect(byId(run({ id: 'sub', name: 'name' }, { sub: 'a', name: { first: 'A' } }), 'profile.name')).toMatchObject({
      status: 'fail',
      hint: expect.stringContaining('"name.first"'),
    });
    expect(
      byId(
        run(
          { id: 'sub', email: 'https://x.example/email' },
          { sub: 'a', 'https://x.example/email': 'a@x' },
          { email: 'a@x' },
        ),
        'profile.email',
      )?.hint,
    ).toContain('with a dot in its name');
  });
});

describe('authorization error redirect', async () => {
  const { callbackErrorHint } = await import('../../harness/checks/sign-in.ts');
  it('names the fix per OAuth error', () => {
    expect(callbackErrorHint('invalid_request', 'missing required parameter "audience"')).toContain(
      '"customConfig": { "audience": "…" }',
    );
    expect(callbackErrorHint('invalid_scope')).toContain('"scope"');
    expect(callbackErrorHint('unauthorized_client')).toContain('redirect URI');
    expect(callbackErrorHint('temporarily_unavailable')).toBeUndefined();
  });
});

describe('granted scope', async () => {
  const { grantedScopeFindings } = await import('../../harness/checks/scope.ts');
  const answer = (body: Record<string, unknown>) =>
    tokenEntry({
      status: 200,
      contentType: 'application/json',
      body: { access_token: 'a', token_type: 'Bearer', ...body },
    });
  const withStorage = (entry: JournalEntry) =>
    observation({}, [entry], { scenario: scenario({ enableTokenStorage: true }) });

  it('warns with token storage when the token answer carries no scope: Logto stores no grants', () => {
    const [finding] = grantedScopeFindings(withStorage(answer({})));
    expect(finding).toMatchObject({ id: 'scope.granted', status: 'warn' });
    expect(finding?.message).toContain('Logto stores the token without a granted scope');
  });

  it('passes when it does, and says nothing without token storage', () => {
    expect(grantedScopeFindings(withStorage(answer({ scope: 'openid email' })))[0]?.status).toBe('pass');
    expect(grantedScopeFindings(observation({}, [answer({})]))).toEqual([]);
  });
});
