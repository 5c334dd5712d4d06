import type { AuthorizeErrorAnswer } from './authorize-error.ts';
import { invalidRequest } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

type Required = Record<string, string | true>;

type Report = 'first' | 'all';

/** Each required parameter that is missing or wrong, as a phrase. Pure. */
function paramProblems(required: Required, params: Record<string, string>, where: string): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(required)) {
    const actual = params[name];
    if (actual === undefined || actual === '')
      problems.push(
        `missing required parameter "${name}" (this IdP requires it at the ${where} endpoint${expected === true ? '' : `, value "${expected}"`})`,
      );
    else if (expected !== true && actual !== expected)
      problems.push(`parameter "${name}" must be "${expected}" at the ${where} endpoint, got "${actual}"`);
  }
  return problems;
}

/**
 * The required parameters that are missing or wrong, as one sentence (the first only, or all of them
 * with `report: all`); undefined when all are there. Pure.
 */
export function missingRequiredParam(
  required: Required,
  params: Record<string, string>,
  where: string,
  report: Report = 'first',
): string | undefined {
  const problems = paramProblems(required, params, where);
  if (problems.length === 0) return undefined;
  if (report === 'first' || problems.length === 1) return problems[0];
  return `${problems.length} problems with the request: ${problems.join('; ')}`;
}

// What every authorization request needs (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), named with the fixture's own.
const AUTHORIZE_STANDARD: Required = { response_type: true, client_id: true, redirect_uri: true };

/** Authorize: an error redirect, as a real IdP would (RFC 6749 §4.1.2.1), when the redirect_uri is usable. */
export function requireAuthorizeParams(
  own: Required,
  answerAuthorizeError: AuthorizeErrorAnswer,
  report: Report = 'first',
): MockIdpMiddleware | undefined {
  if (Object.keys(own).length === 0 && report === 'first') return undefined;
  const required = report === 'all' ? { ...AUTHORIZE_STANDARD, ...own } : own;
  return async function requireAuthorizeParams(ctx, next) {
    const { params } = ctx.state;
    // The resume step (/authorize/<uid>) is a path of its own and carries no request parameters.
    const resuming = ctx.path.split('/').length > 2;
    const problem = resuming ? undefined : missingRequiredParam(required, params, 'authorization', report);
    if (problem) return answerAuthorizeError(ctx, { error: 'invalid_request', error_description: problem });
    await next();
  };
}

export function requireTokenParams(required: Required, report: Report = 'first'): MockIdpMiddleware | undefined {
  if (Object.keys(required).length === 0) return undefined;
  return async function requireTokenParams(ctx, next) {
    const problem = missingRequiredParam(required, ctx.state.params, 'token', report);
    if (problem) throw invalidRequest(problem);
    await next();
  };
}
