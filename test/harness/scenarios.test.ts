import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { runScenarios } from '../../harness/run.ts';
import { createInProcessTarget } from '../../harness/targets/in-process/index.ts';
import type { ScenarioResult } from '../../harness/model.ts';

const target = createInProcessTarget();
afterAll(() => target.close?.());

const scenarios = await loadScenarios(['fixtures/scenarios']);
const results = new Map<string, ScenarioResult>(
  (await runScenarios(scenarios, target, { parallel: 4 })).map((result) => [result.file, result]),
);
const check = (file: string, id: string) =>
  results.get(`fixtures/scenarios/${file}`)?.checks.find((candidate) => candidate.id === id);

describe('shipped scenarios', () => {
  it('has good and known-bad scenarios', () => {
    expect(scenarios.filter((scenario) => scenario.knownBad).length).toBeGreaterThanOrEqual(8);
    expect(scenarios.filter((scenario) => !scenario.knownBad).length).toBeGreaterThanOrEqual(8);
  });

  it('at --parallel 4 on several cores, a second thread observed a share of them (each checked below)', () => {
    const [here, there] = target.observedPerThread();
    expect(here + there).toBe(scenarios.length);
    if (availableParallelism() > 1) expect(there).toBeGreaterThan(0);
  });

  it.each(scenarios.map((scenario) => [scenario.file, scenario.knownBad] as const))(
    '%s gives its documented result',
    (file) => {
      const result = results.get(file)!;
      expect(
        result.status,
        JSON.stringify(
          result.checks.filter((candidate) => candidate.status !== 'pass'),
          null,
          2,
        ),
      ).toBe('passed');
    },
  );
});

describe('known-bad configs are caught with the right diagnosis', () => {
  it('JSON body with the query-string default → set tokenEndpointResponseType json', () => {
    const diagnosis = check('known-bad/json-body-query-string-default.yaml', 'token.response-type')!;
    expect(diagnosis.status).toBe('fail');
    expect(diagnosis.hint).toBe('set "tokenEndpointResponseType": "json" in the connector config');
    expect(results.get('fixtures/scenarios/known-bad/json-body-query-string-default.yaml')?.error?.code).toBe(
      'connector.invalid_response',
    );
  });

  it('form body with expires_in → explains the string and that no config fixes it', () => {
    const diagnosis = check('known-bad/form-expires-in-string.yaml', 'token.guard')!;
    expect(diagnosis.message).toMatch(/expires_in is "\d+" \(a JSON string\), the guard wants absent or a number/);
    expect(diagnosis.hint).toContain('no setting of the OAuth2 connector fixes this');
    expect(diagnosis.hint).toContain('a form-encoded body carries only strings');
    expect(diagnosis.unfixable?.waysOut.length).toBeGreaterThan(0);
    // The format itself is read as configured: the encoding check does not claim it.
    expect(check('known-bad/form-expires-in-string.yaml', 'token.response-type')?.status).toBe('pass');
  });

  it('token storage without tokenEndpointAuthMethod → refresh fails, fix named', () => {
    const diagnosis = check('known-bad/refresh-without-auth-method.yaml', 'storage.refresh')!;
    expect(diagnosis.status).toBe('fail');
    expect(diagnosis.evidence?.requestReachedIdp).toBe(false);
    expect(diagnosis.hint).toContain('"tokenEndpointAuthMethod": "client_secret_post"');
    expect(check('known-bad/refresh-without-auth-method.yaml', 'sign-in')?.status).toBe('pass');
  });

  it('client_secret_jwt without an alg → refresh cannot sign', () => {
    expect(check('known-bad/jwt-refresh-without-alg.yaml', 'storage.refresh')?.hint).toContain(
      '"clientSecretJwtSigningAlgorithm": "HS256"',
    );
  });

  it('a profileMap path that misses → nearest match in the raw userinfo', () => {
    const diagnosis = check('known-bad/profile-path-miss.yaml', 'profile.email')!;
    expect(diagnosis.status).toBe('fail');
    expect(diagnosis.hint).toContain('"email": "email"');
    expect(check('known-bad/profile-path-miss.yaml', 'profile.avatar')?.status).toBe('warn');
  });

  it('a non-string email → the whole sign-in fails, with a path to a string inside', () => {
    const diagnosis = check('known-bad/non-string-email.yaml', 'profile.email')!;
    expect(diagnosis.message).toContain('requires a string');
    expect(diagnosis.hint).toContain('emails.0.value');
  });

  it('a falsy id → dropped, sign-in fails', () => {
    expect(check('known-bad/falsy-id.yaml', 'profile.id')?.message).toContain('drops falsy values');
  });

  it('customConfig overriding state and a renamed key are warned about', () => {
    expect(check('known-bad/custom-config-overrides-state.yaml', 'customConfig.state')?.status).toBe('warn');
    expect(check('known-bad/custom-config-overrides-state.yaml', 'customConfig.accessType')?.message).toContain(
      'access_type',
    );
  });

  it('a wrong auth method → the IdP error the connector lost is shown', () => {
    const result = results.get('fixtures/scenarios/known-bad/wrong-auth-method.yaml')!;
    expect(check('known-bad/wrong-auth-method.yaml', 'auth.method')?.hint).toBe(
      'set "tokenEndpointAuthMethod": "client_secret_basic" in the connector config',
    );
    expect(result.error?.code).toBe('connector.general');
    expect(JSON.stringify(result.error?.idpResponse)).toContain('client authentication method mismatch');
  });

  it('OIDC string booleans without acceptStringTypedBooleanClaims → Logto 401, the setting named', () => {
    const result = results.get('fixtures/scenarios/known-bad/oidc-string-booleans-rejected.yaml')!;
    expect(result.error).toMatchObject({ code: 'connector.social_invalid_id_token', status: 401 });
    expect(check('known-bad/oidc-string-booleans-rejected.yaml', 'oidc.id_token')?.hint).toContain(
      '"acceptStringTypedBooleanClaims": true',
    );
  });

  it('OIDC email without email_verified → dropped, trustUnverifiedEmail named; with it on, the email comes through', () => {
    expect(check('known-bad/oidc-unverified-email.yaml', 'profile.email')?.status).toBe('fail');
    expect(check('known-bad/oidc-unverified-email.yaml', 'oidc.email')?.hint).toContain('"trustUnverifiedEmail": true');
    expect(check('oidc-trust-unverified-email.yaml', 'profile.email')?.status).toBe('pass');
  });

  it('OIDC IdP that omits the nonce → warned (the connector silently skips the check)', () => {
    expect(check('known-bad/oidc-nonce-omitted.yaml', 'sign-in')?.status).toBe('pass');
    expect(check('known-bad/oidc-nonce-omitted.yaml', 'oidc.nonce')?.status).toBe('warn');
    expect(check('oidc-standard.yaml', 'oidc.nonce')?.status).toBe('pass');
  });

  it('an IdP error redirect (a required audience missing) → the customConfig fix, with the value the IdP names', () => {
    expect(check('known-bad/missing-required-audience.yaml', 'authorize')?.hint).toContain(
      '"customConfig": { "audience": "https://api.example.com" }',
    );
    expect(results.get('fixtures/scenarios/known-bad/missing-required-audience.yaml')?.error?.code).toBe(
      'connector.general',
    );
  });

  it('userinfo HTTP error → the real IdP answer the connector lost', () => {
    const result = results.get('fixtures/scenarios/known-bad/userinfo-error-body-lost.yaml')!;
    expect(result.error).toMatchObject({
      code: 'connector.general',
      message: '{}',
      idpResponse: { endpoint: 'userinfo', status: 403, body: { error: 'insufficient_scope' } },
    });
    expect(check('known-bad/userinfo-error-body-lost.yaml', 'userinfo')).toMatchObject({
      status: 'fail',
      evidence: { attempts: 1 },
    });
  });

  it('OIDC wrong audience and nonce mismatch → id_token diagnosis', () => {
    expect(check('known-bad/oidc-wrong-audience.yaml', 'oidc.id_token')?.hint).toContain('audience');
    expect(check('known-bad/oidc-nonce-mismatch.yaml', 'oidc.id_token')?.hint).toContain('nonce');
  });
});

describe('good scenarios show their evidence', () => {
  it('customConfig audience reached authorize and token', () => {
    expect(check('custom-config-audience.yaml', 'customConfig.audience')?.evidence).toMatchObject({
      atAuthorize: 'https://api.example.com',
      atToken: 'https://api.example.com',
    });
  });

  it('client_secret_jwt HS384 claims as the IdP verified them', () => {
    expect(check('client-secret-jwt-hs384.yaml', 'auth.jwt')?.evidence).toMatchObject({
      verified: true,
      header: { alg: 'HS384' },
      claims: { iss: 'jwt384-client', sub: 'jwt384-client' },
    });
  });

  it('token storage refresh works from the raw config', () => {
    expect(check('token-storage-refresh.yaml', 'storage.refresh')?.status).toBe('pass');
    expect(check('token-storage-refresh.yaml', 'storage.refresh_token')?.status).toBe('pass');
  });
});

describe('provider traps are caught with the fix named', () => {
  it('Discord avatar hash → warning naming the CDN URL', () => {
    expect(check('providers/discord/known-bad-avatar-hash.yaml', 'profile.avatar.url')).toMatchObject({
      status: 'warn',
    });
    expect(check('providers/discord/known-bad-avatar-hash.yaml', 'profile.avatar.url')?.hint).toContain(
      'cdn.discordapp.com',
    );
  });

  it("Slack ok:false with HTTP 200 → the sign-in check and idp.error-with-200 quote Slack's body", () => {
    expect(check('providers/slack/known-bad-ok-false.yaml', 'idp.error-with-200')?.message).toContain('"ok": false');
    expect(check('providers/slack/known-bad-ok-false.yaml', 'sign-in')?.hint).toContain('HTTP 200 with an error body');
  });

  it('WeChat with appid/secret in customConfig → no token_type, dedicated connector named', () => {
    const diagnosis = check('providers/wechat/known-bad-secret-in-custom-config.yaml', 'token.guard')!;
    expect(diagnosis.message).toContain('token_type is absent, the guard wants a string');
    expect(diagnosis.hint).toContain("Logto's dedicated WeChat (web) connector");
  });

  it('X → PKCE required, no config fixes it', () => {
    expect(check('providers/x/known-bad-no-pkce.yaml', 'authorize')?.hint).toContain('never send one');
  });
});

describe('the #17 classes the mock reproduces: each known-bad scenario names the cause and the fix', () => {
  const hint = (file: string, id: string) => check(`known-bad/${file}`, id)?.hint ?? '';

  it('claims gated by scope → add the scope that carries the field', () => {
    expect(hint('claims-follow-scopes.yaml', 'profile.email')).toContain('"scope": "openid profile email"');
  });

  it('comma-glued scopes refused as invalid_scope → separate them with spaces', () => {
    expect(hint('unknown-scope-comma.yaml', 'scope.separator')).toContain('"scope": "openid profile email"');
    expect(check('known-bad/unknown-scope-comma.yaml', 'authorize')?.message).toContain('invalid_scope');
  });

  it('a required userinfo header → no setting fixes it, a proxy that adds the header', () => {
    expect(hint('userinfo-required-header.yaml', 'userinfo')).toContain(
      'no setting of the OAuth2 connector fixes this',
    );
    expect(hint('userinfo-required-header.yaml', 'userinfo')).toContain('adds the Client-Id header');
  });

  it("a POST-only userinfo refused with the provider's own 405 body → no setting fixes it", () => {
    expect(hint('userinfo-post-only.yaml', 'userinfo')).toContain('the generic connector always sends GET to userinfo');
  });

  it("a POST-only userinfo refusing GET with a 400 that names no method → the fixture's method says it, no setting fixes it", () => {
    expect(hint('userinfo-wrong-method-400.yaml', 'userinfo')).toContain(
      'no setting of the OAuth2 connector fixes this',
    );
    expect(hint('userinfo-wrong-method-400.yaml', 'userinfo')).toContain('calls userinfo with POST');
    expect(check('providers/dropbox/known-bad-userinfo-post-only.yaml', 'userinfo')?.unfixable?.reason).toContain(
      'refuses GET at userinfo (404): it wants POST',
    );
  });

  it('a wrong userinfo path answered 404 → check userInfoEndpoint with the path the IdP serves, never "no setting"', () => {
    const result = check('known-bad/userinfo-wrong-path.yaml', 'userinfo');
    expect(result?.hint).toMatch(
      /^check userInfoEndpoint: .*"userInfoEndpoint": "http:\/\/127\.0\.0\.1:\d+\/userinfo"/,
    );
    expect(result?.unfixable).toBeUndefined();
  });

  it('no id_token on refresh → the OIDC connector cannot refresh, the OAuth2 connector as a way out', () => {
    expect(hint('oidc-no-id-token-on-refresh.yaml', 'token.guard.refresh')).toContain('the refresh answer included');
    expect(hint('oidc-no-id-token-on-refresh.yaml', 'token.guard.refresh')).toContain('the OAuth2 connector');
  });

  it.each([
    ['token-camel-case.yaml', 'the connector reads only the top-level snake_case "token_type"'],
    ['token-nested-access-token.yaml', 'the IdP sends it as "data.token_type"'],
    ['token-scope-array.yaml', 'no setting of the OAuth2 connector fixes this'],
  ])('%s → token.guard names the field and says no setting fixes it', (file, words) => {
    expect(hint(file, 'token.guard')).toContain(words);
    expect(check(`known-bad/${file}`, 'token.guard')?.unfixable).toBeDefined();
  });

  it("a JSON-only token endpoint → the sign-in check quotes the IdP's refusal, token.request says no setting fixes it", () => {
    expect(hint('token-json-body-only.yaml', 'sign-in')).toContain('takes a JSON body (application/json)');
    expect(hint('token-json-body-only.yaml', 'token.request')).toContain(
      'the connector always POSTs the token request as a form (application/x-www-form-urlencoded)',
    );
    expect(hint('token-json-body-only.yaml', 'token.request')).toContain(
      'a small proxy in front of the IdP that turns the form body into JSON',
    );
  });

  it('a header required at the token endpoint → token.request: the connector sends none, a proxy that adds it', () => {
    expect(hint('token-required-header.yaml', 'token.request')).toContain(
      'no setting of the OAuth2 connector fixes this',
    );
    expect(hint('token-required-header.yaml', 'token.request')).toContain('adds the X-Api-Key header');
  });

  it('every missing authorize parameter in one refusal → the authorize check quotes them all', () => {
    const message = check('known-bad/authorize-missing-params-all.yaml', 'authorize')?.message ?? '';
    expect(message).toContain('"audience"');
    expect(message).toContain('"resource"');
    expect(hint('authorize-missing-params-all.yaml', 'authorize')).toContain(
      '"customConfig": { "audience": "https://api.example.com", "resource": "…" }',
    );
    const oidc = hint('authorize-missing-params-oidc.yaml', 'authorize');
    expect(oidc).toContain('"authRequestOptionalConfig": { "prompt": "consent" } (sent at authorize only)');
    expect(oidc).toContain('"customConfig": { "audience": "…" }');
  });

  it('an issuer with a trailing slash → mismatch.issuer names the slash as the whole difference', () => {
    const mismatch = check('known-bad/oidc-issuer-trailing-slash.yaml', 'mismatch.issuer')!;
    expect(mismatch.message).toContain('that slash is the whole difference');
    expect(mismatch.hint).toMatch(/^set idTokenVerificationConfig\.issuer to "http:\/\/127\.0\.0\.1:\d+"/);
  });
});
