import type { JournalEntry } from '../../../../mock-idp/journal.ts';
import { clip, entryHop } from '../../../hops.ts';
import type { Hop, HopRole } from '../../../model.ts';
import type { ReadStep, TokenRead, TokenUse } from './use-stored-token.ts';

// As the experience steps name their routes: the target is the run's generated connector name.
const ACCOUNT_API_READ = 'GET /api/my-account/identities/:target/access-token';

// Each read has its own role: a failing check names the read it is about (failing-hop.ts).
const ROLES: Record<ReadStep, HopRole> = {
  'before-expiry': 'token-read',
  'after-expiry': 'token-read-expired',
  'after-second-expiry': 'token-read-expired-again',
};
const WHEN: Record<ReadStep, string> = {
  'before-expiry': 'before expiry',
  'after-expiry': 'after expiry',
  'after-second-expiry': 'after the second expiry',
};

/** Logto's answer in one line, then what it keeps stored after it (the expires-at check reads that). */
function answerSummary(read: TokenRead): string {
  const body = read.body && typeof read.body === 'object' ? (read.body as Record<string, unknown>) : undefined;
  const said =
    read.status >= 400 && body && typeof body.message === 'string'
      ? `${read.code}: ${body.message}`
      : typeof read.body === 'string'
        ? read.body
        : JSON.stringify(read.body);
  const stored = read.metadata
    ? `stored: expiresAt ${read.metadata.expiresAt ?? 'none'}, ${read.metadata.hasRefreshToken ? 'a' : 'no'} refresh token`
    : 'stored: no token secret any more';
  return `${clip(said)} · ${stored}`;
}

/**
 * Logto's Account API reads of the stored token as hops: the app (the harness, with the signed-in
 * user's access token) asks Logto; the refresh Logto's connector sent the IdP while the read was
 * open inside it; then the app's userinfo call with the token it got. Pure.
 */
export function tokenUseHops(use: TokenUse, journal: readonly JournalEntry[]): Hop[] {
  const between = (after: number, until: number) => journal.filter((entry) => entry.seq > after && entry.seq <= until);
  return use.reads.flatMap((read): Hop[] => {
    const calls = between(read.journal.after, read.journal.answered).map((entry) => entryHop(entry, 'connector'));
    const probes = between(read.journal.answered, read.journal.until).map((entry): Hop => ({
      ...entryHop(entry, 'app'),
      role: 'token-probe',
    }));
    const hop: Hop = {
      role: ROLES[read.step],
      from: 'app',
      to: 'logto',
      request: `${WHEN[read.step]}: ${ACCOUNT_API_READ}`,
      params: {
        auth: "Bearer: the signed-in user's access token (scope identities)",
        ...(read.waitedMs > 0 ? { waited: `${(read.waitedMs / 1000).toFixed(1)} s` } : {}),
      },
      ...(calls.length > 0 ? { calls } : {}),
      response: { status: read.status, summary: answerSummary(read) },
    };
    return [hop, ...probes];
  });
}
