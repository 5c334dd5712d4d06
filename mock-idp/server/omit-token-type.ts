import type { MockIdpMiddleware } from './state.ts';

/** WeChat's token response carries no `token_type`: removed after the response is shaped (JSON or form). */
export function omitTokenType(omit: boolean): MockIdpMiddleware | undefined {
  if (!omit) return undefined;
  return async function omitTokenType(ctx, next) {
    await next();
    if (ctx.status !== 200) return;
    if (typeof ctx.body === 'string') {
      const form = new URLSearchParams(ctx.body);
      form.delete('token_type');
      ctx.body = form.toString();
    } else if (ctx.body && typeof ctx.body === 'object') {
      delete (ctx.body as Record<string, unknown>).token_type;
    }
  };
}
