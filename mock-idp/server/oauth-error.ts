import type { Context } from 'koa';

/** RFC 6749 §5.2 error body: what every OAuth endpoint answers on bad input. */
export function sendOAuthError(ctx: Context, status: number, error: string, description: string): void {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  ctx.body = { error, error_description: description };
}
