import type { Middleware } from 'koa';

/** WeChat's token response carries no `token_type`: removed after the response is shaped (JSON or form). */
export const omitTokenType =
  (omit: boolean): Middleware =>
  async (ctx, next) => {
    await next();
    if (!omit || ctx.status !== 200) return;
    if (typeof ctx.body === 'string') {
      const form = new URLSearchParams(ctx.body);
      form.delete('token_type');
      ctx.body = form.toString();
    } else if (ctx.body && typeof ctx.body === 'object') {
      delete (ctx.body as Record<string, unknown>).token_type;
    }
  };
