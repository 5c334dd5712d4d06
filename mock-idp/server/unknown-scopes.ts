import type { AuthorizeErrorAnswer } from './authorize-error.ts';
import type { MockIdpMiddleware } from './state.ts';

/** The requested scopes the IdP does not know, in request order. Pure. */
export const unknownScopes = (requested: string | undefined, known: string[]): string[] =>
  (requested ?? '').split(' ').filter((scope) => scope && !known.includes(scope));

/**
 * An IdP that refuses a scope it does not know (RFC 6749 §4.1.2.1 `invalid_scope`), where
 * oidc-provider ignores it: an error redirect naming each unknown scope.
 */
export function refuseUnknownScopes(
  refuse: boolean,
  known: string[],
  answerAuthorizeError: AuthorizeErrorAnswer,
): MockIdpMiddleware | undefined {
  if (!refuse) return undefined;
  return async function refuseUnknownScopes(ctx, next) {
    const unknown = unknownScopes(ctx.state.params.scope, known);
    if (ctx.state.params.client_id !== undefined && unknown.length > 0) {
      const names = unknown.map((scope) => `"${scope}"`).join(', ');
      return answerAuthorizeError(ctx, {
        error: 'invalid_scope',
        error_description: `unknown scope${unknown.length > 1 ? 's' : ''} ${names}; this IdP knows ${known.join(' ')}`,
      });
    }
    await next();
  };
}
