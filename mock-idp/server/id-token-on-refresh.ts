import type { MockIdpMiddleware } from './state.ts';

/**
 * An IdP that issues the id_token with the code exchange only (OIDC Core §12.2 lets a refresh answer
 * leave it out): the refresh answer carries none.
 */
export function omitIdTokenOnRefresh(onRefresh: boolean): MockIdpMiddleware | undefined {
  if (onRefresh) return undefined;
  return async function omitIdTokenOnRefresh(ctx, next) {
    await next();
    if (ctx.status !== 200 || ctx.state.params.grant_type !== 'refresh_token') return;
    if (ctx.body && typeof ctx.body === 'object') delete (ctx.body as Record<string, unknown>).id_token;
  };
}
