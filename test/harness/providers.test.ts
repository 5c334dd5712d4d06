import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { providerForEndpoints, providers, PROVIDERS_DIR } from '../../harness/providers/catalog.ts';
import { initProvider } from '../../harness/providers/init.ts';
import { UserError } from '../../lib/user-error.ts';
import { providerListJson, renderProviderList } from '../../harness/providers/list.ts';
import { factTallies, isCited, loadProviderFacts } from '../../harness/providers/facts.ts';
import { runScenarios } from '../../harness/run.ts';
import { configProblems } from '../../harness/scenario/config-guard.ts';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { createInProcessTarget } from '../../harness/targets/in-process/index.ts';

const projectRoot = process.cwd();
const dir = await mkdtemp(path.join(tmpdir(), 'provider-init-'));
const target = createInProcessTarget();
afterAll(async () => {
  await target.close?.();
  await rm(dir, { recursive: true, force: true });
});

describe('provider library', () => {
  it('has at least 32 providers, every folder in the catalog and every catalog entry a folder', async () => {
    const folders = (await readdir(PROVIDERS_DIR, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(providers.length).toBeGreaterThanOrEqual(32);
    expect(providers.map((provider) => provider.id).sort()).toEqual(folders);
  });

  it.each(providers.map((provider) => [provider.id, provider] as const))(
    '%s: a known-bad scenario per trap family, a good one when the generic connector works',
    async (_id, provider) => {
      const scenarios = await loadScenarios([path.join(PROVIDERS_DIR, provider.id)]);
      expect(scenarios.filter((scenario) => scenario.knownBad).length).toBeGreaterThanOrEqual(1);
      expect(scenarios.some((scenario) => !scenario.knownBad)).toBe(provider.generic === 'yes');
      for (const scenario of scenarios) expect(scenario.idp.kind).toBe('fixture');
    },
  );

  it('list-providers names every provider and what to do for those the generic connector cannot serve', async () => {
    const text = renderProviderList(await factTallies(projectRoot));
    for (const provider of providers) expect(text).toContain(provider.id);
    expect(text).toMatch(/^x +X \(Twitter\): generic connectors cannot work → Logto's X \(Twitter\) connector$/m);
    expect(text).toMatch(/^ +note: +no SAFE generic config: X also accepts plain PKCE/m);
  });

  it('list-providers shows per provider how many of its facts are cited, the same counts as its facts.yaml', async () => {
    const tallies = await factTallies(projectRoot);
    const text = renderProviderList(tallies);
    const blocks = text.split(/\n(?=\S)/);
    for (const provider of providers) {
      const facts = await loadProviderFacts(projectRoot, provider);
      const cited = facts.filter((fact) => isCited(fact.source)).length;
      const block = blocks.find((lines) => lines.startsWith(`${provider.id} `));
      expect(block, provider.id).toContain(
        `facts:  ${cited} of ${facts.length} cited, ${facts.length - cited} unverified`,
      );
    }
    const total = [...tallies.values()].reduce((sum, tally) => sum + tally.cited + tally.unverified, 0);
    expect(text).toMatch(new RegExp(`^${providers.length} providers, \\d+ of ${total} facts cited`, 'm'));
  });

  it('list-providers --json gives tools every provider with its verdict, traps, identity notes and fact counts', async () => {
    const tallies = await factTallies(projectRoot);
    const json = JSON.parse(JSON.stringify(providerListJson(tallies))) as Array<Record<string, unknown>>;
    expect(json.map((entry) => entry.id)).toEqual(providers.map((provider) => provider.id));
    const byId = new Map(json.map((entry) => [entry.id, entry]));
    expect(byId.get('x')).toMatchObject({ generic: false, dedicated: 'X (Twitter)' });
    expect(byId.get('github')).toMatchObject({ generic: 'oauth2', facts: tallies.get('github') });
    expect(byId.get('wechat')?.identityKey).toMatch(/unionid \?\? openid/);
    expect(byId.get('entra-id')?.identityKey).toMatch(/Graph \/me id.*sub/);
    for (const id of ['kakao', 'discord', 'gitlab'])
      expect(byId.get(id)?.unverifiedEmail, id).toMatch(/keeps it whatever/);
  });

  it.each(providers.map((provider) => [provider.id, provider] as const))(
    '%s: every fact carries its source (a URL or Logto connector path) or says unverified',
    async (_id, provider) => {
      const facts = await loadProviderFacts(projectRoot, provider);
      expect(facts.length).toBeGreaterThanOrEqual(3);
      for (const fact of facts) {
        expect(fact.source, fact.claim).toMatch(/^unverified\b|https?:\/\/|logto:packages\//i);
        if (isCited(fact.source)) expect(fact.source).not.toMatch(/^unverified/i);
      }
    },
  );

  it("a trap with no source is marked as a guess, never as the provider's behaviour", () => {
    const hf = providers.find((provider) => provider.id === 'huggingface')!;
    expect(hf.traps.every((trap) => trap.startsWith('guess:'))).toBe(true);
  });
});

describe('audit recognises the providers by their real endpoints', () => {
  it.each([
    ['apple', 'https://appleid.apple.com/auth/authorize', 'https://appleid.apple.com/auth/token'],
    [
      'keycloak',
      'https://sso.corp.example/realms/staff/protocol/openid-connect/auth',
      'https://sso.corp.example/realms/staff/protocol/openid-connect/token',
    ],
    [
      'aws-cognito',
      'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
      'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token',
    ],
    [
      'zitadel',
      'https://acme-abc123.zitadel.cloud/oauth/v2/authorize',
      'https://acme-abc123.zitadel.cloud/oauth/v2/token',
    ],
    ['zitadel', 'https://login.corp.example/oauth/v2/authorize', 'https://login.corp.example/oauth/v2/token'],
    [
      'authentik',
      'https://auth.corp.example/application/o/authorize/',
      'https://auth.corp.example/application/o/token/',
    ],
    [
      'salesforce',
      'https://login.salesforce.com/services/oauth2/authorize',
      'https://login.salesforce.com/services/oauth2/token',
    ],
    [
      'salesforce',
      'https://test.salesforce.com/services/oauth2/authorize',
      'https://test.salesforce.com/services/oauth2/token',
    ],
    ['twitch', 'https://id.twitch.tv/oauth2/authorize', 'https://id.twitch.tv/oauth2/token'],
    ['dropbox', 'https://www.dropbox.com/oauth2/authorize', 'https://api.dropboxapi.com/oauth2/token'],
    ['spotify', 'https://accounts.spotify.com/authorize', 'https://accounts.spotify.com/api/token'],
    ['bitbucket', 'https://bitbucket.org/site/oauth2/authorize', 'https://bitbucket.org/site/oauth2/access_token'],
    ['reddit', 'https://www.reddit.com/api/v1/authorize', 'https://www.reddit.com/api/v1/access_token'],
    ['notion', 'https://api.notion.com/v1/oauth/authorize', 'https://api.notion.com/v1/oauth/token'],
    ['atlassian', 'https://auth.atlassian.com/authorize', 'https://auth.atlassian.com/oauth/token'],
  ])('%s: %s', (id, authorize, token) => {
    expect(providerForEndpoints(authorize, token)?.id).toBe(id);
  });

  it('does not take an unknown IdP for a self-hosted product because of a look-alike path', () => {
    expect(
      providerForEndpoints('https://idp.example/oauth2/authorize', 'https://idp.example/oauth2/token'),
    ).toBeUndefined();
    expect(
      providerForEndpoints('https://idp.example/application/authorize', 'https://idp.example/realms/token'),
    ).toBeUndefined();
  });
});

describe('connector-harness init', () => {
  it.each(providers.map((provider) => [provider.id] as const))(
    '%s: writes a scenario that validates and runs with its documented result',
    async (id) => {
      const file = await initProvider(id, path.join(dir, 'nested', `${id}.yaml`), { projectRoot });
      const [scenario] = await loadScenarios([file]);
      expect(scenario).toBeDefined();
      const problems = await configProblems(scenario!, { projectRoot });
      if (!scenario!.knownBad) expect(problems).toEqual([]);
      const [result] = await runScenarios([scenario!], target, {});
      expect(
        result?.status,
        JSON.stringify(
          result?.checks.filter((check) => check.status !== 'pass'),
          null,
          2,
        ),
      ).toBe('passed');
    },
  );

  it('refuses to overwrite, and names the providers for an unknown one', async () => {
    const file = path.join(dir, 'twice.yaml');
    await initProvider('github', file, { projectRoot });
    await expect(initProvider('github', file, { projectRoot })).rejects.toThrow(/already exists/);
    await expect(initProvider('gihtub', undefined, { projectRoot })).rejects.toThrow(/no provider "gihtub"/);
  });

  // Each a UserError (exit 2, no stack trace) naming --out; /proc/x/… made Node's recursive mkdir spin forever.
  it.each([
    ['a folder', () => dir, /--out: is a folder; --out names the scenario file to write/],
    [
      'a file inside a file',
      () => path.join(dir, 'twice.yaml', 'x.yaml'),
      /--out: .*twice\.yaml: is a file, not a folder/,
    ],
    [
      'a folder nothing can be created in',
      () => '/proc/harness-init-test/x.yaml',
      /--out: \/proc\/harness-init-test: cannot write there/,
    ],
    ['a device that refuses the write', () => '/dev/full', /\/dev\/full --out: cannot write it \(ENOSPC\)/],
  ])(
    'refuses an --out that is %s as bad input, with --force too',
    async (_what, out, message) => {
      await initProvider('github', path.join(dir, 'twice.yaml'), { projectRoot, force: true });
      const error: unknown = await initProvider('github', out(), { projectRoot, force: true }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(message);
    },
    10_000,
  );
});
