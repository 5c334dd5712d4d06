import type { CheckResult } from '../model.ts';

// Checks that say THAT the sign-in failed, not why: a report leads with one of them only when nothing more specific failed.
const GENERAL = new Set(['sign-in', 'known-bad', 'harness', 'journal']);

/**
 * The check a report leads with (the terminal's first line under a failed scenario, the JUnit failure
 * message, the HTML callout): the first failing check that names the cause and its fix (e.g.
 * `auth.method` with "set tokenEndpointAuthMethod…"), before one that only says what failed (`sign-in`
 * with "connector.general {}"); else the first warning. Pure.
 */
export function leadingCheck(checks: CheckResult[]): CheckResult | undefined {
  const failing = checks.filter((check) => check.status === 'fail');
  const specific = failing.filter((check) => !GENERAL.has(check.id));
  return (
    specific.find((check) => check.hint || check.unfixable) ??
    specific[0] ??
    failing[0] ??
    checks.find((check) => check.status === 'warn')
  );
}
