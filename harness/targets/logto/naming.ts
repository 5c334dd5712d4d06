import { randomBytes } from 'node:crypto';

/** Everything the target creates carries this prefix, so a crashed run's leftovers can be found. */
export const PREFIX = 'harness-';

export const newRunId = (): string => randomBytes(4).toString('hex');

export const connectorTarget = (runId: string, index: number): string => `${PREFIX}${runId}-${index}`;
export const applicationName = (runId: string): string => `${PREFIX}app-${runId}`;

export const isOurs = (name: string | undefined): boolean => Boolean(name?.startsWith(PREFIX));

/** `alice@example.com` → `alice+harness-1a2b@example.com`: Logto leaves primaryEmail empty for a taken email. */
export function uniqueEmail(email: string, runId: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? email : `${email.slice(0, at)}+${PREFIX}${runId}${email.slice(at)}`;
}
