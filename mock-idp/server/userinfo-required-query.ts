import { missingRequiredParam } from './required-params.ts';
import { invalidRequest } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

/** Userinfo that needs query parameters beside the token (WeChat's `openid`). */
export function requireUserinfoQuery(required: Record<string, string | true>): MockIdpMiddleware | undefined {
  if (Object.keys(required).length === 0) return undefined;
  return async function requireUserinfoQuery(ctx, next) {
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(ctx.query)) if (typeof value === 'string') query[key] = value;
    const problem = missingRequiredParam(required, query, 'userinfo');
    if (problem) throw invalidRequest(problem);
    await next();
  };
}
