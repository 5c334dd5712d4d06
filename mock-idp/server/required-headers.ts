import type { RequiredHeaders } from '../fixture/schema.ts';
import { invalidRequest, refusedAs } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

/** The first required header that is missing or wrong, as a sentence; undefined when all are there. Pure. */
export function missingHeader(
  required: RequiredHeaders['headers'],
  get: (name: string) => string,
  where: string,
): string | undefined {
  for (const [name, expected] of Object.entries(required)) {
    const actual = get(name);
    if (!actual)
      return `missing required header "${name}" (this IdP requires it at the ${where} endpoint${expected === true ? '' : `, value "${expected}"`})`;
    if (expected !== true && actual !== expected)
      return `header "${name}" must be "${expected}" at the ${where} endpoint, got "${actual}"`;
  }
  return undefined;
}

/**
 * Request headers an endpoint wants beside the standard ones (Twitch's `Client-Id` at userinfo, an API
 * gateway's key at token): refused with the fixture's status and body, else 400 `invalid_request`.
 */
export function requireHeaders(settings: RequiredHeaders | undefined, where: string): MockIdpMiddleware | undefined {
  if (!settings) return undefined;
  return async function requireHeaders(ctx, next) {
    const problem = missingHeader(settings.headers, (name) => ctx.get(name), where);
    if (problem) throw refusedAs(settings.refusal, invalidRequest(problem));
    await next();
  };
}
