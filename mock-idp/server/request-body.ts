import type { ParameterizedContext } from 'koa';
import { Readable } from 'node:stream';
import { clientWentAway } from './error-boundary.ts';
import { bodyParams } from './body-params.ts';
import { invalidRequest } from './oauth-error.ts';
import { BodyTooLarge, readCapped } from './read-capped.ts';
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
  const read = { bytes: 0 };
  let buffer: Buffer;
  try {
    buffer = await readCapped(ctx.req as AsyncIterable<Buffer>, BODY_LIMIT_BYTES, read);
  } catch (error) {
    if (error instanceof BodyTooLarge)
      throw invalidRequest(`request body too large (over ${BODY_LIMIT_BYTES} bytes)`, 413);
    if (!clientWentAway(error)) throw error;
    // Nobody reads this answer; the journal does, and it says how far the upload got.
    throw invalidRequest(
      `the client closed the connection after ${read.bytes}${Number.isNaN(declared) ? '' : ` of ${declared}`} bytes of the body`,
    );
  }
  const raw = buffer.toString('utf8');
  ctx.state.rawBody = raw;
  replayBody(ctx, buffer);
  ctx.state.replayBody = (text: string) => replayBody(ctx, Buffer.from(text));
  Object.assign(params, bodyParams(raw, ctx.get('content-type')));
  await next();
};
