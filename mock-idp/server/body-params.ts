import { invalidRequest } from './oauth-error.ts';

/** The media type alone, as koa's `ctx.is` compares it: no parameters, lower case. */
const mediaTypeOf = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * The string parameters a request body carries: a form, or a JSON object (which some clients send
 * though OAuth endpoints take forms); none for any other type. The mock IdP and the recording proxy
 * read a body the one way, so their journals show the same `params`. Throws an OAuthError
 * (invalid_request) for a JSON body that does not parse.
 */
export function bodyParams(raw: string, contentType: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  const type = mediaTypeOf(contentType);
  if (type === 'application/x-www-form-urlencoded') {
    for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
  } else if (type === 'application/json' && raw.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      // JSON.parse quotes the text around the fault, and that text may be a secret: the position only.
      const position = /at position \d+/.exec((error as Error).message)?.[0];
      throw invalidRequest(
        `request body is not valid JSON${position ? ` (${position})` : ''}; OAuth endpoints take application/x-www-form-urlencoded`,
      );
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') params[key] = value;
    }
  }
  return params;
}
