import { mask, maskSecrets } from '../../lib/mask.ts';
import { idTokenOf } from '../id-token-of.ts';
import type { JournalEntry } from '../journal.ts';
import { boundEntry, ENTRY_MAX_BYTES, measure } from './journal-bounds.ts';
import type { JournalStore } from './journal-store.ts';
import type { JournalState } from './state.ts';

/*
 * What a request and its response become in a journal: picked, masked and bounded the one way,
 * whoever saw the request (the koa journal middleware, the fast path, the harness's recording
 * proxy in front of a real IdP), so a live recording and its replay read the same.
 */

const KEPT_HEADERS = ['authorization', 'content-type', 'accept', 'user-agent'];

function responseBody(body: unknown, contentType: string | undefined): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (contentType?.includes('json')) {
      try {
        return maskSecrets(JSON.parse(body));
      } catch {
        return body;
      }
    }
    if (contentType?.includes('x-www-form-urlencoded'))
      return maskSecrets(Object.fromEntries(new URLSearchParams(body)));
    return contentType?.includes('html') ? '(html page)' : body.slice(0, 2000);
  }
  if (Buffer.isBuffer(body)) return `(${body.length} bytes)`;
  if (typeof body === 'object' && 'pipe' in body) return '(stream)';
  return maskSecrets(body);
}

// An authorization code is a one-time secret in a request parameter named plainly `code`.
function maskParams(params: Record<string, string>): Record<string, string> {
  const masked = maskSecrets(params);
  return masked.code === undefined ? masked : { ...masked, code: mask(masked.code) };
}

function maskLocation(location: string): string {
  return location.replace(
    /([?&#](?:code|access_token|id_token)=)([^&]+)/g,
    (_match, prefix: string, value: string) => `${prefix}${mask(decodeURIComponent(value))}`,
  );
}

// Shown as sent, to tell `bearer` from `Bearer`; any other first word may itself be the secret.
const AUTH_SCHEMES = new Set([
  'basic',
  'bearer',
  'token',
  'dpop',
  'digest',
  'negotiate',
  'mac',
  'hoba',
  'mutual',
  'ntlm',
  'oauth',
]);

/** The scheme (when it is one) and the masked credentials, whatever whitespace separates them. */
function maskAuthorization(value: string): string {
  const trimmed = value.trim();
  // `Bearer` and nothing else: a connector that sent an empty token.
  if (AUTH_SCHEMES.has(trimmed.toLowerCase())) return trimmed;
  const match = /^(\S+)\s+(\S[\s\S]*)$/.exec(trimmed);
  if (!match || !AUTH_SCHEMES.has(match[1]!.toLowerCase())) return mask(trimmed);
  return `${match[1]} ${mask(match[2]!)}`;
}

// Copied when recorded: the request's own headers object holds every header (cookies too).
function pickHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

const maskHeaders = (headers: Record<string, string | string[] | undefined>): Record<string, string> =>
  typeof headers.authorization === 'string'
    ? { ...(headers as Record<string, string>), authorization: maskAuthorization(headers.authorization) }
    : (headers as Record<string, string>);

/** The parameters the IdP set to another value than the client sent (or added). */
function adjustments(sent: Record<string, string>, used: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(used).filter(([name, value]) => sent[name] !== value));
}

/** What a request and its response left behind, captured cheaply on the hot path. */
export interface Capture {
  endpoint: JournalEntry['endpoint'];
  method: string;
  path: string;
  params: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  contentType?: string;
  location?: string;
  journal: JournalState;
  /** The client was gone before the response was written. */
  clientClosed?: boolean;
  at: Date;
  durationMs: number;
}

/** The decoded id_token of a successful token answer (id-token-of.ts). */
function decodedIdToken(capture: Capture): JournalEntry['idToken'] {
  return capture.endpoint === 'token' && capture.status === 200 ? idTokenOf(capture.body) : undefined;
}

/** The journal entry for a capture: copied and masked only when someone reads the journal. */
export function draftOf(capture: Capture): Omit<JournalEntry, 'seq'> {
  const { journal, contentType, location } = capture;
  const idToken = decodedIdToken(capture);
  return {
    at: capture.at.toISOString(),
    endpoint: capture.endpoint,
    method: capture.method,
    path: capture.path,
    params: maskParams(journal.sent ?? capture.params),
    ...(journal.sent ? { adjustedParams: maskParams(adjustments(journal.sent, capture.params)) } : {}),
    headers: maskHeaders(capture.headers),
    ...(journal.clientAuth ? { clientAuth: journal.clientAuth } : {}),
    response: {
      status: capture.status,
      ...(contentType ? { contentType } : {}),
      ...(location ? { location: maskLocation(location) } : {}),
      body: responseBody(capture.body, contentType),
    },
    ...(idToken ? { idToken } : {}),
    ...(journal.errorDetail ? { errorDetail: journal.errorDetail } : {}),
    ...(journal.fault ? { fault: journal.fault } : {}),
    ...(capture.clientClosed ? { clientClosed: true } : {}),
    durationMs: capture.durationMs,
  };
}

/**
 * Adds a capture to the journal. A small one is masked only if someone reads it; a large one is
 * masked and cut down now, so the journal holds no more than the cut-down copy. The capture is the
 * caller's own, made for this call: it keeps only the headers the journal shows.
 */
export function record(store: JournalStore, capture: Capture): number {
  capture.headers = pickHeaders(capture.headers);
  const size = measure(capture);
  if (size.bytes <= ENTRY_MAX_BYTES && !size.tooDeep) return store.add(later(capture), size.bytes);
  const entry = boundEntry(draftOf(capture));
  return store.add(already(entry), measure(entry).bytes);
}

// Made apart from `record`: closures made in one function share its scope, and a closure over the
// cut-down entry would keep the whole capture alive.
const later = (capture: Capture) => () => draftOf(capture);
const already = (entry: Omit<JournalEntry, 'seq'>) => () => entry;
