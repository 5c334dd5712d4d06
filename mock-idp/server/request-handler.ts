import Router from '@koa/router';
import type { Middleware } from 'koa';
import { chain } from './chain.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserError } from '../../lib/user-error.ts';
import type { Fixture } from '../fixture/schema.ts';
import { adminRoutes } from './admin.ts';
import { checkClientAuth } from './client-auth.ts';
import { errorBoundary } from './error-boundary.ts';
import { authorizeErrorAnswer } from './authorize-error.ts';
import { injectFaults } from './faults.ts';
import type { JournalStore } from './journal-store.ts';
import { honourOfflineAccess } from './offline-access.ts';
import type { SigningKeys } from './keys.ts';
import { createMemoryStore } from './memory-adapter.ts';
import { loginRoutes } from './login.ts';
import { answerUnrouted } from './not-found.ts';
import { endpointFor, literalRoute, type EndpointPaths } from './paths.ts';
import { createProvider } from './provider.ts';
import { recordJournal, type JournalState } from './record-journal.ts';
import { readRequestBody } from './request-body.ts';
import { requireAuthorizeParams, requireTokenParams } from './required-params.ts';
import { providerQuirks } from './provider-quirks.ts';
import { shapeTokenErrors } from './shape-token-errors.ts';
import { shapeTokenResponse } from './shape-token-response.ts';
import { serveUserinfo, userinfoFastPath } from './userinfo.ts';
import type { UserDirectory } from './users.ts';

/** oidc-provider validates key material itself; what the fixture's cross-check missed is still the user's to fix. */
function providerOrProblem<T>(create: () => T): T {
  try {
    return create();
  } catch (error) {
    const message = (error as Error).message;
    if (!/^jwks\b/.test(message)) throw error;
    throw new UserError({
      field: 'keys',
      message: `oidc-provider refuses the fixture's keys: ${message}`,
      hint: 'use private JWKs (RSA or EC P-256), or leave `keys` out to have them generated',
    });
  }
}

export interface RequestHandlerOptions {
  issuer: string;
  fixture: Fixture;
  keys: SigningKeys;
  endpoints: EndpointPaths;
  users: UserDirectory;
  journal: JournalStore;
  /** Discovery and JWKS as koa middleware, for when a fault sends them through the stack. */
  metadata: Middleware;
  faulted: ReadonlySet<string>;
  log: (line: string) => void;
}

/**
 * Everything that needs oidc-provider and koa: loaded in the background while the server already
 * answers discovery (start.ts), as importing them takes longer than the rest of the start.
 */
export function createRequestHandler({
  issuer,
  fixture,
  keys,
  endpoints,
  users,
  journal,
  metadata,
  faulted,
  log,
}: RequestHandlerOptions) {
  const store = createMemoryStore();
  const provider = providerOrProblem(() => createProvider(issuer, fixture, users, keys.jwks, endpoints, store));
  const endpointOf = (path: string) => endpointFor(path, endpoints);

  // What oidc-provider accepts as a client assertion's aud: the issuer, the token endpoint, or the endpoint called.
  const tokenAudiences = (path: string) => [...new Set([`${issuer}${endpoints.token}`, issuer, `${issuer}${path}`])];
  const quirks = providerQuirks(fixture);
  const authorizeError = authorizeErrorAnswer(issuer, fixture);
  const byEndpoint: Partial<Record<string, Middleware>> = {
    authorize: chain(
      quirks.authorize,
      requireAuthorizeParams(fixture, authorizeError),
      quirks.offline,
      honourOfflineAccess(fixture.scopes),
    ),
    token: chain(
      shapeTokenErrors(fixture),
      quirks.token,
      requireTokenParams(fixture),
      checkClientAuth(fixture, tokenAudiences),
      shapeTokenResponse(fixture, keys),
    ),
    userinfo: quirks.userinfo,
    revocation: checkClientAuth(fixture, tokenAudiences),
  };
  const routes = new Router();
  routes.all(literalRoute(endpoints.userinfo), serveUserinfo(store, fixture.userinfo, users));
  loginRoutes(routes, provider, fixture, users);
  adminRoutes(routes, journal, users);

  provider.use(errorBoundary(log));
  provider.use(recordJournal(journal, endpoints, log));
  provider.use(answerUnrouted(endpoints, fixture.userinfo.method));
  provider.use(readRequestBody);
  // The resume hop after login (/authorize/<uid>) is not a new authorization request: faults count requests.
  provider.use(
    injectFaults(
      fixture.faults,
      (path) => (path.startsWith(`${endpoints.authorization}/`) ? 'login' : endpointOf(path)),
      authorizeError,
    ),
  );
  provider.use(metadata);
  provider.use((ctx, next) => (byEndpoint[endpointOf(ctx.path)] ?? ((_ctx, pass) => pass()))(ctx, next));
  provider.use(routes.routes());

  // Its error responses stay generic; the journal keeps the real reason.
  for (const event of [
    'authorization.error',
    'grant.error',
    'revocation.error',
    'end_session.error',
    'end_session_confirm.error',
    'end_session_success.error',
  ] as const) {
    provider.on(event as 'grant.error', (ctx, error) => {
      const journal = ctx.state.journal as JournalState | undefined;
      if (journal && typeof error.error_detail === 'string') journal.errorDetail = error.error_detail;
    });
  }
  // oidc-provider reports client/request errors through 'server_error' only when they are ours; keep them off stdout.
  provider.on('server_error', (_ctx, error) => log(`oidc-provider server_error: ${error.stack ?? error.message}`));
  const handle = provider.callback() as (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  const userinfoFast =
    faulted.has('userinfo') || quirks.userinfoBent
      ? () => false
      : userinfoFastPath(endpoints.userinfo, store, fixture.userinfo, users, journal, log);
  return { handle, userinfoFast };
}

export type RequestHandler = ReturnType<typeof createRequestHandler>;
