import type { Middleware } from 'koa';
import { missingRequiredParam } from './required-params.ts';
import { sendOAuthError } from './oauth-error.ts';

/** Userinfo that needs query parameters beside the token (WeChat's `openid`). */
export const requireUserinfoQuery =
  (required: Record<string, string | true>): Middleware =>
  async (ctx, next) => {
    if (Object.keys(required).length === 0) return next();
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(ctx.query)) if (typeof value === 'string') query[key] = value;
    const problem = missingRequiredParam(required, query, 'userinfo');
    if (problem) return sendOAuthError(ctx, 400, 'invalid_request', problem);
    return next();
  };
