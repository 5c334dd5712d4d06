import type { Context } from 'koa';

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

  constructor(status: number, error: string, description: string, headers?: Record<string, string>) {
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
    this.error_description = description;
    if (headers) this.headers = headers;
  }
}

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
): void {
  ctx.status = status;
  if (headers) ctx.set(headers);
  ctx.set('cache-control', 'no-store');
  ctx.body = { error, error_description: description };
}
