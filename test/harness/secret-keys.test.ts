/**
 * A secret under a name only masking's rule knows (`partner_key`): run and record print it nowhere, record writes
 * it nowhere (its scenario holds a placeholder, its fixture requires the parameter without its value).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { HARNESS_CLI, runCli } from '../helpers/spawn-cli.ts';
import { quirkyMockIdp, writeConfig, type RealIdp } from './record/real-idps.ts';

const PARTNER_KEY = 'partner-key-value-0123456789';
const FIXTURE = path.resolve('fixtures/scenarios/idp/audience-required.yaml');

const running: RealIdp[] = [];
afterAll(async () => {
  await Promise.all(running.map((idp) => idp.stop()));
});

describe('a customConfig partner_key', { timeout: 90_000 }, () => {
  it('run --verbose prints it nowhere (the check that it reached the IdP says so masked)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'partner-key-'));
    const source = parse(await readFile('fixtures/scenarios/custom-config-audience.yaml', 'utf8')) as Record<
      string,
      any
    >;
    source.config.customConfig.partner_key = PARTNER_KEY;
    source.idp.fixture = FIXTURE;
    const file = path.join(dir, 'partner.yaml');
    await writeFile(file, stringify(source));
    const run = await runCli(HARNESS_CLI, ['run', file, '--verbose']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✓ customConfig\.partner_key: reached authorize and token/);
    expect(run.stdout + run.stderr).not.toContain(PARTNER_KEY);
    expect(run.stdout + run.stderr).not.toContain('value-0123456789');
  });

  it('record writes it nowhere and prints it nowhere; the replay still sends the parameter', async () => {
    const idp = await quirkyMockIdp(
      {},
      { customConfig: { partner_key: PARTNER_KEY, audience: 'https://api.example.com' } },
    );
    running.push(idp);
    const out = await mkdtemp(path.join(tmpdir(), 'recorded-partner-'));
    const run = await runCli(HARNESS_CLI, [
      'record',
      await writeConfig(idp.config),
      '--headless',
      '--out',
      out,
      '--verbose',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(PARTNER_KEY);
    const fixture = await readFile(path.join(out, 'idp/fixture.yaml'), 'utf8');
    const scenario = await readFile(path.join(out, 'scenario.yaml'), 'utf8');
    for (const text of [fixture, scenario]) expect(text).not.toContain(PARTNER_KEY);
    const written = parse(scenario) as { config: { customConfig: Record<string, string> } };
    expect(written.config.customConfig).toEqual({
      partner_key: expect.stringMatching(/^recorded-secret-\d+$/),
      audience: 'https://api.example.com',
    });
    expect((parse(fixture) as { requiredParams: Record<string, Record<string, unknown>> }).requiredParams).toEqual({
      authorize: { partner_key: true, audience: 'https://api.example.com' },
      token: { partner_key: true, audience: 'https://api.example.com' },
    });
    expect(run.stdout).toMatch(/replay: \d+ checks, the same verdicts as the live sign-in/);
  });

  it('record prints the authorization URL it must be opened at with the key masked, and says how to open it whole', async () => {
    const idp = await quirkyMockIdp({}, { customConfig: { partner_key: PARTNER_KEY } });
    running.push(idp);
    const run = await runCli(HARNESS_CLI, ['record', await writeConfig(idp.config), '--timeout', '1']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/\/authorize\?\S*partner_key=part…\(28\)/);
    expect(run.stderr).toContain('(a secret in this URL is masked here: --open gives the browser the whole URL)');
    expect(run.stderr).not.toContain(PARTNER_KEY);
  });
});
