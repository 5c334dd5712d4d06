import type { Middleware } from 'koa';
import { sendOAuthError } from './oauth-error.ts';

/** Last line of defence: an unexpected throw is our bug, answered as `server_error` and logged, never a crash. */
export const errorBoundary = (log: (line: string) => void): Middleware => async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    const status = (error as { status?: number; expose?: boolean }).status;
    if (status && status >= 400 && status < 500) {
      sendOAuthError(ctx, status, 'invalid_request', (error as Error).message);
      return;
    }
    log(`internal error on ${ctx.method} ${ctx.path}: ${(error as Error).stack ?? String(error)}`);
    sendOAuthError(ctx, 500, 'server_error', 'the mock IdP failed unexpectedly (see its log)');
  }
};
