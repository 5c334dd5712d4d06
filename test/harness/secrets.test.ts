import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * Whatever a message quotes (an IdP body, an authorization URL), the terminal, JSON and JUnit
 * reports of the real CLI never carry a secret, show its true length, and keep the words around it.
 */

const execute = promisify(execFile);
const CLI = path.resolve('bin/connector-harness.js');

interface Outputs {
  code: number;
  /** stdout, stderr, the JSON report, the JUnit report. */
  all: Record<'stdout' | 'stderr' | 'json' | 'junit', string>;
  json: {
    results: Array<{
      checks: Array<{ id: string; message: string; evidence?: Record<string, unknown> }>;
      error?: { message: string };
    }>;
  };
}

async function runCli(scenario: string): Promise<Outputs> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'harness-secrets-'));
  let code = 0;
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await execute(
      process.execPath,
      [CLI, 'run', scenario, '-r', 'json', '-r', 'junit', '-o', outDir, '--verbose'],
      { env: { ...process.env, NO_COLOR: '1' } },
    ));
  } catch (error) {
    ({ code, stdout, stderr } = error as { code: number; stdout: string; stderr: string });
  }
  const json = await readFile(path.join(outDir, 'connector-harness.json'), 'utf8');
  const junit = await readFile(path.join(outDir, 'connector-harness.junit.xml'), 'utf8');
  return { code, all: { stdout, stderr, json, junit }, json: JSON.parse(json) as Outputs['json'] };
}

// A token as the IdP issues it: 20+ URL-safe characters right after its name, in a form or JSON body.
const RAW_TOKEN = /(access_token|refresh_token|id_token|client_assertion|code)(=|\\?":\\?")[A-Za-z0-9_-]{20,}/;
const RAW_JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./;

describe('secrets in the reports of the real CLI', () => {
  it('masks the tokens of a form-encoded token response the connector quotes, with their real length', async () => {
    const run = await runCli('test/harness/secrets/form-token-read-as-json.yaml');
    expect(run.code, run.all.stdout + run.all.stderr).toBe(1);
    const signIn = run.json.results[0]!.checks.find((check) => check.id === 'sign-in')!;
    // The message still says what went wrong, with the parameters that are not secrets.
    expect(signIn.message).toContain('connector.invalid_response');
    for (const [where, output] of Object.entries(run.all)) {
      expect(output, where).not.toMatch(RAW_TOKEN);
      expect(output, where).not.toMatch(RAW_JWT);
      expect(output, where).not.toContain('form-client-secret-0123456789abcdef');
    }
    for (const [where, output] of Object.entries({
      stdout: run.all.stdout,
      json: run.all.json,
      junit: run.all.junit,
    })) {
      // oidc-provider's opaque tokens are 43 characters: the mask shows that, not the masked text's length.
      expect(output, where).toMatch(/access_token=[^&\s]{0,4}…\(43\)/);
      expect(output, where).toMatch(/refresh_token=[^&\s]{0,4}…\(43\)/);
      expect(output, where).toMatch(/id_token=eyJh…\(\d{3,}\)/);
      expect(output, where).toMatch(/token_type=bearer/);
      expect(output, where).toMatch(/expires_in=3600/);
      expect(output, where).toContain('tokenEndpointResponseType');
    }
    // The parsed body in the token-format check's evidence: masked once, with the token's length.
    expect(run.all.stdout).toMatch(/"access_token":"[^"]{0,4}…\(43\)"/);
    expect(run.all.stdout).toMatch(/"token_type":"bearer"/);
    expect(run.all.stdout).toContain('client_secret_post');
  });

  it('masks secret-like customConfig values, also inside the authorization URL the report quotes', async () => {
    const run = await runCli('test/harness/secrets/secret-custom-config-no-redirect.yaml');
    expect(run.code, run.all.stdout + run.all.stderr).toBe(1);
    for (const [where, output] of Object.entries(run.all)) {
      for (const secret of [
        'cc-client-secret-value-123456',
        'cc-api-key-value-abcdef',
        'cc-refresh-token-value-XYZ',
        'cc-config-secret-0123456789',
      ]) {
        expect(output, where).not.toContain(secret);
      }
    }
    for (const [where, output] of Object.entries({
      stdout: run.all.stdout,
      json: run.all.json,
      junit: run.all.junit,
    })) {
      expect(output, where).toContain('client_secret=cc-c…(29)');
      expect(output, where).toContain('api_key=cc-a…(23)');
      expect(output, where).toContain('refresh_token=cc-r…(26)');
      // The rest of the URL still reads: what the connector sent and where.
      for (const plain of [
        '/authorize?response_type=code',
        'client_id=cc-client',
        'scope=profile',
        'state=',
        'audience=https%3A%2F%2Fapi.example',
      ])
        expect(output, where).toContain(plain);
    }
    expect(run.all.stdout).toContain('customConfig.api_key');
    expect(run.all.stdout).toContain('https://api.example');
  });
});
