import type { Middleware } from 'koa';

/**
 * oidc-provider follows OIDC Core §11 and drops `offline_access` unless `prompt=consent` is sent.
 * Real IdPs (and Logto's connectors, which never send prompt=consent) simply issue the refresh
 * token, so the mock asks for consent on the client's behalf; the consent step completes headlessly.
 */
export const honourOfflineAccess: Middleware = async (ctx, next) => {
  const params = ctx.state.params as Record<string, string>;
  const scopes = (params.scope ?? '').split(' ');
  const prompts = (params.prompt ?? '').split(' ').filter(Boolean);
  if (!scopes.includes('offline_access') || prompts.includes('consent') || prompts.includes('none')) return next();
  const prompt = [...prompts, 'consent'].join(' ');
  params.prompt = prompt;
  if (ctx.method === 'GET') {
    ctx.query = { ...ctx.query, prompt };
  } else {
    // POST authorization requests: oidc-provider reads the form we replay (request-body.ts).
    ctx.state.replayBody?.(new URLSearchParams({ ...params, prompt }).toString());
  }
  return next();
};
