import { adjustParams } from './replay-params.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * Bends authorization requests the way real IdPs behave, before oidc-provider sees them.
 *
 * oidc-provider follows OIDC Core §11 and drops `offline_access` unless `prompt=consent` is sent.
 * Real IdPs (and Logto's connectors, which never send prompt=consent) simply issue the refresh
 * token, so the mock asks for consent on the client's behalf; the consent step completes headlessly.
 */
export const honourOfflineAccess = (knownScopes: string[]): MockIdpMiddleware =>
  async function honourOfflineAccess(ctx, next) {
    const { params } = ctx.state;
    const rewritten = params.client_id === undefined ? {} : asRealIdpsGrant(params, knownScopes);
    if (Object.keys(rewritten).length > 0) adjustParams(ctx, rewritten);
    await next();
  };

/** The parameters to change so that oidc-provider grants what a real IdP would. Pure. */
function asRealIdpsGrant(params: Record<string, string>, knownScopes: string[]): Record<string, string> {
  const scopes = (params.scope ?? '').split(' ').filter(Boolean);
  const prompts = (params.prompt ?? '').split(' ').filter(Boolean);
  const rewritten: Record<string, string> = {};
  if (scopes.includes('offline_access') && !prompts.includes('consent') && !prompts.includes('none')) {
    rewritten.prompt = [...prompts, 'consent'].join(' ');
  }
  // Real OAuth 2.0 IdPs take any scope (GitHub's `read:user`, or none at all); oidc-provider
  // refuses to grant nothing, so such a request is granted `openid` on top of what it asked.
  if (!scopes.some((scope) => knownScopes.includes(scope))) rewritten.scope = [...scopes, 'openid'].join(' ');
  return rewritten;
}
