import { describe, expect, it } from 'vitest';
import { callbackErrorHint } from '../../harness/checks/sign-in.ts';
import { wantedParams } from '../../harness/checks/missing-params.ts';
import { checkTokenRequest } from '../../harness/checks/token-request.ts';
import { checkUserinfo } from '../../harness/checks/userinfo.ts';
import type { Scenario } from '../../harness/model.ts';
import type { Observation } from '../../harness/observation.ts';
import { parseFixture } from '../../mock-idp/fixture/load.ts';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import type { JournalEntry } from '../../mock-idp/journal.ts';

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';
const base = { clients: [{ clientId: 'c', clientSecret: 's' }], users: [{ id: 'alice', profile: { sub: 'alice' } }] };

/** An observation of one run against a live IdP (no fixture), or the mock with `fixture`. */
function observationOf(
  journal: JournalEntry[],
  options: { fixture?: Partial<FixtureInput>; provider?: string; userInfoEndpoint?: string } = {},
): Observation {
  const config = { userInfoEndpoint: options.userInfoEndpoint ?? 'http://idp.test/userinfo' };
  const scenario: Scenario = {
    file: 'x.yaml',
    name: 'x',
    knownBad: false,
    connector: 'oauth2',
    config,
    syncProfile: false,
    enableTokenStorage: false,
    idp: options.fixture
      ? { kind: 'fixture', fixture: parseFixture({ ...base, ...options.fixture }), source: 'x.yaml' }
      : { kind: 'url', url: 'http://idp.test' },
    expect: {},
    ...(options.provider ? { provider: options.provider } : {}),
  };
  return {
    scenario,
    config,
    connectorVersion: 'test',
    issuer: 'http://idp.test',
    redirectUri: 'http://logto.test/cb',
    state: 's',
    signInPath: 'getTokenResponseAndUserInfo',
    journal,
  };
}

const entry = (
  endpoint: JournalEntry['endpoint'],
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): JournalEntry => ({
  seq: 1,
  at: '',
  endpoint,
  method,
  path,
  params: endpoint === 'token' ? { grant_type: 'authorization_code' } : {},
  headers,
  response: { status, contentType: 'application/json', body },
  durationMs: 1,
});

const tokenRefusal = (status: number, body: unknown) =>
  entry('token', 'POST', '/token', status, body, { 'content-type': FORM });

describe('token.request: what no setting changes in the token request', () => {
  it('a JSON-only token endpoint (the fixture, or a live 415) → the connector always POSTs a form, no setting fixes it', () => {
    const fromFixture = checkTokenRequest(
      observationOf([tokenRefusal(400, { error: 'invalid_request' })], {
        fixture: { tokenRequest: { encoding: 'json' } },
      }),
    )[0];
    expect(fromFixture?.hint).toContain('no setting of the OAuth2 connector fixes this');
    expect(fromFixture?.unfixable?.reason).toContain('always POSTs the token request as a form');
    expect(fromFixture?.unfixable?.waysOut[0]).toContain('turns the form body into JSON');
    const live = checkTokenRequest(observationOf([tokenRefusal(415, 'Unsupported Media Type')]))[0];
    expect(live?.unfixable?.reason).toContain('only a JSON body');
    const words = checkTokenRequest(
      observationOf([tokenRefusal(400, { message: 'Content-Type must be application/json' })]),
    )[0];
    expect(words?.unfixable).toBeDefined();
  });

  it('a required token-endpoint header (the fixture, or named by the refusal) → a proxy that adds it', () => {
    const fromFixture = checkTokenRequest(
      observationOf([tokenRefusal(401, { message: 'Unauthorized' })], {
        fixture: { tokenRequest: { requiredHeaders: { headers: { 'X-Api-Key': true } } } },
      }),
    )[0];
    expect(fromFixture?.unfixable?.reason).toContain('(X-Api-Key)');
    expect(fromFixture?.hint).toContain('a small proxy in front of the IdP that adds the X-Api-Key header');
    const live = checkTokenRequest(
      observationOf([tokenRefusal(400, { error: 'invalid_request', error_description: 'missing header "Client-Id"' })]),
    )[0];
    expect(live?.unfixable?.waysOut[0]).toContain('adds the Client-Id header');
  });

  it('says nothing of a refusal for the request content (a wrong secret, a bad code), nor of a JSON request', () => {
    const refusals = [
      tokenRefusal(401, { error: 'invalid_client', error_description: 'client authentication failed' }),
      tokenRefusal(400, { error: 'invalid_grant', error_description: 'grant request is invalid' }),
      entry('token', 'POST', '/token', 400, { error: 'expected a JSON body' }, { 'content-type': 'application/json' }),
    ];
    for (const refusal of refusals) expect(checkTokenRequest(observationOf([refusal]))).toEqual([]);
  });
});

describe('userinfo: a refused method is no path problem, and a wrong path is no method problem', () => {
  const userinfo = (path: string, status: number, body: unknown, endpoint: JournalEntry['endpoint'] = 'userinfo') =>
    entry(endpoint, 'GET', path, status, body, { authorization: 'Bearer abcd…(43)' });

  it("the fixture's POST-only userinfo refusing GET with any status → the connector always GETs, no setting fixes it", () => {
    const fixture = { userinfo: { path: '/api/me', method: 'POST' as const } };
    for (const status of [400, 404]) {
      const result = checkUserinfo(
        observationOf([userinfo('/api/me', status, { error: { code: 'BAD_REQUEST' } })], {
          fixture,
          userInfoEndpoint: 'http://idp.test/api/me',
        }),
      )[0];
      expect(result?.hint).toContain('the generic connector always sends GET to userinfo');
      expect(result?.unfixable?.waysOut[0]).toContain('calls userinfo with POST');
    }
  });

  it("a live IdP's refusal that names the method → no setting fixes it; one that names nothing → check userInfoEndpoint", () => {
    const named = checkUserinfo(observationOf([userinfo('/userinfo', 400, "Request method 'GET' not supported")]))[0];
    expect(named?.unfixable?.reason).toContain('the generic connector always sends GET to userinfo');
    const plain = checkUserinfo(observationOf([userinfo('/userinfo', 404, { error: 'not_found' })]))[0];
    expect(plain?.unfixable).toBeUndefined();
    expect(plain?.hint).toContain('check userInfoEndpoint');
  });

  it("the provider library's POST-only path refusing GET → the method; a typo in that path → the path", () => {
    const at = (path: string) =>
      checkUserinfo(
        observationOf([userinfo(path, 404, 'Not Found')], {
          provider: 'dropbox',
          userInfoEndpoint: `http://idp.test${path}`,
        }),
      )[0];
    expect(at('/2/users/get_current_account')?.unfixable?.reason).toContain('it wants POST');
    expect(at('/2/users/get_current_acount')?.unfixable).toBeUndefined();
    expect(at('/2/users/get_current_acount')?.hint).toContain('check userInfoEndpoint');
  });

  it('a path the mock does not serve (journaled as other) → check userInfoEndpoint with the path it serves', () => {
    const [result] = checkUserinfo(
      observationOf([userinfo('/oauth/userinfo', 404, { error: 'not_found' }, 'other')], {
        fixture: { userinfo: { method: 'POST', wrongMethod: { status: 404, body: 'Not Found' } } },
        userInfoEndpoint: 'http://idp.test/oauth/userinfo',
      }),
    );
    expect(result?.unfixable).toBeUndefined();
    expect(result?.hint).toBe(
      'check userInfoEndpoint: nothing answers at that path (set "userInfoEndpoint": "http://idp.test/userinfo")',
    );
  });
});

describe('authorize: every parameter the IdP names, where it goes and with its value', () => {
  const all =
    '2 problems with the request: missing required parameter "audience" (this IdP requires it at the authorization' +
    ' endpoint, value "https://api.example"); missing required parameter "resource" (this IdP requires it at the' +
    ' authorization endpoint)';

  it('reads each parameter and the value named for it, in the mock’s words and in others', () => {
    expect(wantedParams(all)).toEqual([{ name: 'audience', value: 'https://api.example' }, { name: 'resource' }]);
    expect(wantedParams('Missing required parameter: client_id')).toEqual([{ name: 'client_id' }]);
    expect(wantedParams('missing parameters: audience, resource and prompt')).toEqual([
      { name: 'audience' },
      { name: 'resource' },
      { name: 'prompt' },
    ]);
    expect(wantedParams('parameter "prompt" must be "consent" at the authorization endpoint, got "none"')).toEqual([
      { name: 'prompt', value: 'consent' },
    ]);
  });

  it('names every missing parameter in one hint: customConfig, the OIDC authRequestOptionalConfig, or no way at all', () => {
    expect(callbackErrorHint('invalid_request', all)).toContain(
      '"customConfig": { "audience": "https://api.example", "resource": "…" }',
    );
    const oidc = callbackErrorHint('invalid_request', `${all}; missing required parameter "max_age"`, 'oidc');
    expect(oidc).toContain('"authRequestOptionalConfig": { "maxAge": "…" } (sent at authorize only)');
    expect(oidc).toContain('"customConfig": { "audience": "https://api.example", "resource": "…" }');
    expect(callbackErrorHint('invalid_request', 'missing required parameter "max_age"')).toContain(
      '"customConfig": { "max_age": "…" }',
    );
    expect(callbackErrorHint('invalid_request', 'missing required parameter "accessType"')).toContain(
      'it would arrive as "access_type"',
    );
    expect(callbackErrorHint('invalid_request', 'missing required parameter "client_id"')).toContain(
      '"client_id" comes from "clientId"',
    );
  });
});
