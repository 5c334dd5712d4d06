import type { JournalEntry } from '../../../../mock-idp/journal.ts';

/** How the first token request authenticated and what the IdP answered, as its journal shows it. */
export interface TokenRequestSeen {
  method: string;
  /** client_secret_jwt only: whether the IdP accepted the assertion (signature, aud, exp). */
  assertionVerified?: boolean;
  status: number;
}

/** The first authorization_code exchange in a journal, summarized; undefined when there is none. Pure. */
export function firstTokenRequest(journal: readonly JournalEntry[]): TokenRequestSeen | undefined {
  const entry = journal.find(
    (candidate) => candidate.endpoint === 'token' && candidate.params.grant_type === 'authorization_code',
  );
  if (!entry) return undefined;
  const assertion = entry.clientAuth?.assertion;
  return {
    method: entry.clientAuth?.method ?? 'unknown',
    ...(assertion ? { assertionVerified: assertion.verified } : {}),
    status: entry.response.status,
  };
}
