import { decodeJwt, decodeProtectedHeader } from 'jose';
import { isRecord } from '../../lib/is-record.ts';
import type { ClientAuthRecord } from '../../mock-idp/journal.ts';

export type ProxiedEndpoint = 'token' | 'userinfo';

/** One request the connector sent through the proxy and what the real IdP answered, raw (never printed or written). */
export interface Exchange {
  endpoint: ProxiedEndpoint;
  method: string;
  /** The real IdP URL it went to (query included). */
  upstream: string;
  query: Record<string, string>;
  /** The body's parameters (a form, or a JSON object), when the request had them. */
  form: Record<string, string>;
  requestHeaders: Record<string, string>;
  /** How the client authenticated at the token endpoint, read off the request as the mock IdP reads it. */
  clientAuth?: ClientAuthRecord;
  status: number;
  /** The response headers a fixture or a reader cares about (content-type, www-authenticate, …). */
  responseHeaders: Record<string, string>;
  body: string;
  /**
   * Set when the recording cannot go on with this exchange (the proxy answered 502 itself): the IdP
   * could not be reached, answered more than the cap, redirected the request, or the run was interrupted.
   */
  refused?: { kind: 'unreachable' | 'too-large' | 'redirect' | 'interrupted'; detail: string };
}

export const contentTypeOf = (exchange: Exchange): string | undefined => exchange.responseHeaders['content-type'];

/** A response body as the connector would read it, by its content type: JSON, a decoded form, or text. Pure. */
export function parseBody(contentType: string | undefined, body: string): unknown {
  const type = contentType ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return body;
    }
  }
  if (type.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  return body;
}

export const parsedBody = (exchange: Exchange): unknown => parseBody(contentTypeOf(exchange), exchange.body);

/**
 * A token answer without an access_token is an error, whatever its status (Naver, Slack and WeChat
 * send theirs with 200): the fixture replays it as a fault, and the live journal says so as the
 * replay's does.
 */
export function isTokenError(exchange: Exchange): boolean {
  const body = parsedBody(exchange);
  return exchange.status >= 400 || !isRecord(body) || typeof body.access_token !== 'string';
}

/** A JWT's claims, or undefined when the text is none. */
export function jwtClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    return { ...decodeJwt(token) };
  } catch {
    return undefined;
  }
}

/** A JWT's `alg`, or undefined when the text is none. */
export const jwtAlg = (token: string): unknown => {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
};
