import type { MockIdpContext } from './state.ts';

/**
 * Hands oidc-provider rewritten parameters: the query for GET, else a replayed form body with a
 * content-length that matches it (oidc-provider checks the two agree). The journal keeps the
 * headers as received: the headers object is replaced, not changed.
 */
export function replayParams(ctx: MockIdpContext, params: Record<string, string>): void {
  if (ctx.method === 'GET') {
    ctx.query = { ...params };
    return;
  }
  const text = new URLSearchParams(params).toString();
  ctx.state.replayBody?.(text);
  ctx.req.headers = { ...ctx.req.headers, 'content-length': String(Buffer.byteLength(text)) };
}
