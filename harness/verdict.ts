import type { CheckResult, Scenario, ScenarioResult } from './model.ts';

/**
 * A normal scenario passes when no check fails. A known-bad one passes when the harness caught it:
 * the expected Logto error (if any) and a failing check for each expected diagnosis.
 */
export function verdict(
  scenario: Scenario,
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
