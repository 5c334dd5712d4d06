import type Router from '@koa/router';
import type { MockIdpState } from './state.ts';
import { journalPage } from './journal-page.ts';
import type { JournalStore } from './journal-store.ts';
import { MAX_DEPTH, nestedDeeperThan } from './json-depth.ts';
import { invalidRequest, OAuthError } from './oauth-error.ts';
import type { UserDirectory } from './users.ts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/**
 * `/_journal` lets a test in another process assert what a connector actually sent.
 * `?since=<seq>` returns only later entries (a client remembers the last seq it saw instead of
 * clearing a journal others may be reading); `?endpoint=token` only that endpoint's. A browser
 * gets a live page of it instead (journal-page.ts).
 * `PUT /_users/:id` is `updateUser` for an IdP in another process (a container): the next
 * sign-in sees the new profile/claims.
 */
export function adminRoutes(router: Router<MockIdpState>, journal: JournalStore, users: UserDirectory): void {
  router.get('/_health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/_journal', journalPage, (ctx) => {
    const { since, endpoint } = ctx.query;
    if (since !== undefined && (typeof since !== 'string' || !/^\d+$/.test(since)))
      throw invalidRequest('since must be a journal seq (a whole number)');
    const after = since === undefined ? 0 : Number(since);
    const endpoints =
      typeof endpoint === 'string' ? endpoint.split(',') : Array.isArray(endpoint) ? endpoint : undefined;
    ctx.body = journal.entriesAfter(after).filter((entry) => !endpoints || endpoints.includes(entry.endpoint));
  });
  router.delete('/_journal', (ctx) => {
    journal.clear();
    ctx.status = 204;
  });
  router.put('/_users/:id', (ctx) => {
    const id = ctx.params.id!;
    if (!users.get(id))
      throw new OAuthError(
        404,
        'not_found',
        `no user "${id}" in this fixture (known: ${users
          .list()
          .map((user) => user.id)
          .join(', ')})`,
      );
    const usage =
      'send a JSON object {"profile": {...}, "claims": {...}} (either or both) with content-type application/json';
    if (!ctx.is('application/json')) throw invalidRequest(usage);
    // readRequestBody already refused a body that is not JSON.
    const patch: unknown = JSON.parse(ctx.state.rawBody || 'null');
    if (!isObject(patch) || (patch.profile === undefined && patch.claims === undefined)) throw invalidRequest(usage);
    for (const field of ['profile', 'claims'] as const) {
      if (patch[field] !== undefined && !isObject(patch[field]))
        throw invalidRequest(`${field} must be a JSON object; ${usage}`);
      if (nestedDeeperThan(patch[field], MAX_DEPTH))
        throw invalidRequest(
          `${field} is nested more than ${MAX_DEPTH} levels deep; a profile is a few levels deep, as in a fixture file`,
        );
    }
    try {
      users.update(id, {
        ...(patch.profile ? { profile: patch.profile as Record<string, unknown> } : {}),
        ...(patch.claims ? { claims: patch.claims as Record<string, unknown> } : {}),
      });
    } catch (error) {
      throw invalidRequest((error as Error).message);
    }
    ctx.status = 204;
  });
}
