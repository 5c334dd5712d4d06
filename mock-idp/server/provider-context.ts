import type { AsyncLocalStorage } from 'node:async_hooks';
// @ts-expect-error oidc-provider ships no types for its helpers; this one is `export default new AsyncLocalStorage()`.
import requestContext from 'oidc-provider/lib/helpers/als.js';

/**
 * oidc-provider runs every request inside an AsyncLocalStorage, so that `Provider.ctx` and the
 * configuration functions it calls without a ctx (ttl, token formats, extraTokenClaims) can find the
 * request. Ours take numbers or ignore the ctx, and nothing reads `Provider.ctx`. On Node 22 one
 * AsyncLocalStorage in use turns on async hooks for the whole process: every promise, tick and
 * socket write of every request pays for them, the fast paths' too — 15–25% of a userinfo
 * answer's CPU in interleaved runs. So requests run without that context. On Node 24 (AsyncContextFrame)
 * it would cost nothing; what a request sees is the same either way.
 */
export function runRequestsWithoutContext(): void {
  (requestContext as AsyncLocalStorage<unknown>).run = (
    _store: unknown,
    callback: (...args: unknown[]) => unknown,
    ...args: unknown[]
  ) => callback(...args);
}
