import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditedConnectors, type AuditedConnector } from '../../harness/audit/connector.ts';
import { discoveryFindings, tokenProbeFindings } from '../../harness/audit/probe.ts';
import { auditFindings } from '../../harness/audit/rules.ts';
import { knownProviderOf, providerFindings } from '../../harness/audit/provider-rules.ts';

const clean = {
  authorizationEndpoint: 'https://idp.example/authorize',
  tokenEndpoint: 'https://idp.example/token',
  userInfoEndpoint: 'https://idp.example/userinfo',
  clientId: 'client',
  clientSecret: 'secret-0123456789',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenEndpointResponseType: 'json',
  scope: 'profile email offline_access',
  profileMap: { id: 'user_id' },
};

const connector = (config: Record<string, unknown>, extra: Partial<AuditedConnector> = {}): AuditedConnector => ({
  id: 'c1',
  kind: 'oauth2',
  target: 't',
  name: 'n',
  config,
  syncProfile: false,
  enableTokenStorage: false,
  ...extra,
});
const ids = (findings: Array<{ id: string; status: string }>) =>
  findings.map((finding) => `${finding.status}:${finding.id}`);

describe('audit rules: the traps a stored config sets, and nothing else', () => {
  it('finds nothing in a clean config, with or without token storage', () => {
    expect(auditFindings(connector(clean), [])).toEqual([]);
    expect(auditFindings(connector(clean, { enableTokenStorage: true }), [])).toEqual([]);
  });

  it('names each trap once, with its fix', () => {
    const { tokenEndpointAuthMethod: _method, ...noMethod } = clean;
    expect(ids(auditFindings(connector(noMethod, { enableTokenStorage: true }), []))).toEqual([
      'fail:storage.refresh-config',
    ]);
    const jwt = auditFindings(
      connector({ ...clean, tokenEndpointAuthMethod: 'client_secret_jwt' }, { enableTokenStorage: true }),
      [],
    );
    expect(ids(jwt)).toEqual(['fail:storage.refresh-config']);
    expect(jwt[0]!.hint).toContain('"clientSecretJwtSigningAlgorithm": "HS256"');
    expect(
      ids(auditFindings(connector({ ...clean, scope: 'profile email' }, { enableTokenStorage: true }), [])),
    ).toEqual(['warn:storage.offline-access']);
    expect(
      ids(
        auditFindings(
          connector(
            { ...clean, scope: 'profile', customConfig: { accessType: 'offline' } },
            { enableTokenStorage: true },
          ),
          [],
        ),
      ),
    ).toEqual(['warn:customConfig.accessType']);
    expect(ids(auditFindings(connector({ ...clean, customConfig: { audienceParam: 'x' } }), []))).toEqual([
      'warn:customConfig.audienceParam',
    ]);
    expect(ids(auditFindings(connector({ ...clean, customConfig: { state: 'fixed' } }), []))).toEqual([
      'warn:customConfig.state',
    ]);
    expect(ids(auditFindings(connector({ ...clean, profileMap: { id: 'data..id' } }), []))).toEqual([
      'fail:profileMap.id',
    ]);
    expect(ids(auditFindings(connector({ ...clean, scope: 'openid profile', profileMap: {} }), []))).toEqual([
      'warn:profileMap.id',
    ]);
  });

  it('says "empty secret" once instead of the guard\'s bare "Required"', () => {
    const { clientSecret: _secret, ...noSecret } = clean;
    const findings = auditFindings(connector(noSecret), [
      { field: 'config.clientSecret', message: 'Required' },
      { field: 'config.tokenEndpoint', message: 'Invalid url' },
    ]);
    expect(ids(findings)).toEqual(['fail:secret.empty', 'fail:guard.tokenEndpoint']);
  });

  it('keeps only oauth2 / oidc connectors of what the Management API lists', () => {
    const list = [
      {
        id: 'a',
        connectorId: 'oauth2',
        config: clean,
        metadata: { target: 'idp-a', name: { en: 'IdP A' } },
        enableTokenStorage: true,
      },
      { id: 'b', connectorId: 'github-universal', config: {}, metadata: { target: 'github' } },
      { id: 'c', connectorId: 'oidc', config: {}, metadata: { target: 'idp-c', name: { 'zh-CN': 'C' } } },
    ];
    expect(
      auditedConnectors(list).map((item) => [item.id, item.kind, item.target, item.name, item.enableTokenStorage]),
    ).toEqual([
      ['a', 'oauth2', 'idp-a', 'IdP A', true],
      ['c', 'oidc', 'idp-c', 'C', false],
    ]);
  });
});

describe('audit probe verdicts', () => {
  const discovery = (document: Record<string, unknown>) =>
    discoveryFindings(connector(clean), { url: 'https://idp.example/.well-known/openid-configuration', document });

  it('compares the auth method and endpoints with what discovery announces', () => {
    expect(
      discovery({ token_endpoint_auth_methods_supported: ['client_secret_post'], token_endpoint: clean.tokenEndpoint }),
    ).toEqual([]);
    const refused = discovery({ token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'] });
    expect(ids(refused)).toEqual(['fail:probe.auth-method']);
    expect(refused[0]!.hint).toBe('set "tokenEndpointAuthMethod": "client_secret_basic"');
    expect(
      ids(
        discovery({
          token_endpoint_auth_methods_supported: ['client_secret_post'],
          token_endpoint: 'https://idp.example/oauth/token',
        }),
      ),
    ).toEqual(['warn:probe.endpoint.tokenEndpoint']);
  });

  it('tells an authenticated client (invalid_grant) from a refused one (invalid_client), and the body format', () => {
    const json = 'application/json; charset=utf-8';
    expect(
      tokenProbeFindings(connector(clean), { status: 400, contentType: json, body: '{"error":"invalid_grant"}' }),
    ).toEqual([]);
    expect(
      ids(tokenProbeFindings(connector(clean), { status: 401, contentType: json, body: '{"error":"invalid_client"}' })),
    ).toEqual(['fail:probe.client-auth']);
    const form = tokenProbeFindings(connector(clean), {
      status: 200,
      contentType: 'application/x-www-form-urlencoded',
      body: 'error=invalid_grant&error_description=bad+code',
    });
    expect(ids(form)).toEqual(['fail:probe.response-type']);
    expect(form[0]!.hint).toBe('set "tokenEndpointResponseType": "query-string"');
    const { tokenEndpointResponseType: _type, ...defaultType } = clean;
    expect(
      ids(
        tokenProbeFindings(connector(defaultType), {
          status: 400,
          contentType: json,
          body: '{"error":"invalid_grant"}',
        }),
      ),
    ).toEqual(['fail:probe.response-type']);
  });
});

describe("audit rules: a known provider's config against what works for it (the provider library)", () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const github = {
    authorizationEndpoint: 'https://github.com/login/oauth/authorize',
    tokenEndpoint: 'https://github.com/login/oauth/access_token',
    userInfoEndpoint: 'https://api.github.com/user',
    clientId: 'gh-client',
    clientSecret: 'gh-secret-0123456789',
    scope: 'read:user',
    profileMap: { id: 'id', avatar: 'avatar_url' },
  };
  const judged = async (config: Record<string, unknown>, kind: 'oauth2' | 'oidc' = 'oauth2') => {
    const item = connector(config, { kind });
    const known = await knownProviderOf(item, root);
    return auditFindings(item, [], known ? providerFindings(item, known) : []);
  };

  it('finds nothing in the config the library proves works, and names the field that differs, with the value that works', async () => {
    expect(await judged(github)).toEqual([]);
    const json = await judged({ ...github, tokenEndpointResponseType: 'json' });
    expect(ids(json)).toEqual(['fail:provider.github.tokenEndpointResponseType']);
    expect(json[0]!.hint).toContain('"query-string"');
  });

  it('says when the generic connector cannot work at all, and which connector to use', async () => {
    const wechat = await judged({
      ...github,
      authorizationEndpoint: 'https://open.weixin.qq.com/connect/qrconnect',
      tokenEndpoint: 'https://api.weixin.qq.com/sns/oauth2/access_token',
    });
    expect(ids(wechat)).toEqual(['fail:provider.wechat', 'warn:provider.wechat.identity-key']);
    expect(wechat[0]!.hint).toContain('WeChat');
    expect(wechat[1]!.message).toMatch(/unionid \?\? openid.*orphans every existing user/);
  });

  it('says when the other connector kind is the one that works', async () => {
    const b2c = await judged({
      ...github,
      authorizationEndpoint: 'https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin/oauth2/v2.0/token',
    });
    expect(ids(b2c)).toEqual(['fail:provider.azure-ad-b2c.connector']);
  });

  it("GitLab's OIDC config is judged against the OIDC scenario: its id_token carries the profile", async () => {
    const gitlab = await judged(
      {
        authorizationEndpoint: 'https://gitlab.com/oauth/authorize',
        tokenEndpoint: 'https://gitlab.com/oauth/token',
        clientId: 'c',
        clientSecret: 'gl-secret-0123456789',
        scope: 'openid profile email',
        idTokenVerificationConfig: { jwksUri: 'https://gitlab.com/oauth/discovery/keys' },
      },
      'oidc',
    );
    expect(ids(gitlab)).toEqual([]);
  });

  it('warns where the generic connector keeps an email the dedicated connector would refuse as unverified', async () => {
    const kakao = await judged({
      ...github,
      authorizationEndpoint: 'https://kauth.kakao.com/oauth/authorize',
      tokenEndpoint: 'https://kauth.kakao.com/oauth/token',
      tokenEndpointResponseType: 'json',
      profileMap: { id: 'id', email: 'kakao_account.email' },
    });
    expect(ids(kakao)).toContain('warn:provider.kakao.unverified-email');
    const withoutEmail = await judged({
      ...github,
      authorizationEndpoint: 'https://kauth.kakao.com/oauth/authorize',
      tokenEndpoint: 'https://kauth.kakao.com/oauth/token',
      tokenEndpointResponseType: 'json',
      profileMap: { id: 'id' },
    });
    expect(ids(withoutEmail)).not.toContain('warn:provider.kakao.unverified-email');
  });

  it("warns that moving Entra ID from the OIDC connector to Logto's own changes every user's id", async () => {
    const entra = await judged(
      {
        authorizationEndpoint: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/authorize',
        tokenEndpoint: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
        clientId: 'c',
        clientSecret: 'entra-secret-0123456789',
        scope: 'openid profile email',
        idTokenVerificationConfig: { jwksUri: 'https://login.microsoftonline.com/contoso/discovery/v2.0/keys' },
      },
      'oidc',
    );
    expect(ids(entra)).toContain('warn:provider.entra-id.identity-key');
  });

  it('leaves IdPs the library does not know to the generic rules', async () => {
    expect(await knownProviderOf(connector(clean), root)).toBeUndefined();
  });
});
