import type { Fixture } from '../fixture/schema.ts';
import { nextAnswered } from './error-boundary.ts';
import { formEncode } from './shape-token-response.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * Token endpoint errors form-encoded (`tokenResponse.errorEncoding: form`): GitHub's token errors
 * take "the format … determined by the accept header you pass", form-encoded without a JSON one
 * (https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/).
 * The status stays what the error had.
 */
export function shapeTokenErrors(encoding: Fixture['tokenResponse']['errorEncoding']): MockIdpMiddleware | undefined {
  if (encoding !== 'form') return undefined;
  return async function shapeTokenErrors(ctx, next) {
    await nextAnswered(ctx, next);
    if (ctx.status < 400 || !ctx.body || typeof ctx.body !== 'object') return;
    const body = ctx.body as Record<string, unknown>;
    if (typeof body.error !== 'string') return;
    ctx.type = 'application/x-www-form-urlencoded';
    ctx.body = formEncode(body);
  };
}
