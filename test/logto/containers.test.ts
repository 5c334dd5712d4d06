import { afterAll, beforeAll, describe, it } from 'vitest';
import { detectContainerRuntime, startLogtoStack, type LogtoStack } from '../../harness/targets/logto/containers.ts';
import { expectShippedScenariosPass } from '../helpers/logto-suite.ts';

const runtime = await detectContainerRuntime();
if (!runtime.available) console.log(`skipped: testcontainers Logto suite — ${runtime.reason}; it needs Docker or Podman`);

describe.skipIf(!runtime.available)('the shipped scenarios against Logto in testcontainers', () => {
  let stack: LogtoStack;
  beforeAll(async () => {
    stack = await startLogtoStack({ log: (line) => console.log(line) });
  }, 600_000);
  afterAll(() => stack?.stop(), 120_000);

  it('gives every shipped scenario its documented result, with no finding against the prediction', () =>
    expectShippedScenariosPass({ endpoint: stack.endpoint, m2mAppId: stack.m2mAppId, m2mAppSecret: stack.m2mAppSecret, resource: stack.resource, idpPublicUrl: stack.idpPublicUrl, keep: false }), 900_000);
});
