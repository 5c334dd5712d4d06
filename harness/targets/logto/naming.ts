import { randomBytes } from 'node:crypto';

/** Everything the target creates carries this prefix, so a crashed run's leftovers can be found. */
export const PREFIX = 'harness-';

export const newRunId = (): string => randomBytes(4).toString('hex');

export const connectorTarget = (runId: string, index: number): string => `${PREFIX}${runId}-${index}`;
export const applicationName = (runId: string): string => `${PREFIX}app-${runId}`;

export const isOurs = (name: string | undefined): boolean => Boolean(name?.startsWith(PREFIX));

/**
 * The phone number with its last four digits replaced by the scenario's serial: consecutive
 * scenarios of a run, alive at once with -p, never share one (Logto leaves the second user's
 * primaryPhone empty), and the number keeps its form. Pure.
 */
export function uniquePhone(phone: string, serial: number): string {
  const digits = String(serial % 10_000).padStart(4, '0');
  let left = digits.length;
  let result = '';
  for (let index = phone.length - 1; index >= 0; index -= 1) {
    const char = phone[index]!;
    result = (left > 0 && /\d/.test(char) ? digits[--left]! : char) + result;
  }
  return left > 0 ? phone : result;
}

/** `alice@example.com` → `alice+harness-1a2b@example.com`: Logto leaves primaryEmail empty for a taken email. */
export function uniqueEmail(email: string, runId: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? email : `${email.slice(0, at)}+${PREFIX}${runId}${email.slice(at)}`;
}
