/**
 * The harness as a library: load scenario files, run them on a target, render the results.
 *
 *   import { loadScenarios, runScenarios, targets, reporters } from './harness/index.ts';
 *   const scenarios = await loadScenarios(['fixtures/scenarios']);
 *   const target = targets.inProcess();
 *   try {
 *     const results = await runScenarios(scenarios, target, { parallel: 4 });
 *     console.log(reporters.terminal(results, { color: false, verbose: false }));
 *   } finally {
 *     await target.close?.();
 *   }
 *
 * A target of your own observes and never judges: `observe(scenario, context)` gives its checks (and
 * the error a user would see, the hops); runScenarios builds each result with scenarioResult().
 */
import type { Target } from './model.ts';
import { renderHtml } from './report/html/page.ts';
import { renderJson } from './report/json.ts';
import { renderJunit } from './report/junit.ts';
import { summarize } from './report/summary.ts';
import { renderTerminal } from './report/terminal.ts';
import { createInProcessTarget } from './targets/in-process/index.ts';
import type { LogtoTargetOptions } from './targets/logto/options.ts';

export type {
  CheckResult,
  CheckStatus,
  Hop,
  HopRole,
  Lane,
  Observed,
  RunContext,
  Scenario,
  ScenarioResult,
  Target,
} from './model.ts';
export type { Expectation, ProfileField, ScenarioFile, ScenarioInput } from './scenario/schema.ts';
export type { Observation, ObservedError } from './observation.ts';
export type { LogtoTargetOptions } from './targets/logto/options.ts';
export type { InProcessOptions, InProcessTarget } from './targets/in-process/index.ts';
export type { RunOptions } from './run.ts';
export type { ResultOf, ResultSubject } from './result.ts';
export type { Browser, ConnectorRun } from './flow/run-connector.ts';
export type { Summary } from './report/summary.ts';
export type { TerminalOptions } from './report/terminal.ts';

export { loadScenario, loadScenarios, expandScenarioPaths } from './scenario/load.ts';
export { scenarioSchema } from './scenario/schema.ts';
export { runScenario, runScenarios } from './run.ts';
export { runChecks, checks } from './checks/index.ts';
export { scenarioResult, verdict } from './result.ts';
export { runConnector } from './flow/run-connector.ts';
export { observed } from './flow/observed.ts';
export { createInProcessTarget } from './targets/in-process/index.ts';
export { UserError } from '../lib/user-error.ts';
/** Record a real IdP once (a person, or `scriptedPerson()` in tests), replay it with `run`. */
export { recordProvider } from './record/record.ts';
export { interactivePerson, scriptedPerson } from './record/person.ts';
export type { RecordOptions, RecordOutcome } from './record/record.ts';

export const targets = {
  /** The published connector code in this process, against the embedded mock IdP (or an IdP URL). */
  inProcess: createInProcessTarget,
  /** A real Logto through its Management and Experience APIs; imported only when asked for. */
  async logto(options: LogtoTargetOptions): Promise<Target> {
    const { createLogtoTarget } = await import('./targets/logto/index.ts');
    return createLogtoTarget(options);
  },
};

export const reporters = {
  terminal: renderTerminal,
  json: renderJson,
  junit: renderJunit,
  html: renderHtml,
  summarize,
};
