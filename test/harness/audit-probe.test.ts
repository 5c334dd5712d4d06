import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditedConnector } from '../../harness/audit/connector.ts';
import { probeConnector } from '../../harness/audit/probe.ts';
import { probeSso, ssoFindings, type AuditedSsoConnector } from '../../harness/audit/sso-oidc.ts';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';

// The real connector code sends the probe; real mock IdPs answer it: one JSON, one GitHub-like form-encoding.
const source = { projectRoot: path.resolve(import.meta.dirname, '../..') };
const clients = [
  {
    clientId: 'probe-client',
    clientSecret: 'probe-secret-0123456789',
    tokenEndpointAuthMethod: 'client_secret_basic' as const,
  },
];
const users = [{ id: 'alice', profile: { id: 'alice' } }];

let json: MockIdp;
let form: MockIdp;
beforeAll(async () => {
  json = await startMockIdp({ clients, users }, { port: 0 });
  form = await startMockIdp(
    { clients, users, tokenResponse: { encoding: 'form', errorEncoding: 'form' } },
    { port: 0 },
  );
});
afterAll(async () => {
  await json?.stop();
  await form?.stop();
});

const connectorFor = (idp: MockIdp, config: Record<string, unknown>): AuditedConnector => ({
  id: 'c1',
  kind: 'oauth2',
  target: 'probe',
  name: 'probe',
  syncProfile: false,
  enableTokenStorage: false,
  config: {
    authorizationEndpoint: idp.endpoints.authorization,
    tokenEndpoint: idp.endpoints.token,
    userInfoEndpoint: idp.endpoints.userinfo,
    clientId: 'probe-client',
    clientSecret: 'probe-secret-0123456789',
    tokenEndpointAuthMethod: 'client_secret_basic',
    tokenEndpointResponseType: 'json',
    ...config,
  },
});

const ids = (findings: Array<{ id: string; status: string }>) =>
  findings.map((finding) => `${finding.status}:${finding.id}`);

describe('audit --probe against real IdPs', () => {
  it('finds nothing when the secret, the method and the body format are right', async () => {
    expect(ids(await probeConnector(connectorFor(json, {}), source))).toEqual([]);
    const tokenRequests = json.journal.entries().filter((entry) => entry.endpoint === 'token');
    // What the IdP saw: the configured method, and an invalid code it refused as such.
    expect(tokenRequests.at(-1)?.clientAuth?.method).toBe('client_secret_basic');
    expect((tokenRequests.at(-1)?.response.body as { error?: string }).error).toBe('invalid_grant');
  });

  it('tells a wrong secret from a right one', async () => {
    const findings = await probeConnector(connectorFor(json, { clientSecret: 'wrong-secret-0123456789' }), source);
    expect(ids(findings)).toEqual(['fail:probe.client-auth']);
    expect(JSON.stringify(findings)).not.toContain('wrong-secret-0123456789');
  });

  it('tells a wrong auth method, with the one discovery announces', async () => {
    const findings = await probeConnector(
      connectorFor(json, { tokenEndpointAuthMethod: 'client_secret_jwt', clientSecretJwtSigningAlgorithm: 'HS256' }),
      source,
    );
    expect(ids(findings)).toContain('fail:probe.client-auth');
  });

  it('tells a form-encoding IdP from a JSON one: tokenEndpointResponseType', async () => {
    const findings = await probeConnector(connectorFor(form, {}), source);
    expect(ids(findings)).toEqual(['fail:probe.response-type']);
    expect(findings[0]!.hint).toBe('set "tokenEndpointResponseType": "query-string"');
    expect(
      ids(await probeConnector(connectorFor(form, { tokenEndpointResponseType: 'query-string' }), source)),
    ).toEqual([]);
  });

  it('says so when the token endpoint cannot be reached', async () => {
    const findings = await probeConnector(
      connectorFor(json, { tokenEndpoint: 'http://127.0.0.1:9/token' }),
      source,
      2000,
    );
    expect(ids(findings)).toContain('fail:probe.token');
  });
});

describe('audit --probe of an enterprise SSO (OIDC) connector, as Logto core sends it', () => {
  const sso = (idp: MockIdp, clientSecret: string): AuditedSsoConnector => ({
    id: 's1',
    name: 'sso',
    config: { clientId: 'probe-client', clientSecret, issuer: idp.issuer },
  });

  it('finds nothing with the right secret; refuses a wrong one; a form-encoding IdP cannot serve it', async () => {
    expect(ids(await probeSso(sso(json, 'probe-secret-0123456789')))).toEqual([]);
    expect(ids(await probeSso(sso(json, 'wrong-secret-0123456789')))).toEqual(['fail:probe.client-auth']);
    expect(ids(await probeSso(sso(form, 'probe-secret-0123456789')))).toEqual(['fail:probe.response-type']);
  });

  it('names an issuer whose discovery Logto cannot read', async () => {
    const findings = await probeSso({
      id: 's2',
      name: 'sso',
      config: { clientId: 'probe-client', clientSecret: 'x', issuer: `${json.issuer}/tenant` },
    });
    expect(ids(findings)).toEqual(['fail:probe.discovery']);
    expect(ids(ssoFindings({ id: 's3', name: 'sso', config: { clientId: 'c', issuer: `${json.issuer}/` } }))).toEqual([
      'fail:secret.empty',
      'warn:sso.issuer-slash',
    ]);
  });
});
