import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { runScenarios } from '../../harness/run.ts';
import { createLogtoTarget } from '../../harness/targets/logto/index.ts';
import { detectContainerRuntime, startLogtoStack, type LogtoStack } from '../../harness/targets/logto/containers.ts';

const runtime = await detectContainerRuntime();
if (!runtime.available) console.log(`skipped: testcontainers Logto suite — ${runtime.reason}; it needs Docker or Podman`);

describe.skipIf(!runtime.available)('the shipped scenarios against Logto in testcontainers', () => {
  let stack: LogtoStack;
  beforeAll(async () => {
    stack = await startLogtoStack({ log: (line) => console.log(line) });
  }, 600_000);
  afterAll(() => stack?.stop(), 120_000);

  it('gives every shipped scenario its documented result, with no finding against the prediction', async () => {
    const target = await createLogtoTarget({ endpoint: stack.endpoint, m2mAppId: stack.m2mAppId, m2mAppSecret: stack.m2mAppSecret, resource: stack.resource, idpPublicUrl: stack.idpPublicUrl, keep: false });
    try {
      const results = await runScenarios(await loadScenarios(['fixtures/scenarios']), target);
      const failing = results.filter((result) => result.status !== 'passed');
      expect(failing.map((result) => ({ name: result.name, checks: result.checks.filter((check) => check.status === 'fail') }))).toEqual([]);
    } finally {
      await target.close?.();
    }
  }, 900_000);
});
