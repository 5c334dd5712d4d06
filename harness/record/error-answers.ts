import { isRecord } from '../../lib/is-record.ts';
import { isOAuthErrorCode, type FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { scrubText, type Placeholders } from './anonymize.ts';
import { contentTypeOf, isTokenError, parseBody, parsedBody } from './exchange.ts';
import type { Recording, WritingContext } from './recording.ts';

/*
 * How the IdP's refusals are replayed: as faults (token, authorize) or a userinfo override, their
 * bodies anonymised in the encoding the IdP sent them in, with the headers a client reads.
 */

// What a client may read off an error answer besides its body: the challenge, and when to try again.
const REPLAYED_HEADERS = ['www-authenticate', 'retry-after'];

/**
 * The headers an error answer is replayed with (scrubbed), and its content type where the fixture's
 * default for the body (text/plain for a string, JSON for an object) would be another; undefined
 * when there are none. Pure.
 */
export function replayedHeaders(
  headers: Record<string, string>,
  body: unknown,
  scrub: (text: string) => string,
  options: { contentType: boolean },
): Record<string, string> | undefined {
  const replayed: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) if (headers[name] !== undefined) replayed[name] = scrub(headers[name]);
  const type = headers['content-type'];
  if (options.contentType && typeof body === 'string' && type && !/^text\/plain\b/i.test(type))
    replayed['content-type'] = type;
  return Object.keys(replayed).length > 0 ? replayed : undefined;
}

/** An OAuth error body: the error code is protocol, kept; descriptions are scrubbed; anything else gets placeholders. */
export function errorBody(
  body: unknown,
  placeholders: Placeholders,
  secrets: Set<string>,
): string | Record<string, unknown> {
  if (!isRecord(body))
    return scrubText(typeof body === 'string' ? body : JSON.stringify(body), [...secrets, ...placeholders.originals]);
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => {
      if (key === 'error' && typeof value === 'string' && /^[\w.-]+$/.test(value)) return [key, value];
      if (typeof value === 'string' && /description|message|detail/i.test(key))
        return [key, scrubText(value, [...secrets, ...placeholders.originals])];
      return [placeholders.key(key), placeholders.value(value, key)];
    }),
  );
}

/**
 * An anonymised error body in the encoding the IdP sent it in: a form-encoded answer is written as
 * its form again (its values anonymised, its order kept), since a fixture sends an object as JSON.
 * Pure.
 */
export function encodedAsSent(
  contentType: string | undefined,
  body: string | Record<string, unknown>,
): string | Record<string, unknown> {
  if (typeof body === 'string' || !(contentType ?? '').includes('x-www-form-urlencoded')) return body;
  return new URLSearchParams(
    Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  ).toString();
}

/**
 * A token error is replayed as a fault answering that call: its status (200 included, as GitHub sends its
 * errors), its body and, for a body that is no JSON (a form, text), its content type. A form-encoded error
 * is a string body under the recorded content type, not `tokenResponse.errorEncoding: form`: that setting
 * encodes only the errors the mock raises itself (a fault's answer bypasses it), only with a 4xx status,
 * and under its own content type.
 */
export function tokenFaults({
  tokenCalls,
  placeholders,
  secrets,
  scrub,
}: WritingContext): NonNullable<FixtureInput['faults']> {
  return tokenCalls.flatMap((exchange, index) => {
    if (!isTokenError(exchange)) return [];
    const body = encodedAsSent(contentTypeOf(exchange), errorBody(parsedBody(exchange), placeholders, secrets));
    const headers = replayedHeaders(exchange.responseHeaders, body, scrub, { contentType: true });
    return [
      { endpoint: 'token' as const, status: exchange.status, body, ...(headers ? { headers } : {}), nth: index + 1 },
    ];
  });
}

// Callback parameters a replay does not write: its own request's state, and the real IdP's issuer.
const CALLBACK_OWN = new Set(['state', 'code', 'iss']);

/**
 * How the IdP refused the authorization request, as an authorize fault: the error redirect it sent
 * the browser back with, or the answer the browser stopped at. Empty when it did not refuse (or
 * when a fixture cannot say it, which a note then does).
 */
export function authorizeRefusal(
  recording: Recording,
  errorBodyOf: (body: unknown) => string | Record<string, unknown>,
  scrub: (text: string) => string,
  notes: string[],
): NonNullable<FixtureInput['faults']> {
  const { observation } = recording;
  const callback = observation.callback;
  if (callback?.error !== undefined) {
    if (isOAuthErrorCode(callback.error)) {
      const errorRedirect = Object.fromEntries(
        Object.entries(callback)
          .filter(([name]) => name !== '' && !CALLBACK_OWN.has(name))
          .map(([name, value]) => [name, name === 'error' ? value : scrub(value)]),
      );
      return [{ endpoint: 'authorize', errorRedirect }];
    }
    notes.push(
      `the IdP answered the authorization request with error=${JSON.stringify(scrub(callback.error))}` +
        `, not an OAuth error code a fixture can send: the replay differs there`,
    );
    return [];
  }
  if (observation.error?.stage !== 'idp-redirect') return [];
  const stop = recording.authorizeStop;
  if (!stop || stop.status < 100) {
    notes.push(
      `the IdP never sent the browser back (${observation.error.message.split(':')[0]}):` +
        ` a fixture cannot refuse the authorization request that way, the replay differs there`,
    );
    return [];
  }
  const body = errorBodyOf(parseBody(stop.headers['content-type'], stop.body));
  const headers = replayedHeaders(stop.headers, body, scrub, { contentType: true });
  const asked = recording.authorizationUri ? new URL(recording.authorizationUri) : undefined;
  const stoppedAt = new URL(stop.url);
  if (asked && `${asked.origin}${asked.pathname}` !== `${stoppedAt.origin}${stoppedAt.pathname}`) {
    notes.push(
      `the browser was redirected before the IdP's final answer (${stop.status}); the fixture gives that answer to the authorization request itself`,
    );
  }
  return [{ endpoint: 'authorize', status: stop.status, body, ...(headers ? { headers } : {}) }];
}
