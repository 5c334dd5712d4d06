import { isUserError } from '../lib/user-error.ts';
import { loadScenarios } from '../harness/scenario/load.ts';
import { runScenarios } from '../harness/run.ts';
import { containerIdpLauncher } from '../harness/targets/logto-container/container-idp.ts';
import { ensureDbSnapshot } from '../harness/targets/logto-container/db-snapshot.ts';
import { resolveImages, type ResolvedImages } from '../harness/targets/logto-container/images.ts';
import { removeStack, withoutRyuk } from '../harness/targets/logto-container/stack-cleanup.ts';
import { detectContainerRuntime, newStackId, startLogtoStack } from '../harness/targets/logto-container/stack.ts';
import type { IdpLauncher } from '../harness/targets/logto/idp-launcher.ts';
import { createLogtoTarget } from '../harness/targets/logto/index.ts';
import { table } from './table.ts';

const ms = (value: number) => `${Math.round(value)} ms`;
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Times each launch: a fixture loaded onto a slot of the stack's IdP container. */
function timed(launcher: IdpLauncher, launches: number[]): IdpLauncher {
  return {
    async launch(fixture) {
      const started = performance.now();
      const idp = await launcher.launch(fixture);
      launches.push(performance.now() - started);
      return idp;
    },
  };
}

/** `-p` values the shipped suite runs at, one after the other on the same stack. */
const PARALLEL = (process.env.BENCH_CONTAINER_PARALLEL ?? '1,4').split(',').map(Number);

/**
 * The stack start and the shipped suite through Logto in containers at each -p of PARALLEL (every
 * scenario's mock IdP a slot of the stack's one IdP container). Skipped, with one line saying why,
 * without an engine or the images (it never pulls or builds them: `bash containers/build-images.sh` does).
 */
export async function benchContainers(): Promise<string> {
  withoutRyuk();
  const runtime = await detectContainerRuntime();
  if (!runtime.available) return `Logto in containers: skipped — ${runtime.reason}`;
  let images: ResolvedImages;
  try {
    images = await resolveImages(['postgres', 'logto', 'mockIdp'], () => {}, process.env, { acquire: false });
  } catch (error) {
    if (!isUserError(error)) throw error;
    return (
      `Logto in containers: skipped — ${error.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}` +
      ` (build them: bash containers/build-images.sh)`
    );
  }
  const stackId = newStackId();
  // A plain script: nothing else holds the event loop while a container starts (exit code 13).
  const hold = setInterval(() => {}, 60_000);
  const onSigint = () => void removeStack(stackId).finally(() => process.exit(130));
  process.once('SIGINT', onSigint);
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  try {
    // Made here when missing, so the stack row below is the start every later stack has.
    const snapshot = await ensureDbSnapshot(images, log);
    let launcher: ReturnType<typeof containerIdpLauncher> | undefined;
    const stack = await startLogtoStack({
      stackId,
      log,
      onNetwork: (network, labels, images) =>
        (launcher = containerIdpLauncher({ image: images.mockIdp, network, stackId, labels, log })),
    });
    const scenarios = await loadScenarios(['fixtures/scenarios']);
    const { timings } = stack;
    const rows: string[][] = [
      [
        'seeded database snapshot, once per image pair (before the stack)',
        snapshot.madeMs === undefined ? 'already here' : `made in ${ms(snapshot.madeMs)}`,
      ],
      [
        'stack start: sweep, images checked, network',
        `${ms(timings.sweep)}, ${ms(timings.images)}, ${ms(timings.network)}`,
      ],
      ['stack start: seeded database snapshot found', ms(timings.snapshot)],
      ['stack start: PostgreSQL on the snapshot ready (beside Logto)', ms(timings.postgres)],
      ['stack start: Logto core answering /api/status (beside PostgreSQL)', ms(timings.logto)],
      ['stack start: M2M app made', ms(timings.m2m)],
      ['stack start: total', ms(timings.total)],
    ];
    const launches: number[] = [];
    for (const parallel of PARALLEL) {
      log(`${scenarios.length} scenarios at -p ${parallel}`);
      const target = await createLogtoTarget({
        endpoint: stack.endpoint,
        m2mAppId: stack.m2mAppId,
        m2mAppSecret: stack.m2mAppSecret,
        resource: stack.resource,
        keep: false,
        idpLauncher: timed(launcher!, launches),
      });
      const started = performance.now();
      const results = await runScenarios(scenarios, target, { parallel }).finally(() => target.close?.());
      const suite = performance.now() - started;
      const durations = results.map((result) => result.durationMs).sort((a, b) => a - b);
      const failed = results.filter((result) => result.status !== 'passed').length;
      rows.push(
        [
          `-p ${parallel}: per scenario, median / p90 / max (${results.length})`,
          `${ms(quantile(durations, 0.5))} / ${ms(quantile(durations, 0.9))} / ${ms(durations.at(-1) ?? 0)}`,
        ],
        [`-p ${parallel}: whole suite${failed > 0 ? ` (${failed} not passed!)` : ''}`, ms(suite)],
      );
    }
    const loads = [...launches].sort((a, b) => a - b);
    rows.push([
      'a fixture loaded onto an IdP slot, median / p90',
      `${ms(quantile(loads, 0.5))} / ${ms(quantile(loads, 0.9))}`,
    ]);
    await launcher?.close();
    return [
      `Logto in containers (${stack.images.logto}, ${stack.images.postgres}, mock IdP ${stack.images.mockIdp}):`,
      table(['what', 'time'], rows),
    ].join('\n');
  } finally {
    await removeStack(stackId);
    process.off('SIGINT', onSigint);
    clearInterval(hold);
  }
}
