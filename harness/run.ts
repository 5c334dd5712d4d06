import { rememberSecrets } from '../lib/mask.ts';
import { isUserError, type UserError } from '../lib/user-error.ts';
import type { RunContext, Scenario, ScenarioResult, Target } from './model.ts';
import { crashObserved, scenarioResult } from './result.ts';
import { fixtureSecrets } from './scenario/fixture-secrets.ts';

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

/** One scenario on a target: timed, observed, judged. What it throws is the caller's. */
export async function runScenario(
  scenario: Scenario,
  target: Target,
  context: RunContext = { progress: () => {} },
): Promise<ScenarioResult> {
  const startedAt = performance.now();
  const observed = await target.observe(scenario, context);
  return scenarioResult({ scenario, target: target.name, observed, startedAt });
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
  rememberSecrets(...scenarios.map((scenario) => [scenario.config, fixtureSecrets(scenario)]));
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
      const startedAt = performance.now();
      try {
        result = await runScenario(scenario, target, context);
      } catch (error) {
        if (isUserError(error)) {
          stopped ??= error;
          return;
        }
        // A crash in one scenario is reported as that scenario's error; the others still run.
        result = scenarioResult({
          scenario,
          target: target.name,
          observed: crashObserved(error),
          startedAt,
          crashed: true,
        });
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
