import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXPIRY_WAIT_SECONDS } from '../../harness/targets/logto/token-use/plan.ts';
import { getContainerRuntimeClient } from 'testcontainers';
import { loadScenario, loadScenarios } from '../../harness/scenario/load.ts';
import type { Scenario } from '../../harness/scenario/scenario.ts';
import { runScenarios } from '../../harness/run.ts';
import type { ScenarioResult } from '../../harness/model.ts';
import { createInProcessTarget } from '../../harness/targets/in-process/index.ts';
import { containerIdpLauncher } from '../../harness/targets/logto-container/container-idp.ts';
import {
  detectContainerRuntime,
  startLogtoStack,
  type LogtoStack,
} from '../../harness/targets/logto-container/stack.ts';
import { createLogtoTarget } from '../../harness/targets/logto/index.ts';
import type { LogtoTargetOptions } from '../../harness/targets/logto/options.ts';
import { ManagementClient } from '../../harness/logto-api/management-client.ts';
import { stopWithoutLeftovers } from '../helpers/docker-leftovers.ts';
import { linkingTests } from './through-logto/linking.ts';
import { findings, suiteRun, type SuiteRun } from './through-logto/results.ts';
import { logTokenStorage, tokenStorageTests } from './through-logto/token-storage.ts';

const runtime = await detectContainerRuntime();
if (!runtime.available)
  console.log(`skipped: testcontainers Logto suite — ${runtime.reason}; it needs Docker or Podman`);

const verdicts = (results: ScenarioResult[]) => results.map((result) => ({ name: result.name, status: result.status }));

/** Runs a command in one of the stack's containers; returns its output. */
async function execIn(containerName: string, command: string[]): Promise<{ exitCode: number; output: string }> {
  const client = await getContainerRuntimeClient();
  return client.container.exec(client.container.getById(containerName), command);
}

const PARALLEL = 4;

// One stack for the file, and one run of the shipped suite on it, 4 at a time: every assertion about
// Logto's verdicts, its token storage and its account linking reads that run (a stack start and a
// run of the suite are what cost here). The host port for an in-process IdP is exposed too.
describe.skipIf(!runtime.available)('Logto in testcontainers', () => {
  let stack: LogtoStack;
  let logtoOptions: LogtoTargetOptions;
  let management: ManagementClient;
  let accountCenterBefore: unknown;
  let scenarios: Scenario[];
  let expected: ScenarioResult[];
  let suite: SuiteRun;
  let pair: ScenarioResult[];
  beforeAll(async () => {
    stack = await startLogtoStack({ hostIdp: true, log: (line) => console.log(line) });
    console.log(
      `stack ready in ${stack.timings.total} ms (PostgreSQL ${stack.timings.postgres} ms, Logto ${stack.timings.logto} ms)`,
    );
    logtoOptions = {
      endpoint: stack.endpoint,
      m2mAppId: stack.m2mAppId,
      m2mAppSecret: stack.m2mAppSecret,
      resource: stack.resource,
      keep: false,
    };
    management = new ManagementClient({
      endpoint: stack.endpoint,
      appId: stack.m2mAppId,
      appSecret: stack.m2mAppSecret,
      resource: stack.resource,
    });
    accountCenterBefore = await management.getAccountCenter();
    scenarios = await loadScenarios(['fixtures/scenarios']);
    const inProcess = createInProcessTarget();
    expected = await runScenarios(scenarios, inProcess).finally(() => inProcess.close?.());
    const target = await createLogtoTarget({
      ...logtoOptions,
      idpLauncher: containerIdpLauncher({
        image: stack.images.mockIdp,
        network: stack.network,
        stackId: stack.stackId,
      }),
    });
    const wrong = { ...(await loadScenario('fixtures/scenarios/known-bad/wrong-auth-method.yaml')), knownBad: false };
    try {
      const started = performance.now();
      // In parallel, as `-p 4` runs them: what they share in Logto is changed one step at a time.
      const results = await runScenarios(scenarios, target, { parallel: PARALLEL });
      console.log(
        `${results.length} scenarios through Logto in containers, ${PARALLEL} at a time, in ${Math.round(performance.now() - started)} ms: ` +
          `${results.map((result) => `${result.name} ${result.durationMs} ms`).join('; ')}`,
      );
      logTokenStorage(results);
      suite = suiteRun(results);
      // The same wrong config signing in, then linking, side by side.
      pair = await runScenarios([wrong, { ...wrong, link: { action: 'link', linkingOnly: false } }], target);
    } finally {
      await target.close?.();
    }
  }, 900_000);
  afterAll(() => stopWithoutLeftovers(stack), 120_000);

  it('gives every shipped scenario the same verdict through Logto (the stack’s IdP container, 4 at a time) as in-process', () => {
    const { results } = suite;
    expect(results.length).toBeGreaterThan(20);
    expect(verdicts(results)).toEqual(verdicts(expected));
    expect(new Set(expected.map((result) => result.status))).toEqual(new Set(['passed']));
    expect(findings(results)).toEqual([]);
    // Every token-storage sign-in whose token dies within the harness's wait drove Logto's refresh path
    // (Account API after expiry) as predicted; a link is judged by logto.link.*, a long-lived token is not watched.
    const tokenStorage = new Set(
      scenarios
        .filter(
          (scenario) =>
            scenario.enableTokenStorage &&
            !scenario.link &&
            scenario.idp.kind === 'fixture' &&
            scenario.idp.fixture.accessTokenTtlSeconds <= MAX_EXPIRY_WAIT_SECONDS,
        )
        .map((scenario) => scenario.name),
    );
    expect(tokenStorage.size).toBeGreaterThan(3);
    expect(
      results
        .filter(
          (result) =>
            tokenStorage.has(result.name) &&
            result.checks.find((check) => check.id === 'logto.token-storage.after-expiry')?.status !== 'pass',
        )
        .map((result) => result.name),
    ).toEqual([]);
    // The IdP's journal was read through its mapped port: Logto's token requests were compared.
    expect(
      results.filter((result) => result.checks.some((check) => check.id === 'logto.idp.token-request')).length,
    ).toBeGreaterThan(10);
  });

  describe('token storage (Account API, refresh)', () => tokenStorageTests(() => suite));

  describe('account linking (Account API)', () => linkingTests(() => ({ suite, pair })));

  it('serves every IdP from one container at its alias: issuers, discovery and the token endpoint name that URL from inside Logto', async () => {
    const scenarios = await loadScenarios([
      'fixtures/scenarios/client-secret-jwt-hs384.yaml',
      'fixtures/scenarios/github-like.yaml',
    ]);
    const fixtures = scenarios.map((scenario) => {
      if (scenario.idp.kind !== 'fixture') throw new Error('the scenario names a fixture');
      return scenario.idp.fixture;
    });
    const launcher = containerIdpLauncher({
      image: stack.images.mockIdp,
      network: stack.network,
      stackId: stack.stackId,
    });
    const idps = await Promise.all(fixtures.map((fixture) => launcher.launch(fixture)));
    try {
      const hosts = idps.map((idp) => new URL(idp.issuer));
      expect(idps[0]!.issuer).toMatch(/^http:\/\/idp-[0-9a-f]+:40(0[1-9]|1[0-6])$/);
      expect(hosts[1]!.hostname).toBe(hosts[0]!.hostname);
      expect(hosts[1]!.port).not.toBe(hosts[0]!.port);
      for (const idp of idps) {
        const script = `fetch('${idp.issuer}/.well-known/openid-configuration').then((r) => r.json()).then((d) => console.log(JSON.stringify(d)))`;
        const { exitCode, output } = await execIn(`connector-harness-${stack.stackId}-logto`, ['node', '-e', script]);
        expect(exitCode, output).toBe(0);
        const discovery = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, string>;
        expect(discovery).toMatchObject({
          issuer: idp.issuer,
          token_endpoint: `${idp.issuer}/token`,
          jwks_uri: `${idp.issuer}/jwks`,
        });
        // …and this process reaches the same IdP through the mapped port.
        expect((await fetch(idp.reachable(`${idp.issuer}/_health`))).status).toBe(200);
      }
      // Each its own journal: Logto's discovery request is in one, not the other.
      const journals = await Promise.all(idps.map((idp) => idp.journal()));
      expect(journals.map((journal) => journal.filter((entry) => entry.endpoint === 'discovery').length)).toEqual([
        1, 1,
      ]);
      // One container serves both.
      const client = await getContainerRuntimeClient();
      const containers = await client.container.list();
      const idpContainers = containers.filter((info) =>
        info.Names.some((name) => name.startsWith(`/connector-harness-${stack.stackId}-idp-`)),
      );
      expect(idpContainers.map((info) => info.Names[0])).toEqual([
        `/connector-harness-${stack.stackId}-${hosts[0]!.hostname}`,
      ]);
    } finally {
      await Promise.all(idps.map((idp) => idp.stop()));
      await launcher.close();
    }
  }, 120_000);

  // After the suite above: the bootstrap M2M app must have survived each target's removal of leftovers.
  it('runs a scenario with the IdP in this process, which Logto reaches through the exposed host port (sshd)', async () => {
    const scenarios = await loadScenarios(['fixtures/scenarios/standard-post.yaml']);
    const target = await createLogtoTarget({ ...logtoOptions, idpPublicUrl: stack.idpPublicUrl! });
    const [result] = await runScenarios(scenarios, target).finally(() => target.close?.());
    expect(verdicts([result!])).toEqual([{ name: scenarios[0]!.name, status: 'passed' }]);
    expect(findings([result!])).toEqual([]);
    expect(result!.checks.find((check) => check.id === 'logto.idp.token-request')?.status).toBe('pass');
  }, 120_000);

  // Last: after every run on this stack, each target removed what it made, and put the shared settings back.
  it('leaves nothing in Logto: users, connectors, the account center as it was', async () => {
    expect(await management.getAccountCenter()).toEqual(accountCenterBefore);
    expect(await management.searchUsers('+harness-')).toEqual([]);
    expect(
      (await management.listConnectors()).filter((connector) => connector.metadata.target?.startsWith('harness-')),
    ).toEqual([]);
  });
});
