import type { Middleware } from 'koa';

/** An IdP without a userinfo endpoint (Azure AD B2C user flows): the path answers 404. */
export const refuseUserinfo =
  (enabled: boolean): Middleware =>
  async (ctx, next) => {
    if (enabled) return next();
    ctx.status = 404;
    ctx.body = {
      error: 'not_found',
      error_description: 'this IdP has no userinfo endpoint; the claims are in the id_token',
    };
  };
