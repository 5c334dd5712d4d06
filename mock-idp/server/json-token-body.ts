import { invalidRequest } from './oauth-error.ts';
import { replayParams } from './replay-params.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * A token endpoint that takes only a JSON body (`tokenRequest.encoding: json`): a form body is refused;
 * a JSON one is handed to oidc-provider as the form it reads (the journal keeps the request as sent).
 */
export function takeJsonTokenBody(encoding: 'form' | 'json'): MockIdpMiddleware | undefined {
  if (encoding !== 'json') return undefined;
  return async function takeJsonTokenBody(ctx, next) {
    if (ctx.method === 'POST' && !ctx.is('application/json')) {
      const sent = ctx.get('content-type') || 'no content type';
      throw invalidRequest(`this token endpoint takes a JSON body (application/json), not ${sent}`);
    }
    if (ctx.method === 'POST') {
      replayParams(ctx, ctx.state.params);
      ctx.req.headers = { ...ctx.req.headers, 'content-type': 'application/x-www-form-urlencoded' };
    }
    await next();
  };
}
