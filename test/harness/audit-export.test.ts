import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditedConnector } from '../../harness/audit/connector.ts';
import { writeExports } from '../../harness/audit/export.ts';
import { createInProcessTarget, loadScenarios, runScenarios } from '../../harness/index.ts';
import { LIMITS } from '../../lib/structured-file.ts';
import { UserError } from '../../lib/user-error.ts';
import { HARNESS_CLI, runCli, STACK_LINE } from '../helpers/spawn-cli.ts';
import { standInLogto } from '../helpers/stand-in-logto.ts';

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
    expect(written!.variables.sort()).toEqual([
      'HARNESS_ACME_SSO_CLIENT_SECRET',
      'HARNESS_ACME_SSO_CUSTOM_CONFIG_API_KEY',
    ]);
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
      expect(ids).toEqual(
        expect.arrayContaining([
          'pass:auth.method',
          'pass:customConfig.audience',
          'pass:profile.id',
          'pass:storage.refresh',
        ]),
      );
    } finally {
      delete process.env.HARNESS_ACME_SSO_CLIENT_SECRET;
      delete process.env.HARNESS_ACME_SSO_CUSTOM_CONFIG_API_KEY;
    }
  });
});

const PARTNER_KEY = 'partner-key-value-0123456789';
const SIGNING_SECRET = 'signing-secret-value-0123456789';
const AUDIENCE = 'https://api.acme.example';

/** A stored connector with secrets under names only masking's rule knows, beside ordinary config that looks close. */
const withSecretNames = (target: string, customConfig: Record<string, string>): AuditedConnector => ({
  ...connectors[0]!,
  id: `conn-${target}`,
  target,
  config: { ...connectors[0]!.config, customConfig },
});

describe('audit --export: what counts as secret, and how large an export may be', () => {
  it('writes every value under a secret-like name as a ${env:…} reference, and ordinary config as it is', async () => {
    const out = await mkdtemp(path.join(dir, 'names-'));
    const custom = {
      partner_key: PARTNER_KEY,
      signingSecret: SIGNING_SECRET,
      token_type_hint: 'access_token',
      keyId: 'key-2024',
      audience: AUDIENCE,
    };
    const [written] = await writeExports([withSecretNames('partner', custom)], 'http://localhost:3001', out);
    const text = await readFile(written!.file, 'utf8');
    const variables = [
      'HARNESS_PARTNER_CLIENT_SECRET',
      'HARNESS_PARTNER_CUSTOM_CONFIG_PARTNER_KEY',
      'HARNESS_PARTNER_CUSTOM_CONFIG_SIGNING_SECRET',
    ];
    expect(written!.variables.sort()).toEqual(variables);
    for (const secret of [SECRET, PARTNER_KEY, SIGNING_SECRET]) expect(text).not.toContain(secret);
    expect(text).toContain('partner_key: ${env:HARNESS_PARTNER_CUSTOM_CONFIG_PARTNER_KEY}');
    // Not secrets: kept, so the exported scenario sends what the tenant sends.
    expect(text).toContain('token_type_hint: access_token');
    expect(text).toContain('keyId: key-2024');
    expect(text).toContain('tokenEndpointAuthMethod: client_secret_basic');
  });

  it('refuses, writing nothing, a connector that would export larger than run reads (the 1 MB scenario file cap)', async () => {
    const out = await mkdtemp(path.join(dir, 'large-'));
    const large = withSecretNames('large', { audience: 'x'.repeat(1024 * 1024) });
    const error = await writeExports([connectors[0]!, large], 'http://localhost:3001', out).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(
      /^\S+large\.yaml --export: connector conn-large \(large\) would be exported as 1\.0 MB, larger than the 1 MB limit .*: nothing was exported/,
    );
    expect((error as UserError).message).not.toContain('\n');
    expect(await readdir(out)).toEqual([]);
    // Just under the cap is written, and run reads it.
    const fits = withSecretNames('fits', { audience: 'x'.repeat(1000 * 1024) });
    const [written] = await writeExports([fits], 'http://localhost:3001', out);
    expect((await readFile(written!.file)).length).toBeLessThanOrEqual(LIMITS.bytes);
  });
});

describe('connector-harness audit --export (against a stand-in Management API)', { timeout: 60_000 }, () => {
  const stored = (id: string, customConfig: Record<string, string>) => ({
    id,
    connectorId: 'oauth2',
    metadata: { target: id, name: { en: id } },
    syncProfile: false,
    config: { ...connectors[0]!.config, customConfig },
  });
  const audit = (endpoint: string, ...args: string[]) =>
    runCli(HARNESS_CLI, [
      'audit',
      '--endpoint',
      endpoint,
      '--m2m-app-id',
      'm2m',
      '--m2m-app-secret',
      'm2m-secret-0123456789',
      ...args,
    ]);

  it('prints no secret-like stored value, and exports it as a reference', async () => {
    const logto = await standInLogto([stored('partner', { partner_key: PARTNER_KEY, audience: AUDIENCE })]);
    try {
      const out = await mkdtemp(path.join(dir, 'cli-'));
      const run = await audit(logto.endpoint, '--export', out, '--verbose');
      expect(run.stderr).not.toMatch(STACK_LINE);
      expect(run.stdout).toContain('exported');
      expect(run.stdout + run.stderr).not.toContain(PARTNER_KEY);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
      expect(await readFile(path.join(out, 'partner.yaml'), 'utf8')).toContain(
        '${env:HARNESS_PARTNER_CUSTOM_CONFIG_PARTNER_KEY}',
      );
    } finally {
      await logto.stop();
    }
  });

  it('refuses a stored config too large to export with one line, exit 2', async () => {
    const logto = await standInLogto([stored('huge', { audience: 'x'.repeat(2 * 1024 * 1024) })]);
    try {
      const out = await mkdtemp(path.join(dir, 'cli-large-'));
      const run = await audit(logto.endpoint, '--export', out);
      expect(run.code, run.stderr).toBe(2);
      // After the progress line of the one connector audited: the refusal, on one line.
      const refusal =
        /huge\.yaml --export: connector huge \(huge\) would be exported as 2\.0 MB, larger than the 1 MB limit/;
      expect(run.stderr.trim().split('\n')).toEqual(['[1/1] huge (huge)', expect.stringMatching(refusal)]);
      expect(await readdir(out)).toEqual([]);
    } finally {
      await logto.stop();
    }
  });
});
