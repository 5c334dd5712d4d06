import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInProcessTarget, loadScenarios, reporters, runScenarios, targets } from '../../harness/index.ts';
import { fixtureKey } from '../../harness/flow/idp-pool.ts';

describe('library entry', () => {
  it('loads, runs and renders through harness/index.ts', async () => {
    const scenarios = await loadScenarios(['fixtures/scenarios/github-like.yaml']);
    const target = targets.inProcess();
    try {
      const results = await runScenarios(scenarios, target);
      expect(results[0]).toMatchObject({ status: 'passed', connectorVersion: '1.7.8', target: 'in-process' });
      expect(reporters.terminal(results, { color: false, verbose: false })).toMatch(/1 passed, 0 failed$/);
      expect(reporters.summarize(results)).toMatchObject({ total: 1, passed: 1 });
      expect(JSON.parse(reporters.json(results, {})).summary.passed).toBe(1);
      expect(reporters.junit(results)).toContain('tests="1" failures="0"');
    } finally {
      await target.close?.();
    }
  });
});

describe('one mock IdP per fixture', () => {
  it('scenario files naming the same fixture, or inlining equal ones, share one IdP', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pool-'));
    const fixture = path.resolve('fixtures/scenarios/idp/standard.yaml');
    const inline =
      '{ clients: [{ clientId: c, clientSecret: s-0123456789, tokenEndpointAuthMethod: client_secret_post }],' +
      ' defaultUser: u, users: [{ id: u, profile: { sub: u } }] }';
    const scenario = (name: string, clientId: string, secret: string, idp: string) => `name: ${name}
config:
  authorizationEndpoint: "{{issuer}}/authorize"
  tokenEndpoint: "{{issuer}}/token"
  userInfoEndpoint: "{{issuer}}/userinfo"
  clientId: ${clientId}
  clientSecret: ${secret}
  tokenEndpointAuthMethod: client_secret_post
  tokenEndpointResponseType: json
  profileMap: { id: sub }
idp: ${idp}
`;
    for (let index = 0; index < 6; index += 1) {
      await writeFile(
        path.join(dir, `file-${index}.yaml`),
        scenario(`file ${index}`, 'post-client', 'post-secret-0123456789', `{ fixture: ${JSON.stringify(fixture)} }`),
      );
      await writeFile(
        path.join(dir, `inline-${index}.yaml`),
        scenario(`inline ${index}`, 'c', 's-0123456789', `{ fixture: ${inline} }`),
      );
    }
    const scenarios = await loadScenarios([dir]);
    const fixtures = scenarios.map((loaded) => (loaded.idp.kind === 'fixture' ? loaded.idp.fixture : undefined));
    expect(new Set(fixtures).size).toBe(7); // a fixture file is read once, each inline one is its own object…
    expect(new Set(fixtures.map((fixture) => fixtureKey(fixture!))).size).toBe(2); // …two contents
    const target = createInProcessTarget();
    try {
      const results = await runScenarios(scenarios, target);
      expect(results.map((result) => result.status)).toEqual(Array(12).fill('passed'));
      expect(target.idpsStarted()).toBe(2);
      // In parallel a running scenario leases an IdP for itself (its journal slice stays its own).
      const parallel = await runScenarios(scenarios, target, { parallel: 6 });
      expect(parallel.map((result) => result.status)).toEqual(Array(12).fill('passed'));
      // At most two per fixture on each thread (the second one takes a share with --parallel), however parallel.
      expect(target.idpsStarted()).toBeLessThanOrEqual(8);
    } finally {
      await target.close?.();
    }
  });
});

describe('an IdP given by URL', () => {
  it('a running mock-idp: its /_journal feeds the same checks; runs against it take turns', async () => {
    const { startMockIdp, loadFixture } = await import('../../mock-idp/index.ts');
    const idp = await startMockIdp(await loadFixture('fixtures/scenarios/idp/standard.yaml'), { port: 0 });
    const dir = await mkdtemp(path.join(tmpdir(), 'url-'));
    const { readFile } = await import('node:fs/promises');
    for (const file of ['standard-post.yaml', 'known-bad/wrong-auth-method.yaml']) {
      const text = (await readFile(path.join('fixtures/scenarios', file), 'utf8')).replace(
        /idp: \{ fixture: [^}]+\}/,
        `idp: { url: "${idp.issuer}" }`,
      );
      await writeFile(path.join(dir, path.basename(file)), text);
    }
    const target = createInProcessTarget();
    try {
      const results = await runScenarios(await loadScenarios([dir]), target, { parallel: 2 });
      expect(results.map((result) => result.status)).toEqual(['passed', 'passed']);
      const wrong = results.find((result) => result.knownBad)!;
      expect(wrong.checks.find((check) => check.id === 'auth.method')).toMatchObject({
        status: 'fail',
        hint: 'set "tokenEndpointAuthMethod": "client_secret_basic" in the connector config',
      });
      expect(
        results.find((result) => !result.knownBad)!.checks.find((check) => check.id === 'auth.method')?.status,
      ).toBe('pass');
      expect(target.idpsStarted()).toBe(0);
      expect(target.observedPerThread()).toEqual([2, 0]); // the thread whose runs take turns: the main one
    } finally {
      await target.close?.();
      await idp.stop();
    }
  });
});
