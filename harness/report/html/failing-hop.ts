import type { CheckResult, Hop, HopRole } from '../../model.ts';

// Which hop a check is about, by its id: the first role the run has a hop for wins.
const ROLES_BY_CHECK: Array<[prefix: string, roles: HopRole[]]> = [
  ['authorize', ['authorize']],
  ['customConfig', ['authorize', 'code-exchange']],
  ['params.authorize', ['authorize']],
  ['params.token', ['code-exchange']],
  ['auth', ['code-exchange']],
  ['token', ['code-exchange']],
  ['oidc', ['code-exchange', 'jwks']],
  ['userinfo', ['userinfo']],
  ['profile', ['userinfo', 'code-exchange']],
  // On the Logto target the refresh is Logto's, inside the Account API read after expiry.
  ['storage.refresh', ['refresh', 'token-read-expired']],
  ['storage', ['code-exchange']],
  ['logto.token-storage.account-read', ['token-read']],
  ['logto.token-storage.after-expiry', ['token-read-expired']],
  ['logto.token-storage.expires-at', ['token-read-expired']],
  ['logto.token-storage.refresh-request', ['refresh', 'token-read-expired']],
  ['logto.token-storage.kept-refresh-token', ['token-read-expired-again', 'token-read-expired']],
];

// After the sign-in: an error answer there (a predicted 401 after expiry) says nothing of a sign-in check.
const AFTER_SIGN_IN = new Set<HopRole>(['token-read', 'token-read-expired', 'token-read-expired-again', 'token-probe']);

const matches = (id: string, prefix: string) => id === prefix || id.startsWith(`${prefix}.`);

/** Every hop in drawing order, calls inside the hop that made them. */
export const flatten = (hops: Hop[]): Hop[] => hops.flatMap((hop) => [hop, ...flatten(hop.calls ?? [])]);

// In the order the answers came: a call's answer before the answer of the request that made it.
const byAnswer = (hops: Hop[]): Hop[] => hops.flatMap((hop) => [...byAnswer(hop.calls ?? []), hop]);

/**
 * The hop a check points at: the endpoint its id is about (the token call for `auth.method`, the
 * userinfo call for `profile.email`…); for the sign-in and Logto's checks the first answer that
 * was an error (the IdP's 401 inside Logto's 500), else the first request nothing answered, else the last hop;
 * of the sign-in's hops, not the token reads after it. Pure.
 */
export function failingHop(check: CheckResult, hops: Hop[]): Hop | undefined {
  const all = flatten(hops);
  const roles = ROLES_BY_CHECK.find(([prefix]) => matches(check.id, prefix))?.[1];
  for (const role of roles ?? []) {
    const hop =
      role === 'userinfo'
        ? all.filter((candidate) => candidate.role === role).at(-1)
        : all.find((candidate) => candidate.role === role);
    if (hop) return hop;
  }
  const signIn = hops.filter((hop) => !AFTER_SIGN_IN.has(hop.role));
  return (
    byAnswer(signIn).find((hop) => hop.role !== 'idp-page' && (hop.response?.status ?? 0) >= 400) ??
    flatten(signIn).find((hop) => !hop.response) ??
    signIn.at(-1) ??
    hops.at(-1)
  );
}
