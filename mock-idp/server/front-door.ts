import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from './request-handler.ts';

/**
 * The one way in for every request, and the list of the shortcuts the mock IdP takes for speed.
 * Each answers what koa and oidc-provider would answer, only sooner; each has a test that holds
 * it to that. Before any of them, the Host check of the `/_` routes (admin-hosts.ts) runs, on every
 * path. Gains on 2 shared cores, as measured when each came (`git log -- mock-idp/server bin`) or,
 * for the two HTTP fast paths, against the same IdP with a fault that never fires sending the
 * endpoint through koa (6 interleaved 3-second rounds, 32 connections, median / best, 2026-12-05):
 *
 * - Discovery and JWKS from memory (static-metadata.ts `serve`): rendered once, answered straight
 *   from the HTTP server, journaled all the same. Discovery 11.2k / 12.8k req/s vs 6.2k / 8.3k
 *   through koa. Proved by test/mock-idp/static-metadata.test.ts (equal to oidc-provider's own
 *   rendering for every shipped fixture, and its JWKS).
 * - oidc-provider and koa load after the port opens (start.ts; `load` below): importing them takes
 *   260–360 ms; discovery is answered meanwhile (spawn → first discovery 107 ms, → an authorization
 *   answered 421 ms), and any other request waits for them. Proved by test/mock-idp/startup.test.ts
 *   (a discovery and an authorization request sent on the first connection the port accepts).
 * - Bodiless userinfo from the token store (userinfo.ts `userinfoFastPath`), only when the fixture's
 *   userinfo pipeline is empty and no fault names userinfo: one pure `answerUserinfo` with two
 *   adapters. 11.1k / 12.4k req/s vs 7.4k / 8.6k through koa. Proved by test/mock-idp/front-door.test.ts
 *   (the same answers and journal as the koa route, for every shipped fixture) and pipelines.test.ts
 *   (it serves exactly when the userinfo pipeline is empty).
 * - Requests run without oidc-provider's AsyncLocalStorage (provider-context.ts, replacing
 *   `run` of `oidc-provider/lib/helpers/als.js`: the line most likely to break on an upgrade). On
 *   Node 22 the storage turns on async hooks for every promise of the process: userinfo 12.9k vs
 *   11.0k req/s (median of interleaved runs), CPU per request 59 vs 71 µs. Proved by
 *   test/mock-idp/front-door.test.ts (a whole flow answers the same with the storage on).
 * - The CLI starts from caches in the temp folder (bin/start-fast.js): V8's compile cache and the
 *   type-stripped sources, so Node's TypeScript stripper (WebAssembly) never loads again: the port
 *   opened at 307/537 ms (min/median) vs 669/797 ms without (10 alternating starts, load ~7). Proved
 *   by test/mock-idp/startup.test.ts (a first run fills the cache, a second runs from it, alike).
 * - `createServer` through `createRequire` (start.ts): an ES import of node:http loads
 *   undici, about 30 ms before the port could open.
 */

export interface FrontDoorParts<Loaded> {
  /** Answers a `/_` request under a name that is not this IdP's (403); true when it did. */
  refusedHost: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Discovery or JWKS from memory; false for any other request, or a document a fault names. */
  serveMetadata: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Imports oidc-provider and koa (request-handler.ts) and whatever goes with them. */
  loadParts: () => Promise<Loaded>;
  log: (line: string) => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `dispatch` is the HTTP server's request listener from the moment the port opens; `open` hands it
 * the request handler once loaded (or the error that kept it from loading: 503 from then on).
 */
export function frontDoor<Loaded>({ refusedHost, serveMetadata, loadParts, log }: FrontDoorParts<Loaded>) {
  let loading: Promise<Loaded> | undefined;
  /** Starts loading once; every call gets the same promise. */
  const load = () => (loading ??= loadParts());
  let handler: RequestHandler | undefined;
  let settle!: (outcome: RequestHandler | Error) => void;
  const opened = new Promise<RequestHandler | Error>((resolve) => (settle = resolve));

  const dispatch = (request: IncomingMessage, response: ServerResponse): void => {
    try {
      if (refusedHost(request, response)) return;
      if (serveMetadata(request, response)) {
        // A client polling for the IdP has its answer: time for the heavy load.
        if (!loading) setImmediate(() => void load());
        return;
      }
      if (!handler) {
        void load();
        void opened.then((outcome) => (outcome instanceof Error ? unavailable(response) : dispatch(request, response)));
        return;
      }
      if (!handler.userinfoFast(request, response)) void handler.handle(request, response);
    } catch (error) {
      // The fast paths run outside koa's error boundary: a throw there is our bug, never a crash.
      log(`internal error on ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': JSON_TYPE });
      response.end(
        JSON.stringify({ error: 'server_error', error_description: 'the mock IdP failed unexpectedly (see its log)' }),
      );
    }
  };

  const open = (outcome: RequestHandler | Error): void => {
    if (!(outcome instanceof Error)) handler = outcome;
    settle(outcome);
  };
  return { dispatch, load, open };
}

function unavailable(response: ServerResponse): void {
  if (!response.headersSent) response.writeHead(503, { 'content-type': JSON_TYPE });
  response.end(
    JSON.stringify({
      error: 'temporarily_unavailable',
      error_description: 'the mock IdP failed to start (see its output)',
    }),
  );
}
