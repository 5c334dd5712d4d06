import type { Middleware } from 'koa';
import { replayParams } from './replay-params.ts';

/**
 * Google issues a refresh token only for `access_type=offline` (and, for a user who consented
 * before, only with `prompt=consent` again). Modelled on the authorization request itself: with
 * every required parameter the request asks for offline_access, without them it cannot.
 */
export const offlineOnlyWith =
  (required: Record<string, string> | undefined): Middleware =>
  async (ctx, next) => {
    const params = ctx.state.params as Record<string, string>;
    if (!required || params.client_id === undefined) return next();
    const granted = Object.entries(required).every(([name, value]) => (params[name] ?? '').split(' ').includes(value));
    const scopes = (params.scope ?? '').split(' ').filter((scope) => scope && scope !== 'offline_access');
    params.scope = [...scopes, ...(granted ? ['offline_access'] : [])].join(' ');
    if (ctx.method === 'GET') ctx.query = { ...ctx.query, scope: params.scope };
    else replayParams(ctx, params);
    return next();
  };
