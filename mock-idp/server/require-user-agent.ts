import type { Middleware } from 'koa';

/** GitHub's API refuses requests without a User-Agent header with a 403 and a plain-text reason. */
export const requireUserAgent =
  (required: boolean): Middleware =>
  async (ctx, next) => {
    if (!required || ctx.get('user-agent')) return next();
    ctx.status = 403;
    ctx.type = 'text/plain';
    ctx.body = 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.';
  };
