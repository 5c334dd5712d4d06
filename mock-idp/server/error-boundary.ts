import type { Context, Middleware } from 'koa';
import { sendOAuthError } from './oauth-error.ts';

// Node's codes for a connection the client closed or reset, or cut mid-message (HPE_*: the HTTP parser).
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** The client hung up: its doing, not a failure of the IdP worth a stack trace. */
export const clientWentAway = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && (CLIENT_GONE.has(code) || code.startsWith('HPE_'));
};

/** The answer to a throw: a 4xx for an error that carries one, `server_error` and a log line for our bugs. */
export function answerThrown(ctx: Context, error: unknown, log: (line: string) => void): void {
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
