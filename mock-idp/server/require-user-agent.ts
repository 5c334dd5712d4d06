import type { MockIdpMiddleware } from './state.ts';

/** GitHub's API refuses requests without a User-Agent header with a 403 and a plain-text reason. */
export function requireUserAgent(required: boolean): MockIdpMiddleware | undefined {
  if (!required) return undefined;
  return async function requireUserAgent(ctx, next) {
    if (!ctx.get('user-agent')) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.';
      return;
    }
    await next();
  };
}
