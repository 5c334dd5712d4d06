import type Router from '@koa/router';
import type { JournalStore } from './journal-store.ts';

/** `/_journal` lets a test in another process assert what a connector actually sent. */
export function adminRoutes(router: Router, journal: JournalStore): void {  router.get('/_health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/_journal', (ctx) => {
    ctx.body = journal.entries();
  });
  router.delete('/_journal', (ctx) => {
    journal.clear();
    ctx.status = 204;
  });
}
