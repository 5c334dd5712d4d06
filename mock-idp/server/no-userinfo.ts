import type { MockIdpMiddleware } from './state.ts';

/** An IdP without a userinfo endpoint (Azure AD B2C user flows): the path answers 404. */
export function refuseUserinfo(enabled: boolean): MockIdpMiddleware | undefined {
  if (enabled) return undefined;
  return async function refuseUserinfo(ctx) {
    ctx.status = 404;
    ctx.body = {
      error: 'not_found',
      error_description: 'this IdP has no userinfo endpoint; the claims are in the id_token',
    };
  };
}
