import type { Refusal } from '../fixture/schema.ts';
import { invalidRequest, refusedAs } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * A method the endpoint does not take, refused the provider's way (a 404 page, a 400 with its own
 * body…). Without a fixture refusal the mock's own 405 stands (not-found.ts, userinfo.ts).
 */
export function refuseWrongMethod(allowed: string[], refusal: Refusal | undefined): MockIdpMiddleware | undefined {
  if (!refusal) return undefined;
  return async function refuseWrongMethod(ctx, next) {
    if (!allowed.includes(ctx.method)) {
      const reason = `${ctx.path} takes ${allowed.join(' or ')}, not ${ctx.method}`;
      throw refusedAs(refusal, invalidRequest(reason, 405, { allow: allowed.join(', ') }));
    }
    await next();
  };
}
