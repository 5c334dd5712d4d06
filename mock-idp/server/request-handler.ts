import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { JWK } from 'jose';
import type { KoaContextWithOIDC, errors } from 'oidc-provider';
import { UserError } from '../../lib/user-error.ts';
import type { Fixture } from '../fixture/schema.ts';
import { adminRoutes } from './admin.ts';
import { errorBoundary } from './error-boundary.ts';
import { authorizeErrorAnswer } from './authorize-error.ts';
import { injectFaults } from './faults.ts';
import type { JournalStore } from './journal-store.ts';
import type { SigningKeys } from './keys.ts';
import { createMemoryStore } from './memory-adapter.ts';
import { loginRoutes } from './login.ts';
import { answerUnrouted } from './not-found.ts';
import { endpointFor, literalRoute, type EndpointPaths } from './paths.ts';
import { createProvider } from './provider.ts';
import { byEndpoint, pipelines } from './pipelines.ts';
import { recordJournal } from './record-journal.ts';
import { readRequestBody } from './request-body.ts';
import type { MockIdpState } from './state.ts';
import { serveUserinfo, userinfoFastPath } from './userinfo.ts';
import type { UserDirectory } from './users.ts';

/**
 * oidc-provider validates key material itself, and names the key (or key set) it refuses as the
 * error's cause: what the fixture's cross-check missed is still the user's to fix. Told apart from
 * our own bugs by that cause, not by the wording of the message.
 */
function providerOrProblem<T>(create: () => T, jwks: JWK[]): T {
  try {
    return create();
  } catch (error) {
    const { cause, message } = (error ?? {}) as { cause?: unknown; message?: unknown };
    const refusesKeys = jwks.some((key) => isDeepStrictEqual(cause, key)) || isDeepStrictEqual(cause, { keys: jwks });
    if (!refusesKeys) throw error;
    throw new UserError({
      field: 'keys',
      message: `oidc-provider refuses the fixture's keys: ${String(message)}`,
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
  /** StartOptions.loginPage: the fixture's defaultUser does not skip the page. */
  loginPage: boolean;
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
  loginPage,
  log,
}: RequestHandlerOptions) {
  const store = createMemoryStore();
  const provider = providerOrProblem(
    () => createProvider(issuer, fixture, users, keys.jwks, endpoints, store),
    keys.jwks,
  );
  const endpointOf = (path: string) => endpointFor(path, endpoints);

  // What oidc-provider accepts as a client assertion's aud: the issuer, the token endpoint, or the endpoint called.
  const tokenAudiences = (path: string) => [...new Set([`${issuer}${endpoints.token}`, issuer, `${issuer}${path}`])];
  const authorizeError = authorizeErrorAnswer(issuer, fixture);
  const scopeOf = (accessToken: string) => {
    const scope = store.peek('AccessToken', accessToken)?.scope;
    return typeof scope === 'string' ? scope : undefined;
  };
  const endpointPipelines = pipelines({ fixture, keys, users, authorizeError, tokenAudiences, scopeOf });
  const routes = new Router<MockIdpState>();
  routes.all(literalRoute(endpoints.userinfo), serveUserinfo(store, fixture.userinfo, users));
  loginRoutes(routes, provider, fixture, users, { headlessDefaultUser: !loginPage });
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
  provider.use(byEndpoint(endpointPipelines, endpointOf));
  provider.use(routes.routes());

  // Its error responses stay generic; the journal keeps the real reason.
  const keepErrorDetail = (ctx: KoaContextWithOIDC, error: errors.OIDCProviderError) => {
    const { journal }: Partial<MockIdpState> = ctx.state;
    if (journal && typeof error.error_detail === 'string') journal.errorDetail = error.error_detail;
  };
  provider.on('authorization.error', keepErrorDetail);
  provider.on('grant.error', keepErrorDetail);
  provider.on('revocation.error', keepErrorDetail);
  provider.on('end_session.error', keepErrorDetail);
  provider.on('end_session_confirm.error', keepErrorDetail);
  provider.on('end_session_success.error', keepErrorDetail);
  // oidc-provider reports client/request errors through 'server_error' only when they are ours; keep them off stdout.
  provider.on('server_error', (_ctx, error) => log(`oidc-provider server_error: ${error.stack ?? error.message}`));
  const handle = provider.callback() as (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  // The fast path answers from the token alone: not when a quirk or a fault has a say.
  const userinfoFast =
    faulted.has('userinfo') || endpointPipelines.userinfo.length > 0
      ? () => false
      : userinfoFastPath(endpoints.userinfo, store, fixture.userinfo, users, journal, log);
  return { handle, userinfoFast };
}

export type RequestHandler = ReturnType<typeof createRequestHandler>;
