import { expect } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { runScenarios } from '../../harness/run.ts';
import { createLogtoTarget } from '../../harness/targets/logto/index.ts';
import type { LogtoTargetOptions } from '../../harness/targets/logto/options.ts';

/** Every shipped scenario through a real Logto: its documented result, no finding against the prediction. */
export async function expectShippedScenariosPass(options: LogtoTargetOptions): Promise<void> {
  const target = await createLogtoTarget(options);
  try {
    const results = await runScenarios(await loadScenarios(['fixtures/scenarios']), target);
    const failing = results.filter((result) => result.status !== 'passed');
    expect(
      failing.map((result) => ({
        name: result.name,
        checks: result.checks.filter((check) => check.status === 'fail'),
      })),
    ).toEqual([]);
  } finally {
    await target.close?.();
  }
}
