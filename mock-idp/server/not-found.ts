import type { EndpointPaths } from './paths.ts';
import { DISCOVERY_PATH } from './paths.ts';
import { invalidRequest, OAuthError } from './oauth-error.ts';
import type { OuterMiddleware } from './state.ts';

/**
 * What koa leaves as a plain-text "Not Found" becomes JSON an automation can read: a known
 * endpoint asked with the wrong method gets 405 naming the methods it takes, anything else 404
 * listing where the endpoints are.
 */
export const answerUnrouted = (endpoints: EndpointPaths, userinfoMethod: 'GET' | 'POST' | 'ANY'): OuterMiddleware => {
  const allowed = new Map<string, string[]>([
    [DISCOVERY_PATH, ['GET']],
    [endpoints.jwks, ['GET']],
    [endpoints.authorization, ['GET', 'POST']],
    [endpoints.token, ['POST']],
    [endpoints.revocation, ['POST']],
    [endpoints.endSession, ['GET', 'POST']],
    [endpoints.userinfo, userinfoMethod === 'ANY' ? ['GET', 'POST'] : [userinfoMethod]],
  ]);
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null) return;
    const methods = allowed.get(ctx.path);
    if (methods && !methods.includes(ctx.method)) {
      const body =
        ctx.path === endpoints.token || ctx.path === endpoints.revocation
          ? ' with an application/x-www-form-urlencoded body'
          : '';
      throw invalidRequest(`${ctx.path} takes ${methods.join(' or ')}${body}, not ${ctx.method}`, 405, {
        allow: methods.join(', '),
      });
    }
    throw new OAuthError(
      404,
      'not_found',
      `nothing at ${ctx.method} ${ctx.path}; discovery at ${DISCOVERY_PATH} lists the endpoints`,
    );
  };
};
