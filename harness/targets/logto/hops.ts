import type { JournalEntry } from '../../../mock-idp/journal.ts';
import { entryHop, isBrowserEntry } from '../../hops.ts';
import type { Hop } from '../../model.ts';
import type { ExperienceStep } from './experience-driver.ts';

// The step that is the browser at the IdP: its journal entries are drawn as they are, not nested.
const AT_THE_IDP = 'the IdP';

/** The IdP journal's entries made while a step was open. */
export const journalBetween = (journal: readonly JournalEntry[], { after, until }: { after: number; until: number }) =>
  journal.filter((entry) => entry.seq > after && entry.seq <= until);

/** IdP calls as hops: the browser's own, and the connector's (made from inside Logto). */
export const idpCallHops = (entries: readonly JournalEntry[]): Hop[] =>
  entries.map((entry) => entryHop(entry, isBrowserEntry(entry) ? 'browser' : 'connector'));

/** The browser's trip through the IdP, drawn as it is; when it never came back, a last hop that says so. */
export function browserTripHops(entries: readonly JournalEntry[], error: string | undefined, prefix = ''): Hop[] {
  const hops = idpCallHops(entries);
  if (!error) return hops;
  const lost: Hop = {
    role: 'authorize',
    from: 'browser',
    to: 'idp',
    request: `${prefix}the IdP did not send the browser back`,
    note: error,
  };
  return [...hops, lost];
}

/**
 * A sign-in through Logto as hops: each Experience API step from the browser to Logto, with the
 * IdP calls Logto's connector made while it was open (the token and userinfo calls happen inside
 * `…/verify`), and the browser's own trip through the IdP in between. Pure.
 */
export function experienceHops(steps: ExperienceStep[], journal: readonly JournalEntry[], prefix = ''): Hop[] {
  return steps.flatMap((step): Hop[] => {
    const entries = journalBetween(journal, step.journal);
    if (step.name === AT_THE_IDP) return browserTripHops(entries, step.error, prefix);
    const calls = idpCallHops(entries);
    return [
      {
        role: 'experience',
        from: 'browser',
        to: 'logto',
        request: `${prefix}${step.name}`,
        ...(calls.length > 0 ? { calls } : {}),
        response: { ...(step.status ? { status: step.status } : {}), summary: step.error ?? 'ok' },
      },
    ];
  });
}
