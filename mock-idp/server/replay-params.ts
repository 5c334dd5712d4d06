import type { MockIdpContext } from './state.ts';

/**
 * Hands oidc-provider rewritten parameters: the query for GET, else a replayed form body with a
 * content-length that matches it (oidc-provider checks the two agree). The journal keeps the
 * headers as received: the headers object is replaced, not changed.
 */
/**
 * Changes parameters before oidc-provider reads them, as a real IdP would treat the request (a
 * rename, prompt=consent for offline_access). The journal keeps what the client sent, and these
 * changes apart: a parameter the client never sent must not look as if it had.
 */
export function adjustParams(ctx: MockIdpContext, changes: Record<string, string>): void {
  const { params, journal } = ctx.state;
  journal.sent ??= { ...params };
  Object.assign(params, changes);
  replayParams(ctx, params);
}

export function replayParams(ctx: MockIdpContext, params: Record<string, string>): void {
  if (ctx.method === 'GET') {
    ctx.query = { ...params };
    return;
  }
  const text = new URLSearchParams(params).toString();
  ctx.state.replayBody?.(text);
  ctx.req.headers = { ...ctx.req.headers, 'content-length': String(Buffer.byteLength(text)) };
}
