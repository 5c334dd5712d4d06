import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadScenarios } from '../harness/scenario/load.ts';
import { runScenarios } from '../harness/run.ts';
import { createInProcessTarget } from '../harness/targets/in-process/index.ts';
import type { Scenario } from '../harness/model.ts';
import { PACKAGE_ROOT } from '../lib/package-root.ts';
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
  const [, onSecondThread] = target.observedPerThread();
  await target.close?.();
  const failed = results.filter((result) => result.status !== 'passed').length;
  return {
    elapsed,
    perSecond: (scenarios.length / elapsed) * 1000,
    heapPerScenario: (heapAfterRun - heapBefore) / scenarios.length,
    rssGrowth: rssAfterRun - rssBefore,
    onSecondThread,
    failed,
  };
}

export async function benchHarness(): Promise<string> {
  const scenarios = await suite();
  // Warm-up, not measured: module loading and JIT, on both threads (--parallel starts the second one, which a process
  // keeps for its next run, as it keeps the modules it loaded).
  await measure(scenarios.slice(0, 40), 4);
  const rows: string[][] = [];
  for (const parallel of [1, 4, 8]) {
    const result = await measure(scenarios, parallel);
    rows.push([
      parallel === 1 ? 'sequential' : `--parallel ${parallel}`,
      `${(result.elapsed / 1000).toFixed(2)} s`,
      result.perSecond.toFixed(0),
      `${(result.heapPerScenario / 1024).toFixed(0)} KiB`,
      `${(result.rssGrowth / 1024 / 1024).toFixed(0)} MiB`,
      String(result.onSecondThread),
      String(result.failed),
    ]);
  }
  return (
    `harness, in-process target: ${scenarios.length} scenarios (the shipped suite repeated; target: 100 in under 3 s)\n` +
    `${table(['mode', 'wall time', 'scenarios/s', 'heap per scenario (main thread)', 'RSS growth', 'on the 2nd thread', 'not passed'], rows)}`
  );
}

const CLI = path.join(PACKAGE_ROOT, 'bin', 'connector-harness.js');
const run = promisify(execFile);

/** Wall time of the CLI with these arguments, as a CI job sees it (process start included). */
async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  // Exit 1 (a scenario not passed) is a result here, not a failure of the bench.
  await run(process.execPath, [CLI, ...args], { cwd: PACKAGE_ROOT, maxBuffer: 64 << 20 }).catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 1) throw error;
  });
  return performance.now() - started;
}

/**
 * The shipped suite as one CLI run, and as 2 shards run side by side (two CI jobs on this machine's two cores) whose
 * JSON reports merge-reports turns into one run's reports: what a matrix job and its final job each wait for.
 */
export async function benchShards(): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'bench-shards-'));
  try {
    const folder = 'fixtures/scenarios';
    const whole = await timed(['run', folder, '-q', '-r', 'json', '-o', path.join(out, 'whole')]);
    const started = performance.now();
    const shards = await Promise.all(
      [1, 2].map((index) =>
        timed(['run', folder, '-q', '--shard', `${index}/2`, '-r', 'json', '-o', path.join(out, `shard-${index}`)]),
      ),
    );
    const bothShards = performance.now() - started;
    const reports = [1, 2].map((index) => path.join(out, `shard-${index}`, 'connector-harness.json'));
    const merge = await timed([
      'merge-reports',
      ...reports,
      '-q',
      '-r',
      'json',
      '-r',
      'junit',
      '-r',
      'html',
      '-o',
      out,
    ]);
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    return (
      `the shipped suite through the CLI, in-process target, whole and as 2 shards side by side, then merge-reports\n` +
      table(
        ['what', 'wall time'],
        [
          ['one run, all scenario files', ms(whole)],
          ['shard 1/2 / shard 2/2', `${ms(shards[0]!)} / ${ms(shards[1]!)}`],
          ['both shards side by side', ms(bothShards)],
          ['merge-reports (JSON, JUnit, HTML)', ms(merge)],
        ],
      )
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
