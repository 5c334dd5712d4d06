import type { Context } from 'koa';
import type { Refusal } from '../fixture/schema.ts';

/**
 * A refusal as an RFC 6749 §5.2 error answer: thrown where a request is refused, written by the
 * boundary (error-boundary.ts), as oidc-provider throws `InvalidRequest`. It carries what koa's and
 * oidc-provider's errors carry (`status`, `expose`, `headers`), and is recognised by that shape.
 */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly error_description: string;
  readonly expose = true;
  readonly headers?: Record<string, string>;
  /** The provider's own body, sent instead of the RFC 6749 JSON (a fixture's `refusal`). */
  readonly body?: string | Record<string, unknown>;

  constructor(
    status: number,
    error: string,
    description: string,
    headers?: Record<string, string>,
    body?: string | Record<string, unknown>,
  ) {
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
    this.error_description = description;
    if (headers) this.headers = headers;
    if (body !== undefined) this.body = body;
  }
}

/**
 * A refusal the provider's way when the fixture gives one, else `standard`; the reason stays on the
 * error (the log and a thrown-error reader see it), the body is the provider's.
 */
export const refusedAs = (refusal: Refusal | undefined, standard: OAuthError): OAuthError =>
  refusal
    ? new OAuthError(refusal.status, standard.error, standard.error_description, refusal.headers, refusal.body)
    : standard;

/** The usual refusal of bad input: 400 `invalid_request` (413, 405 where the request is too large or misrouted). */
export const invalidRequest = (description: string, status = 400, headers?: Record<string, string>) =>
  new OAuthError(status, 'invalid_request', description, headers);

/** RFC 6749 §5.2 error body, written: what every OAuth endpoint answers on bad input. */
export function sendOAuthError(
  ctx: Context,
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
  body?: string | Record<string, unknown>,
): void {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  if (body === undefined) {
    if (headers) ctx.set(headers);
    ctx.body = { error, error_description: description };
    return;
  }
  // koa types the body from what it is: a string as text/plain, an object as JSON; a content-type given wins.
  ctx.body = body;
  if (headers) ctx.set(headers);
}
