import { rememberSecrets } from '../lib/mask.ts';
import type { RunContext, Scenario, ScenarioResult, Target } from './model.ts';

export interface RunOptions {
  parallel?: number;
  /** Called when a scenario finishes (progress display). */
  onResult?: (result: ScenarioResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Runs scenarios on a target, N at a time, keeping the input order in the results. */
export async function runScenarios(scenarios: Scenario[], target: Target, options: RunOptions = {}): Promise<ScenarioResult[]> {
  // The secret values the scenarios hold are masked wherever a report quotes them, under any name.
  rememberSecrets(...scenarios.map((scenario) => [scenario.config, scenario.idp.kind === 'fixture' ? scenario.idp.fixture.clients : []]));
  await target.prepare?.(scenarios);
  const results: ScenarioResult[] = new Array(scenarios.length);
  const limit = Math.max(1, Math.min(options.parallel ?? 1, scenarios.length || 1));
  let next = 0;
  let done = 0;
  const context: RunContext = { progress: () => {}, ...(options.signal ? { signal: options.signal } : {}) };
  const worker = async () => {
    while (next < scenarios.length && !options.signal?.aborted) {
      const index = next;
      next += 1;
      const scenario = scenarios[index]!;
      let result: ScenarioResult;
      const started = performance.now();
      try {
        result = await target.run(scenario, context);
      } catch (error) {
        // A crash in one scenario is reported as that scenario's error; the others still run.
        result = {
          name: scenario.name,
          file: scenario.file,
          ...(scenario.line && scenario.line > 1 ? { line: scenario.line } : {}),
          target: target.name,
          knownBad: scenario.knownBad,
          status: 'error',
          checks: [{ id: 'harness', title: 'Harness', status: 'fail', message: error instanceof Error ? error.message : String(error) }],
          durationMs: Math.round(performance.now() - started),
        };
      }
      results[index] = result;
      done += 1;
      options.onResult?.(result, done, scenarios.length);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results.filter(Boolean);
}
