import type { AuthorizeErrorAnswer } from './authorize-error.ts';
import { invalidRequest } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

type Required = Record<string, string | true>;

/** The first required parameter that is missing or wrong, as a sentence; undefined when all are there. */
export function missingRequiredParam(
  required: Required,
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
export function requireAuthorizeParams(
  required: Required,
  answerAuthorizeError: AuthorizeErrorAnswer,
): MockIdpMiddleware | undefined {
  if (Object.keys(required).length === 0) return undefined;
  return async function requireAuthorizeParams(ctx, next) {
    const { params } = ctx.state;
    // The resume step (/authorize/<uid>) carries no request parameters of its own.
    const resuming = params.client_id === undefined && params.response_type === undefined;
    const problem = resuming ? undefined : missingRequiredParam(required, params, 'authorization');
    if (problem) return answerAuthorizeError(ctx, { error: 'invalid_request', error_description: problem });
    await next();
  };
}

export function requireTokenParams(required: Required): MockIdpMiddleware | undefined {
  if (Object.keys(required).length === 0) return undefined;
  return async function requireTokenParams(ctx, next) {
    const problem = missingRequiredParam(required, ctx.state.params, 'token');
    if (problem) throw invalidRequest(problem);
    await next();
  };
}
