import { adjustParams } from './replay-params.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * Google issues a refresh token only for `access_type=offline` (and, for a user who consented
 * before, only with `prompt=consent` again). Modelled on the authorization request itself: with
 * every required parameter the request asks for offline_access, without them it cannot.
 */
export function offlineOnlyWith(required: Record<string, string> | undefined): MockIdpMiddleware | undefined {
  if (!required) return undefined;
  return async function offlineOnlyWith(ctx, next) {
    const { params } = ctx.state;
    if (params.client_id !== undefined) {
      const granted = Object.entries(required).every(([name, value]) =>
        (params[name] ?? '').split(' ').includes(value),
      );
      const scopes = (params.scope ?? '').split(' ').filter((scope) => scope && scope !== 'offline_access');
      const scope = [...scopes, ...(granted ? ['offline_access'] : [])].join(' ');
      if (scope !== (params.scope ?? '')) adjustParams(ctx, { scope });
    }
    await next();
  };
}
