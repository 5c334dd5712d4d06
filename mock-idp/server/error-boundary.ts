import type { Context, Middleware, Next } from 'koa';
import { sendOAuthError } from './oauth-error.ts';

// Node's codes for a connection the client closed or reset, or cut mid-message (HPE_*: the HTTP parser).
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** The client hung up: its doing, not a failure of the IdP worth a stack trace. */
export const clientWentAway = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && (CLIENT_GONE.has(code) || code.startsWith('HPE_'));
};

interface OAuthAnswer {
  status: number;
  error: string;
  error_description?: string;
  headers?: Record<string, string>;
  body?: string | Record<string, unknown>;
}

/**
 * An error that says how it is answered: a 4xx status and an OAuth error code, as OAuthError and
 * oidc-provider's errors carry them. By shape, not by class: koa's `onerror` does the same, as
 * `instanceof` fails across copies of a module.
 */
const isOAuthAnswer = (error: unknown): error is OAuthAnswer => {
  const { status, error: code } = (error ?? {}) as Partial<OAuthAnswer>;
  return typeof status === 'number' && status >= 400 && status < 500 && typeof code === 'string';
};

const sendAnswer = (ctx: Context, answer: OAuthAnswer) =>
  sendOAuthError(
    ctx,
    answer.status,
    answer.error,
    answer.error_description ?? answer.error,
    answer.headers,
    answer.body,
  );

/** The answer to a throw: the error's own for a refusal, `server_error` and a log line for our bugs. */
export function answerThrown(ctx: Context, error: unknown, log: (line: string) => void): void {
  if (isOAuthAnswer(error)) return sendAnswer(ctx, error);
  // Another error with a 4xx status (koa's ctx.throw): the request's fault, in its own words.
  const status = (error as { status?: number }).status;
  if (status && status >= 400 && status < 500)
    return sendOAuthError(ctx, status, 'invalid_request', (error as Error).message);
  if (clientWentAway(error))
    return sendOAuthError(
      ctx,
      400,
      'invalid_request',
      'the client closed the connection before the request was complete',
    );
  log(`internal error on ${ctx.method} ${ctx.path}: ${(error as Error).stack ?? String(error)}`);
  sendOAuthError(ctx, 500, 'server_error', 'the mock IdP failed unexpectedly (see its log)');
}

/**
 * The rest of the pipeline, with a refusal thrown there written as the answer here: for a middleware
 * that bends error answers (errorsWith200, shapeTokenErrors), which must see what the client would get.
 */
export async function nextAnswered(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!isOAuthAnswer(error)) throw error;
    sendAnswer(ctx, error);
  }
}

/** Last line of defence: an unexpected throw is answered, never a crash. */
export const errorBoundary =
  (log: (line: string) => void): Middleware =>
  async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      answerThrown(ctx, error, log);
    }
  };
