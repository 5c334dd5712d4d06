import type { Middleware } from 'koa';
import type { Fixture } from '../fixture/schema.ts';
import { sendOAuthError } from './oauth-error.ts';
import { replayParams } from './replay-params.ts';

/**
 * WeChat names the client credentials `appid` and `secret`. Requests with those names are turned
 * into standard ones for oidc-provider; requests with only the standard names are refused, as the
 * real IdP does not know them.
 */
export const renameClientParams =
  (names: Fixture['clientParamNames']): Middleware =>
  async (ctx, next) => {
    if (!names) return next();
    const params = ctx.state.params as Record<string, string>;
    // The resume step (/authorize/<uid>) carries no request parameters of its own.
    if (params.response_type === undefined && params.grant_type === undefined) return next();
    const renames = (
      [
        ['client_id', names.clientId],
        ['client_secret', names.clientSecret],
      ] as const
    ).filter((pair): pair is readonly ['client_id' | 'client_secret', string] => pair[1] !== undefined);
    // At authorize only the client id travels.
    const wanted = params.grant_type === undefined ? renames.filter(([standard]) => standard === 'client_id') : renames;
    for (const [standard, renamed] of wanted) {
      if (params[renamed] === undefined) {
        const sent =
          params[standard] === undefined ? '' : ` (the request sent "${standard}", which this IdP does not read)`;
        return sendOAuthError(ctx, 400, 'invalid_request', `missing ${renamed}${sent}`);
      }
    }
    // The renamed ones stay (the journal shows what was sent; oidc-provider ignores unknown parameters).
    for (const [standard, renamed] of wanted) params[standard] = params[renamed]!;
    replayParams(ctx, params);
    return next();
  };
