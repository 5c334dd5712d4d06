import type { JournalEntry } from '../../../mock-idp/journal.ts';
import { entryHop, isBrowserEntry } from '../../hops.ts';
import type { Hop } from '../../model.ts';
import type { ExperienceStep } from './experience-driver.ts';

// The step that is the browser at the IdP: its journal entries are drawn as they are, not nested.
const AT_THE_IDP = 'the IdP';

/**
 * A sign-in through Logto as hops: each Experience API step from the browser to Logto, with the
 * IdP calls Logto's connector made while it was open (the token and userinfo calls happen inside
 * `…/verify`), and the browser's own trip through the IdP in between. Pure.
 */
export function experienceHops(steps: ExperienceStep[], journal: readonly JournalEntry[], prefix = ''): Hop[] {
  return steps.flatMap((step): Hop[] => {
    const entries = journal.filter((entry) => entry.seq > step.journal.after && entry.seq <= step.journal.until);
    if (step.name === AT_THE_IDP) {
      const hops = entries.map((entry) => entryHop(entry, isBrowserEntry(entry) ? 'browser' : 'connector'));
      return step.error
        ? [
            ...hops,
            {
              role: 'authorize',
              from: 'browser',
              to: 'idp',
              request: `${prefix}the IdP did not send the browser back`,
              note: step.error,
            },
          ]
        : hops;
    }
    const calls = entries.map((entry) => entryHop(entry, isBrowserEntry(entry) ? 'browser' : 'connector'));
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
