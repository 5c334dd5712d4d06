import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import type { EndpointName } from '../fixture/schema.ts';
import type { JournalStore } from './journal-store.ts';
import { answerDirectly, pathOf, queryOf } from './direct-answer.ts';

interface Rendered {
  endpoint: EndpointName;
  body: string;
  headers: Record<string, string>;
}

/**
 * Discovery and JWKS never change while the IdP runs: oidc-provider renders each once (through
 * the koa stack, faults and journal included), later requests get that rendering straight from the
 * HTTP server. Without this the two busiest documents pay the whole middleware stack every time.
 */
export function staticMetadata(documents: Record<string, EndpointName>, store: JournalStore, log: (line: string) => void) {
  const rendered = new Map<string, Rendered>();

  const remember: Middleware = async (ctx, next) => {
    const endpoint = ctx.method === 'GET' ? documents[ctx.path] : undefined;
    await next();
    if (!endpoint || ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'access-control-allow-origin', 'cache-control']) {
      const value = ctx.response.get(name);
      if (value) headers[name] = value;
    }
    rendered.set(ctx.path, { endpoint, body: JSON.stringify(ctx.body), headers });
  };

  /** Serves a rendered document; false when the request is not for one (koa takes it). */
  const serve = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET' || !request.url) return false;
    const document = rendered.get(pathOf(request.url));
    if (!document) return false;
    answerDirectly(request, response, document.endpoint, queryOf(request.url), { status: 200, headers: document.headers, body: document.body }, { store, log, started: performance.now() });
    return true;
  };

  return { remember, serve };
}
