import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectContainerRuntime,
  startLogtoStack,
  type LogtoStack,
} from '../../harness/targets/logto-container/stack.ts';
import { ManagementClient } from '../../harness/logto-api/management-client.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

const runtime = await detectContainerRuntime();
if (!runtime.available)
  console.log(`skipped: audit against Logto in testcontainers — ${runtime.reason}; it needs Docker or Podman`);

const base = {
  authorizationEndpoint: 'https://idp.example.com/oauth/authorize',
  tokenEndpoint: 'https://idp.example.com/oauth/token',
  userInfoEndpoint: 'https://idp.example.com/api/me',
  clientId: 'audit-client',
  clientSecret: 'audit-secret-0123456789',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenEndpointResponseType: 'json',
  scope: 'profile email offline_access',
  profileMap: { id: 'user_id' },
};
const { tokenEndpointAuthMethod: _method, ...noMethod } = base;

// One trap each (and one clean connector of each kind): what the audit must name, and nothing else.
const planted: Array<{
  target: string;
  kind: 'oauth2' | 'oidc';
  config: Record<string, unknown>;
  storage: boolean;
  expected: string[];
}> = [
  { target: 'audit-clean', kind: 'oauth2', config: base, storage: true, expected: [] },
  {
    target: 'audit-no-method',
    kind: 'oauth2',
    config: noMethod,
    storage: true,
    expected: ['fail:storage.refresh-config'],
  },
  {
    target: 'audit-jwt-no-alg',
    kind: 'oauth2',
    config: { ...base, tokenEndpointAuthMethod: 'client_secret_jwt' },
    storage: true,
    expected: ['fail:storage.refresh-config'],
  },
  {
    target: 'audit-no-offline',
    kind: 'oauth2',
    config: { ...base, scope: 'profile email' },
    storage: true,
    expected: ['warn:storage.offline-access'],
  },
  {
    target: 'audit-renamed-key',
    kind: 'oauth2',
    config: { ...base, customConfig: { audienceParam: 'https://api.example.com' } },
    storage: false,
    expected: ['warn:customConfig.audienceParam'],
  },
  {
    target: 'audit-state-override',
    kind: 'oauth2',
    config: { ...base, customConfig: { state: 'fixed' } },
    storage: false,
    expected: ['warn:customConfig.state'],
  },
  {
    target: 'audit-bad-id-path',
    kind: 'oauth2',
    config: { ...base, profileMap: { id: 'data..id' } },
    storage: false,
    expected: ['fail:profileMap.id'],
  },
  {
    target: 'audit-oidc-sub',
    kind: 'oauth2',
    config: { ...base, scope: 'openid profile', profileMap: {} },
    storage: false,
    expected: ['warn:profileMap.id'],
  },
  {
    target: 'audit-oidc-clean',
    kind: 'oidc',
    config: {
      authorizationEndpoint: base.authorizationEndpoint,
      tokenEndpoint: base.tokenEndpoint,
      clientId: 'audit-oidc',
      clientSecret: base.clientSecret,
      scope: 'openid profile offline_access',
      idTokenVerificationConfig: { jwksUri: 'https://idp.example.com/jwks' },
      tokenEndpointAuthMethod: 'client_secret_basic',
    },
    storage: true,
    expected: [],
  },
];

describe.skipIf(!runtime.available)('connector-harness audit against a Logto in testcontainers', () => {
  let stack: LogtoStack;
  let management: ManagementClient;
  let reports: string;

  beforeAll(async () => {
    stack = await startLogtoStack({ log: (line) => console.log(line) });
    management = new ManagementClient({
      endpoint: stack.endpoint,
      appId: stack.m2mAppId,
      appSecret: stack.m2mAppSecret,
      resource: stack.resource,
    });
    for (const item of planted) {
      await management.createConnector({
        connectorId: item.kind,
        config: item.config,
        metadata: { target: item.target, name: { en: item.target } },
        syncProfile: false,
        enableTokenStorage: item.storage,
      });
    }
    // An enterprise SSO connector saved without its config (the Console allows it: the settings come later).
    await management.call('POST', '/sso-connectors', { providerName: 'OIDC', connectorName: 'audit-sso-unfinished' });
    reports = await mkdtemp(path.join(tmpdir(), 'audit-reports-'));
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    if (reports) await rm(reports, { recursive: true, force: true });
  }, 120_000);

  it('names every planted trap with its fix and nothing else, read-only', async () => {
    const before = await management.listConnectors();
    const ssoBefore = await management.call('GET', '/sso-connectors');
    const env = {
      ...process.env,
      LOGTO_M2M_APP_ID: stack.m2mAppId,
      LOGTO_M2M_APP_SECRET: stack.m2mAppSecret,
      NO_COLOR: '1',
    };
    const outcome = await run(
      'node',
      ['bin/connector-harness.js', 'audit', '--endpoint', stack.endpoint, '-r', 'json', '-r', 'junit', '-o', reports],
      { cwd: ROOT, env },
    ).then(
      (result) => ({ code: 0, ...result }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stdout + outcome.stderr).not.toContain(base.clientSecret);
    expect(outcome.stdout + outcome.stderr).not.toContain(stack.m2mAppSecret);

    const json = JSON.parse(await readFile(path.join(reports, 'connector-harness.json'), 'utf8')) as {
      results: Array<{ name: string; checks: Array<{ id: string; status: string; hint?: string }> }>;
    };
    for (const item of planted) {
      const result = json.results.find((candidate) => candidate.name === `${item.target} (${item.target})`);
      expect(result, item.target).toBeDefined();
      const findings = result!.checks.filter((check) => check.status !== 'pass');
      expect(
        findings.map((check) => `${check.status}:${check.id}`),
        item.target,
      ).toEqual(item.expected);
      for (const finding of findings) expect(finding.hint, `${item.target}: ${finding.id}`).toBeTruthy();
    }
    const sso = json.results.find((candidate) => candidate.name === 'audit-sso-unfinished (enterprise SSO, OIDC)');
    expect(sso?.checks.map((check) => `${check.status}:${check.id}`)).toEqual([
      'fail:guard.clientId',
      'fail:secret.empty',
      'fail:guard.issuer',
    ]);
    const junit = await readFile(path.join(reports, 'connector-harness.junit.xml'), 'utf8');
    expect(junit.match(/<failure/g)?.length).toBe(
      planted.filter((item) => item.expected.some((id) => id.startsWith('fail:'))).length + 1,
    );

    // Read-only: the tenant's connectors are exactly as they were.
    expect(await management.listConnectors()).toEqual(before);
    expect(await management.call('GET', '/sso-connectors')).toEqual(ssoBefore);
  }, 120_000);

  it('exits 2 with a clear line when the tenant cannot be read', async () => {
    const env = { ...process.env, LOGTO_M2M_APP_ID: stack.m2mAppId, LOGTO_M2M_APP_SECRET: 'not-the-secret-0123456789' };
    const failure = (await run(process.execPath, ['bin/connector-harness.js', 'audit', '--endpoint', stack.endpoint], {
      cwd: ROOT,
      env,
    }).catch((error: unknown) => error)) as { code: number; stderr: string };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/LOGTO_M2M_APP_ID/);
    expect(failure.stderr).not.toMatch(/^\s+at /m);
    expect(failure.stderr).not.toContain('not-the-secret-0123456789');
  }, 60_000);
});
