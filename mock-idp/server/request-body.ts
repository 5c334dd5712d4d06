import type { ParameterizedContext } from 'koa';
import { Readable } from 'node:stream';
import { clientWentAway } from './error-boundary.ts';
import { invalidRequest } from './oauth-error.ts';
import type { MockIdpState, OuterMiddleware } from './state.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * oidc-provider reads the body from the request stream itself; hand it a request whose stream
 * replays the bytes we already read (its fallback for pre-parsed bodies prints a warning).
 */
function replayBody(ctx: ParameterizedContext<Partial<MockIdpState>>, buffer: Buffer): void {
  const original = ctx.req;
  const replay = Readable.from([buffer]);
  const request = new Proxy(original, {
    get(target, property) {
      if (property === 'readable') return replay.readable;
      if (property === 'iterator') return replay.iterator.bind(replay);
      if (property === 'body') return buffer.toString('utf8');
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  ctx.req = request;
  ctx.request.req = request;
}

/**
 * Reads the request body once so the journal, the client-auth precheck and the required-params
 * check can see it, then hands the raw text to oidc-provider (which accepts a pre-read body).
 */
export const readRequestBody: OuterMiddleware = async (ctx, next) => {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.query)) if (typeof value === 'string') params[key] = value;
  ctx.state.params = params;

  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method) || ctx.req.headers['content-length'] === '0') {
    await next();
    return;
  }
  const declared = Number(ctx.req.headers['content-length'] ?? Number.NaN);
  if (declared > BODY_LIMIT_BYTES) {
    ctx.req.resume();
    throw invalidRequest(
      `request body too large (${declared} bytes; this IdP accepts at most ${BODY_LIMIT_BYTES})`,
      413,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        throw invalidRequest(`request body too large (over ${BODY_LIMIT_BYTES} bytes)`, 413);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (!clientWentAway(error)) throw error;
    // Nobody reads this answer; the journal does, and it says how far the upload got.
    throw invalidRequest(
      `the client closed the connection after ${size}${Number.isNaN(declared) ? '' : ` of ${declared}`} bytes of the body`,
    );
  }
  const buffer = Buffer.concat(chunks);
  const raw = buffer.toString('utf8');
  ctx.state.rawBody = raw;
  replayBody(ctx, buffer);
  ctx.state.replayBody = (text: string) => replayBody(ctx, Buffer.from(text));

  if (ctx.is('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
  } else if (ctx.is('application/json') && raw.length > 0) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') params[key] = value;
      }
    } catch (error) {
      // JSON.parse quotes the text around the fault, and that text may be a secret: the position only.
      const position = /at position \d+/.exec((error as Error).message)?.[0];
      throw invalidRequest(
        `request body is not valid JSON${position ? ` (${position})` : ''}; OAuth endpoints take application/x-www-form-urlencoded`,
      );
    }
  }
  await next();
};
