import type Router from '@koa/router';
import { journalPage } from './journal-page.ts';
import type { JournalStore } from './journal-store.ts';
import { sendOAuthError } from './oauth-error.ts';

/**
 * `/_journal` lets a test in another process assert what a connector actually sent.
 * `?since=<seq>` returns only later entries (a client remembers the last seq it saw instead of
 * clearing a journal others may be reading); `?endpoint=token` only that endpoint's. A browser
 * gets a live page of it instead (journal-page.ts).
 */
export function adminRoutes(router: Router, journal: JournalStore): void {
  router.get('/_health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/_journal', journalPage, (ctx) => {
    const { since, endpoint } = ctx.query;
    if (since !== undefined && (typeof since !== 'string' || !/^\d+$/.test(since))) {
      return sendOAuthError(ctx, 400, 'invalid_request', 'since must be a journal seq (a whole number)');
    }
    const after = since === undefined ? 0 : Number(since);
    const endpoints = typeof endpoint === 'string' ? endpoint.split(',') : Array.isArray(endpoint) ? endpoint : undefined;
    ctx.body = journal.entries().filter((entry) => entry.seq > after && (!endpoints || endpoints.includes(entry.endpoint)));
  });
  router.delete('/_journal', (ctx) => {
    journal.clear();
    ctx.status = 204;
  });
}
