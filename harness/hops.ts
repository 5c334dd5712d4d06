import { mask } from '../lib/mask.ts';
import type { JournalEntry } from '../mock-idp/journal.ts';
import type { Hop, HopRole, Lane } from './model.ts';
import type { ObservedError, Observation } from './observation.ts';

// The browser's endpoints; everything else at the IdP is called by the connector, server to server.
const BROWSER_ENDPOINTS = new Set<JournalEntry['endpoint']>(['authorize', 'login', 'end_session', 'other']);
const SUMMARY_LENGTH = 240;

/** `text` cut to what a diagram row holds. */
export const clip = (text: string, length = SUMMARY_LENGTH) =>
  text.length > length ? `${text.slice(0, length)}…` : text;

function roleOf(entry: JournalEntry): HopRole {
  if (entry.endpoint === 'authorize') return 'authorize';
  if (entry.endpoint === 'login') return 'idp-page';
  if (entry.endpoint === 'token') return entry.params.grant_type === 'refresh_token' ? 'refresh' : 'code-exchange';
  if (entry.endpoint === 'userinfo') return 'userinfo';
  if (entry.endpoint === 'jwks') return 'jwks';
  return 'other';
}

/** What an answer said, in one line: where a redirect went, or the body. */
function answerSummary(entry: JournalEntry): string {
  const { response } = entry;
  if (response.location) return `→ ${response.location}`;
  const body =
    response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  const detail = [entry.errorDetail && `(${entry.errorDetail})`, entry.fault && `[fault: ${entry.fault}]`]
    .filter(Boolean)
    .join(' ');
  return clip([body, detail].filter(Boolean).join(' '));
}

/** One IdP journal entry as a hop from `from` to the IdP. */
export function entryHop(entry: JournalEntry, from: Lane): Hop {
  const auth: Record<string, string> = entry.clientAuth ? { 'client-auth': entry.clientAuth.method } : {};
  const params = {
    ...auth,
    ...Object.fromEntries(Object.entries(entry.params).map(([key, value]) => [key, clip(String(value), 120)])),
  };
  return {
    role: roleOf(entry),
    from,
    to: 'idp',
    seq: entry.seq,
    request: `${entry.method} ${entry.path}`,
    ...(Object.keys(params).length > 0 ? { params } : {}),
    response: {
      status: entry.response.status,
      ...(entry.response.contentType ? { contentType: entry.response.contentType } : {}),
      summary: answerSummary(entry),
    },
  };
}

export const isBrowserEntry = (entry: JournalEntry) => BROWSER_ENDPOINTS.has(entry.endpoint);

const errorAnswer = (error: ObservedError) => ({
  ...(error.logtoStatus ? { status: error.logtoStatus } : {}),
  summary: clip(`${error.logtoCode}: ${error.message}`),
});

/**
 * The in-process run as Logto would have lived it: the browser asks the connector for the IdP URL,
 * goes through the IdP's pages, comes back to the callback (where the connector calls the token
 * and userinfo endpoints), then, with token storage, the connector refreshes. Pure.
 */
export function observationHops(observation: Observation): Hop[] {
  const { error, journal } = observation;
  const hops: Hop[] = [];
  hops.push({
    role: 'start',
    from: 'browser',
    to: 'connector',
    request: 'sign in: getAuthorizationUri()',
    ...(observation.authorizationUri
      ? { response: { status: 302, summary: `→ ${clip(observation.authorizationUri)}` } }
      : error?.stage === 'authorization-uri'
        ? { response: errorAnswer(error) }
        : {}),
  });
  const refreshEntries = journal.filter(
    (entry) => entry.endpoint === 'token' && entry.params.grant_type === 'refresh_token',
  );
  hops.push(...journal.filter(isBrowserEntry).map((entry) => entryHop(entry, 'browser')));
  const calls = journal
    .filter((entry) => !isBrowserEntry(entry) && !refreshEntries.includes(entry))
    .map((entry) => entryHop(entry, 'connector'));
  if (observation.callback) {
    const signedIn = observation.userInfo
      ? `signed in: ${clip(JSON.stringify(observation.userInfo), 160)}`
      : 'signed in';
    hops.push({
      role: 'callback',
      from: 'browser',
      to: 'connector',
      request: `GET /callback (${observation.signInPath}())`,
      // The authorization code is a one-time secret under a plain name no key pattern knows.
      params:
        observation.callback.code === undefined
          ? observation.callback
          : { ...observation.callback, code: mask(observation.callback.code) },
      ...(calls.length > 0 ? { calls } : {}),
      response: error?.stage === 'sign-in' ? errorAnswer(error) : { status: 200, summary: signedIn },
    });
  } else if (error?.stage === 'idp-redirect') {
    hops.push({
      role: 'callback',
      from: 'browser',
      to: 'connector',
      request: 'GET /callback: never reached',
      response: { summary: clip(error.message) },
      ...(calls.length > 0 ? { calls } : {}),
    });
  }
  if (observation.refresh?.attempted) {
    const refreshError = observation.refresh.error;
    if (refreshEntries.length > 0) hops.push(...refreshEntries.map((entry) => entryHop(entry, 'connector')));
    else
      hops.push({
        role: 'refresh',
        from: 'connector',
        to: 'idp',
        request: 'getAccessTokenByRefreshToken(): no request reached the IdP',
        ...(refreshError ? { note: errorAnswer(refreshError).summary } : {}),
      });
  }
  return hops;
}
