import { rememberSecrets } from '../lib/mask.ts';
import { isUserError, type UserError } from '../lib/user-error.ts';
import type { RunContext, Scenario, ScenarioResult, Target } from './model.ts';

export interface RunOptions {
  parallel?: number;
  /** Called when a scenario finishes (progress display); not for one cut short by the signal. */
  onResult?: (result: ScenarioResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RunOutcome {
  /** Scenarios that ran to the end, in input order. */
  results: ScenarioResult[];
  /** Running when the signal fired: whatever they returned is an artefact of the interruption, not a verdict. */
  interrupted: Scenario[];
  /** Never started because the signal fired first. */
  notStarted: Scenario[];
}

/** Runs scenarios on a target, N at a time, keeping the input order in the results. */
export async function runScenarios(
  scenarios: Scenario[],
  target: Target,
  options: RunOptions = {},
): Promise<ScenarioResult[]> {
  return (await runScenariosUntilAborted(scenarios, target, options)).results;
}

/** As runScenarios, and says which scenarios an abort (Ctrl-C) cut short or kept from starting. */
export async function runScenariosUntilAborted(
  scenarios: Scenario[],
  target: Target,
  options: RunOptions = {},
): Promise<RunOutcome> {
  // The secret values the scenarios hold are masked wherever a report quotes them, under any name.
  rememberSecrets(
    ...scenarios.map((scenario) => [
      scenario.config,
      scenario.idp.kind === 'fixture' ? scenario.idp.fixture.clients : [],
    ]),
  );
  await target.prepare?.(scenarios);
  const results: Array<ScenarioResult | undefined> = new Array<ScenarioResult | undefined>(scenarios.length);
  const interrupted = new Set<number>();
  const limit = Math.max(1, Math.min(options.parallel ?? 1, scenarios.length || 1));
  let next = 0;
  let done = 0;
  // A target that cannot go on (its endpoint answers as something else than Logto) throws a UserError:
  // no scenario's verdict, bad input for the whole run; no further scenario starts, and it is rethrown.
  let stopped: UserError | undefined;
  const context: RunContext = { progress: () => {}, ...(options.signal ? { signal: options.signal } : {}) };
  const worker = async () => {
    while (next < scenarios.length && !options.signal?.aborted && !stopped) {
      const index = next;
      next += 1;
      const scenario = scenarios[index]!;
      let result: ScenarioResult;
      const started = performance.now();
      try {
        result = await target.run(scenario, context);
      } catch (error) {
        if (isUserError(error)) {
          stopped ??= error;
          return;
        }
        // A crash in one scenario is reported as that scenario's error; the others still run.
        result = {
          name: scenario.name,
          file: scenario.file,
          ...(scenario.line && scenario.line > 1 ? { line: scenario.line } : {}),
          target: target.name,
          knownBad: scenario.knownBad,
          status: 'error',
          checks: [
            {
              id: 'harness',
              title: 'Harness',
              status: 'fail',
              message: error instanceof Error ? error.message : String(error),
            },
          ],
          durationMs: Math.round(performance.now() - started),
        };
      }
      if (options.signal?.aborted) {
        interrupted.add(index);
        continue;
      }
      results[index] = result;
      done += 1;
      options.onResult?.(result, done, scenarios.length);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (stopped) throw stopped;
  return {
    results: results.filter((result): result is ScenarioResult => Boolean(result)),
    interrupted: scenarios.filter((_, index) => interrupted.has(index)),
    notStarted: scenarios.slice(next),
  };
}
