import type { Middleware } from 'koa';
import type { Fixture } from '../fixture/schema.ts';
import { sendOAuthError } from './oauth-error.ts';

/**
 * Okta refuses a token request that authenticates twice: Basic credentials and a client_id in the
 * body. RFC 6749 §2.3 says a client MUST NOT use more than one method per request.
 */
export const refuseClientIdInBodyWithBasic =
  (fixture: Fixture): Middleware =>
  async (ctx, next) => {
    const params = ctx.state.params as Record<string, string>;
    const authorization = ctx.get('authorization');
    if (!/^basic\s/i.test(authorization) || params.client_id === undefined) return next();
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const basicId = decoded.slice(0, Math.max(decoded.indexOf(':'), 0));
    const client = fixture.clients.find(
      (candidate) => candidate.clientId === basicId || candidate.clientId === params.client_id,
    );
    if (!client?.refuseClientIdInBodyWithBasic) return next();
    return sendOAuthError(
      ctx,
      400,
      'invalid_request',
      'Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.',
    );
  };
