import { maskSecrets } from '../lib/mask.ts';
import type { CheckResult, Observed, Scenario, ScenarioResult } from './model.ts';

/** What a result is about: a scenario, or what is judged as one (an audited connector, its URL as its file). */
export type ResultSubject = Pick<Scenario, 'name' | 'file' | 'line' | 'knownBad' | 'expect'>;

/**
 * A normal scenario passes when no check fails. A known-bad one passes when the harness caught it:
 * the expected Logto error (if any) and a failing check for each expected diagnosis.
 */
export function verdict(
  scenario: Pick<Scenario, 'knownBad' | 'expect'>,
  checks: CheckResult[],
): { status: ScenarioResult['status']; missed: string[] } {
  const failing = checks.filter((check) => check.status === 'fail' || check.status === 'warn');
  if (!scenario.knownBad)
    return { status: checks.some((check) => check.status === 'fail') ? 'failed' : 'passed', missed: [] };
  const wanted = scenario.expect.catches ?? [];
  const missed = wanted.filter(
    (prefix) => !failing.some((check) => check.id === prefix || check.id.startsWith(`${prefix}.`)),
  );
  const signIn = checks.find((check) => check.id === 'sign-in');
  const errorOk = !scenario.expect.error || signIn?.status === 'pass';
  if (!errorOk) missed.push(`sign-in error ${scenario.expect.error}`);
  if (scenario.expect.unfixable && !failing.some((check) => check.unfixable))
    missed.push('the "no setting fixes this" diagnosis');
  const caughtSomething = failing.length > 0 || Boolean(scenario.expect.error && errorOk);
  if (!caughtSomething) missed.push('any failing check');
  return { status: missed.length === 0 ? 'passed' : 'failed', missed };
}

const knownBadMissed = (missed: string[]): CheckResult => ({
  id: 'known-bad',
  title: 'Known-bad config caught',
  status: 'fail',
  message: `not caught as expected: missing ${missed.join(', ')}`,
});

export interface ResultOf {
  scenario: ResultSubject;
  /** The target's name, as reports show it. */
  target: string;
  observed: Observed;
  /** `performance.now()` when the run of the scenario began. */
  startedAt: number;
  /** The run threw: status `error`, no verdict on the checks. */
  crashed?: boolean;
}

/**
 * The one place a ScenarioResult is made, for every target, the crash path, record and audit: the
 * verdict, the known-bad check, the secrets masked in checks, error and hops, the line, the duration.
 */
export function scenarioResult({ scenario, target, observed, startedAt, crashed }: ResultOf): ScenarioResult {
  const checks = maskSecrets(observed.checks);
  const { status, missed } = crashed ? { status: 'error' as const, missed: [] } : verdict(scenario, checks);
  return {
    name: scenario.name,
    file: scenario.file,
    ...(scenario.line && scenario.line > 1 ? { line: scenario.line } : {}),
    target,
    knownBad: scenario.knownBad,
    status,
    ...(observed.connectorVersion !== undefined ? { connectorVersion: observed.connectorVersion } : {}),
    checks: missed.length > 0 && scenario.knownBad ? [...checks, knownBadMissed(missed)] : checks,
    ...(observed.error ? { error: maskSecrets(observed.error) } : {}),
    ...(observed.hops ? { hops: maskSecrets(observed.hops) } : {}),
    durationMs: Math.round(performance.now() - startedAt),
  };
}

/** What a scenario whose run threw shows: the error, as its one failing check. */
export const crashObserved = (error: unknown): Observed => ({
  checks: [
    {
      id: 'harness',
      title: 'Harness',
      status: 'fail',
      message: error instanceof Error ? error.message : String(error),
    },
  ],
});
