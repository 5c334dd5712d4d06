import type { Middleware } from 'koa';
import { mask, maskSecrets } from '../../lib/mask.ts';
import type { ClientAuthRecord, JournalEntry } from '../journal.ts';
import { endpointFor, type EndpointPaths } from './paths.ts';
import type { JournalStore } from './journal-store.ts';

export interface JournalState {
  clientAuth?: ClientAuthRecord;
  fault?: string;
}

const KEPT_HEADERS = ['authorization', 'content-type', 'accept', 'user-agent'];

function responseBody(body: unknown, contentType: string | undefined): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (contentType?.includes('json')) {
      try {
        return maskSecrets(JSON.parse(body));
      } catch {
        return body;
      }
    }
    if (contentType?.includes('x-www-form-urlencoded')) return maskSecrets(Object.fromEntries(new URLSearchParams(body)));
    return contentType?.includes('html') ? '(html page)' : body.slice(0, 2000);
  }
  if (Buffer.isBuffer(body)) return `(${body.length} bytes)`;
  if (typeof body === 'object' && 'pipe' in body) return '(stream)';
  return maskSecrets(body);
}

// An authorization code is a one-time secret in a request parameter named plainly `code`.
function maskParams(params: Record<string, string>): Record<string, string> {
  const masked = maskSecrets(params);
  return masked.code === undefined ? masked : { ...masked, code: mask(masked.code) };
}

function maskLocation(location: string): string {
  return location.replace(/([?&#](?:code|access_token|id_token)=)([^&]+)/g, (_match, prefix: string, value: string) => `${prefix}${mask(decodeURIComponent(value))}`);
}

function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (typeof value !== 'string') continue;
    kept[name] = name === 'authorization' ? `${value.split(' ')[0]} ${mask(value.split(' ').slice(1).join(' '))}` : value;
  }
  return kept;
}

/** Records every request with its response, secrets masked, so tests can assert what a connector sent. */
export const recordJournal = (store: JournalStore, endpoints: EndpointPaths, log: (line: string) => void): Middleware => async (ctx, next) => {
  const started = performance.now();
  const journal: JournalState = {};
  ctx.state.journal = journal;
  try {
    await next();
  } finally {
    const endpoint = endpointFor(ctx.path, endpoints);
    if (endpoint !== 'admin') {
      const contentType = ctx.response.get('content-type') || undefined;
      const location = ctx.response.get('location') || undefined;
      const entry: Omit<JournalEntry, 'seq'> = {
        at: new Date().toISOString(),
        endpoint,
        method: ctx.method,
        path: ctx.path,
        params: maskParams((ctx.state.params as Record<string, string> | undefined) ?? {}),
        headers: keptHeaders(ctx.req.headers),
        ...(journal.clientAuth ? { clientAuth: journal.clientAuth } : {}),
        response: { status: ctx.status, ...(contentType ? { contentType } : {}), ...(location ? { location: maskLocation(location) } : {}), body: responseBody(ctx.body, contentType) },
        ...(journal.fault ? { fault: journal.fault } : {}),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      const saved = store.add(entry);
      log(`${saved.seq} ${ctx.method} ${ctx.path} → ${ctx.status}${journal.clientAuth ? ` (client auth: ${journal.clientAuth.method})` : ''}${journal.fault ? ` [fault: ${journal.fault}]` : ''}`);
    }
  }
};
