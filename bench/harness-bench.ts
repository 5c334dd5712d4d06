import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadScenarios } from '../harness/scenario/load.ts';
import { runScenarios } from '../harness/run.ts';
import { createInProcessTarget } from '../harness/targets/in-process/index.ts';
import type { Scenario } from '../harness/model.ts';
import { table } from './table.ts';

const SUITE_SIZE = 120;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The shipped scenarios, repeated until the suite has SUITE_SIZE (same fixtures, so IdPs are shared). */
async function suite(): Promise<Scenario[]> {
  const shipped = await loadScenarios(['fixtures/scenarios']);
  return Array.from({ length: SUITE_SIZE }, (_, index) => {
    const scenario = shipped[index % shipped.length]!;
    return { ...scenario, name: `${scenario.name} #${index}` };
  });
}

async function measure(scenarios: Scenario[], parallel: number) {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const target = createInProcessTarget();
  const started = performance.now();
  const results = await runScenarios(scenarios, target, { parallel });
  const elapsed = performance.now() - started;
  const heapAfterRun = process.memoryUsage().heapUsed;
  const rssAfterRun = process.memoryUsage().rss;
  await target.close?.();
  const failed = results.filter((result) => result.status !== 'passed').length;
  return {
    elapsed,
    perSecond: (scenarios.length / elapsed) * 1000,
    heapPerScenario: (heapAfterRun - heapBefore) / scenarios.length,
    rssGrowth: rssAfterRun - rssBefore,
    failed,
  };
}

export async function benchHarness(): Promise<string> {
  const scenarios = await suite();
  await measure(scenarios.slice(0, 10), 1); // warm-up: module loading and JIT, not measured
  const rows: string[][] = [];
  for (const parallel of [1, 4, 8]) {
    const result = await measure(scenarios, parallel);
    rows.push([
      parallel === 1 ? 'sequential' : `--parallel ${parallel}`,
      `${(result.elapsed / 1000).toFixed(2)} s`,
      result.perSecond.toFixed(0),
      `${(result.heapPerScenario / 1024).toFixed(0)} KiB`,
      `${(result.rssGrowth / 1024 / 1024).toFixed(0)} MiB`,
      String(result.failed),
    ]);
  }
  return (
    `harness, in-process target: ${scenarios.length} scenarios (the shipped suite repeated; target: 100 in under 3 s)\n` +
    `${table(['mode', 'wall time', 'scenarios/s', 'heap per scenario', 'RSS growth', 'not passed'], rows)}`
  );
}
