import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditedConnector } from '../../harness/audit/connector.ts';
import { writeExports } from '../../harness/audit/export.ts';
import { createInProcessTarget, loadScenarios, runScenarios } from '../../harness/index.ts';

const SECRET = 'exported-secret-0123456789';
const API_KEY = 'exported-api-key-0123456789';

const connectors: AuditedConnector[] = [
  {
    id: 'conn-nested',
    kind: 'oauth2',
    target: 'acme-sso',
    name: 'Acme SSO',
    syncProfile: false,
    enableTokenStorage: true,
    config: {
      authorizationEndpoint: 'https://sso.acme.example/oauth/authorize',
      tokenEndpoint: 'https://sso.acme.example/oauth/token',
      userInfoEndpoint: 'https://api.acme.example/v2/me',
      clientId: 'acme-client',
      clientSecret: SECRET,
      tokenEndpointAuthMethod: 'client_secret_basic',
      tokenEndpointResponseType: 'query-string',
      scope: 'read:user offline_access',
      profileMap: { id: 'data.user.id', name: 'data.user.display_name', email: 'data.emails.0.value' },
      customConfig: { audience: 'https://api.acme.example', apiKey: API_KEY },
    },
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'audit-export-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('audit --export', () => {
  it('writes scenarios that hold no secret and run against their starter fixture once the environment gives the secrets', async () => {
    const [written] = await writeExports(connectors, 'http://localhost:3001', dir);
    expect(written!.variables.sort()).toEqual(['HARNESS_ACME_SSO_CLIENT_SECRET', 'HARNESS_ACME_SSO_CUSTOM_CONFIG_API_KEY']);
    const text = await readFile(written!.file, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(API_KEY);
    expect(text).toContain('${env:HARNESS_ACME_SSO_CLIENT_SECRET}');

    // Without the variables: bad input that names them.
    await expect(loadScenarios([dir])).rejects.toThrow(/HARNESS_ACME_SSO_CLIENT_SECRET.*not set/);

    process.env.HARNESS_ACME_SSO_CLIENT_SECRET = SECRET;
    process.env.HARNESS_ACME_SSO_CUSTOM_CONFIG_API_KEY = API_KEY;
    try {
      const scenarios = await loadScenarios([dir]);
      expect(scenarios[0]!.config.clientSecret).toBe(SECRET);
      const target = createInProcessTarget();
      const [result] = await runScenarios(scenarios, target);
      await target.close?.();
      expect(result!.checks.filter((check) => check.status === 'fail')).toEqual([]);
      expect(result!.status).toBe('passed');
      // The stored config's traps and choices are what ran: Basic auth, form body, token storage, customConfig on the wire.
      const ids = result!.checks.map((check) => `${check.status}:${check.id}`);
      expect(ids).toEqual(expect.arrayContaining(['pass:auth.method', 'pass:customConfig.audience', 'pass:profile.id', 'pass:storage.refresh']));
    } finally {
      delete process.env.HARNESS_ACME_SSO_CLIENT_SECRET;
      delete process.env.HARNESS_ACME_SSO_CUSTOM_CONFIG_API_KEY;
    }
  });
});
