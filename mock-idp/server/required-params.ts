import type { Middleware } from 'koa';
import type { Fixture } from '../fixture/schema.ts';
import type { AuthorizeErrorAnswer } from './authorize-error.ts';
import { sendOAuthError } from './oauth-error.ts';

/** The first required parameter that is missing or wrong, as a sentence; undefined when all are there. */
export function missingRequiredParam(
  required: Record<string, string | true>,
  params: Record<string, string>,
  where: string,
): string | undefined {
  for (const [name, expected] of Object.entries(required)) {
    const actual = params[name];
    if (actual === undefined || actual === '')
      return `missing required parameter "${name}" (this IdP requires it at the ${where} endpoint${expected === true ? '' : `, value "${expected}"`})`;
    if (expected !== true && actual !== expected)
      return `parameter "${name}" must be "${expected}" at the ${where} endpoint, got "${actual}"`;
  }
  return undefined;
}

/** Authorize: an error redirect, as a real IdP would (RFC 6749 §4.1.2.1), when the redirect_uri is usable. */
export const requireAuthorizeParams =
  (fixture: Fixture, answerAuthorizeError: AuthorizeErrorAnswer): Middleware =>
  async (ctx, next) => {
    const params = ctx.state.params as Record<string, string>;
    // The resume step (/authorize/<uid>) carries no request parameters of its own.
    if (params.client_id === undefined && params.response_type === undefined) return next();
    const problem = missingRequiredParam(fixture.requiredParams.authorize, params, 'authorization');
    if (!problem) return next();
    answerAuthorizeError(ctx, { error: 'invalid_request', error_description: problem });
  };

export const requireTokenParams =
  (fixture: Fixture): Middleware =>
  async (ctx, next) => {
    const problem = missingRequiredParam(
      fixture.requiredParams.token,
      ctx.state.params as Record<string, string>,
      'token',
    );
    if (problem) return sendOAuthError(ctx, 400, 'invalid_request', problem);
    return next();
  };
