/**
 * The journal is evidence of what the connector sent: a parameter the mock IdP adds on its own (it
 * asks for consent itself when offline_access is requested, as real IdPs grant it without) must
 * not make `expect.authorizeParams` pass. Issue #23 item 4: before, it did.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_CLI, runCli } from '../helpers/spawn-cli.ts';

const scenario = (fixture: string) => `name: prompt=consent the connector never sent
config:
  authorizationEndpoint: "{{issuer}}/authorize"
  tokenEndpoint: "{{issuer}}/token"
  userInfoEndpoint: "{{issuer}}/userinfo"
  clientId: basic-client
  clientSecret: basic-secret-0123456789
  tokenEndpointAuthMethod: client_secret_basic
  tokenEndpointResponseType: json
  scope: openid profile offline_access
  profileMap: { id: sub }
idp: { fixture: ${fixture} }
expect:
  authorizeParams: { prompt: consent }
`;

describe('expect.authorizeParams reads what the connector sent', () => {
  it('fails for prompt=consent when only the mock IdP added it (offline_access)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sent-params-'));
    const file = path.join(dir, 'scenario.yaml');
    await writeFile(file, scenario(path.resolve('fixtures/scenarios/idp/standard.yaml')));
    const { code } = await runCli(HARNESS_CLI, ['run', file, '-r', 'json', '-o', dir], { timeoutMs: 45_000 });
    expect(code).toBe(1);
    const report = JSON.parse(await readFile(path.join(dir, 'connector-harness.json'), 'utf8')) as {
      results: { checks: { id: string; status: string; message: string }[] }[];
    };
    const prompt = report.results[0]!.checks.find((check) => check.id === 'params.authorize.prompt');
    expect(prompt).toMatchObject({ status: 'fail', message: 'expected prompt=consent, the IdP got nothing' });
  });
});
