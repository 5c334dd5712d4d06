import type { JournalEntry } from '../../mock-idp/journal.ts';
import type { Observation } from '../observation.ts';

/** The journal entries the checks care about, picked once. Pure. */
export function journalViews(observation: Observation) {
  const { journal } = observation;
  const authorize = journal.find((entry) => entry.endpoint === 'authorize' && entry.params.response_type !== undefined);
  const tokenCalls = journal.filter((entry) => entry.endpoint === 'token');
  const codeExchange = tokenCalls.find((entry) => entry.params.grant_type === 'authorization_code') ?? tokenCalls[0];
  const refresh = tokenCalls.find((entry) => entry.params.grant_type === 'refresh_token');
  const userinfo = journal.filter((entry) => entry.endpoint === 'userinfo').at(-1);
  const firstFailure = journal.find((entry) => entry.endpoint !== 'login' && entry.response.status >= 400);
  return { authorize, codeExchange, refresh, userinfo, firstFailure };
}

/** What a journal entry says the IdP answered, for evidence. */
export const idpAnswer = (entry: JournalEntry | undefined) =>
  entry
    ? {
        endpoint: entry.endpoint,
        status: entry.response.status,
        contentType: entry.response.contentType,
        body: entry.response.body,
      }
    : undefined;
