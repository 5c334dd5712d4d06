import Router from '@koa/router';
import type { Middleware } from 'koa';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../lib/user-error.ts';
import { parseFixture } from '../fixture/load.ts';
import type { Fixture, FixtureInput } from '../fixture/schema.ts';
import type { MockIdp, StartOptions } from '../api.ts';
import { adminRoutes } from './admin.ts';
import { checkClientAuth } from './client-auth.ts';
import { errorBoundary } from './error-boundary.ts';
import { injectFaults } from './faults.ts';
import { JournalStore } from './journal-store.ts';
import { honourOfflineAccess } from './offline-access.ts';
import { loadSigningKeys, type SigningKeys } from './keys.ts';
import { createMemoryStore } from './memory-adapter.ts';
import { loginRoutes } from './login.ts';
import { answerUnrouted } from './not-found.ts';
import { DISCOVERY_PATH, endpointFor, paths } from './paths.ts';
import { staticMetadata } from './static-metadata.ts';
import { createProvider } from './provider.ts';
import { recordJournal, type JournalState } from './record-journal.ts';
import { readRequestBody } from './request-body.ts';
import { requireAuthorizeParams, requireTokenParams } from './required-params.ts';
import { shapeTokenResponse } from './shape-token-response.ts';
import { serveUserinfo, userinfoFastPath } from './userinfo.ts';
import { UserDirectory } from './users.ts';

/** Runs middlewares in order, the last one handing over to `next`. */
const chain = (...middlewares: Middleware[]): Middleware => (ctx, next) => {
  const run = (index: number): Promise<void> => {
    const middleware = middlewares[index];
    return middleware ? Promise.resolve(middleware(ctx, () => run(index + 1))) : Promise.resolve(next());
  };
  return run(0);
};

/** The issuer option, checked before anything listens: oidc-provider would only assert on it. */
function checkedIssuer(issuer: string | undefined): string | undefined {
  if (issuer === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new UserError({ field: 'issuer', message: `"${issuer}" is not a URL`, hint: 'give the full public URL, e.g. http://localhost:4000' });
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new UserError({ field: 'issuer', message: `"${issuer}" is not an http(s) URL without query or fragment`, hint: 'give the full public URL, e.g. http://localhost:4000' });
  }
  return issuer.replace(/\/$/, '');
}

/** oidc-provider validates key material itself; what the fixture's cross-check missed is still the user's to fix. */
function providerOrProblem<T>(create: () => T): T {
  try {
    return create();
  } catch (error) {
    const message = (error as Error).message;
    if (!/^jwks\b/.test(message)) throw error;
    throw new UserError({ field: 'keys', message: `oidc-provider refuses the fixture's keys: ${message}`, hint: 'use private JWKs (RSA or EC P-256), or leave `keys` out to have them generated' });
  }
}

function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') return new UserError({ message: `port ${port} on ${host} is already in use`, hint: 'stop what listens there, or pick another port (--port 0 takes any free one)' });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') return new UserError({ message: `cannot listen on ${host}: not an address of this machine`, hint: 'use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)' });
  if (error.code === 'EACCES') return new UserError({ message: `not allowed to listen on port ${port}`, hint: 'ports below 1024 need privileges; pick a higher one' });
  return error;
}

/** Starts the IdP on 127.0.0.1 (port 0 = any free port) and resolves once it answers. */
export async function startMockIdp(input: Fixture | FixtureInput, options: StartOptions = {}): Promise<MockIdp> {
  const fixture = parseFixture(input);
  const publicIssuer = checkedIssuer(options.issuer) ?? fixture.issuer?.replace(/\/$/, '');
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const keysReady = loadSigningKeys(fixture.keys);
  // Not awaited yet: a rejection must not go unhandled while the server starts listening.
  keysReady.catch(() => {});

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenProblem(error, host, options.port ?? 0)));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  try {
    return await serve(server, fixture, await keysReady, host, publicIssuer, log);
  } catch (error) {
    server.close();
    throw error;
  }
}

async function serve(server: Server, fixture: Fixture, keys: SigningKeys, host: string, publicIssuer: string | undefined, log: (line: string) => void): Promise<MockIdp> {
  const { port } = server.address() as AddressInfo;
  const listenHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const issuer = publicIssuer ?? `http://${listenHost}:${port}`;

  const endpoints = paths(fixture.userinfo.path);
  const users = new UserDirectory(fixture);
  const journal = new JournalStore();
  const store = createMemoryStore();
  const provider = providerOrProblem(() => createProvider(issuer, fixture, users, keys.jwks, endpoints, store));
  const endpointOf = (path: string) => endpointFor(path, endpoints);

  // What oidc-provider accepts as a client assertion's aud: the issuer, the token endpoint, or the endpoint called.
  const tokenAudiences = (path: string) => [...new Set([`${issuer}${endpoints.token}`, issuer, `${issuer}${path}`])];
  const byEndpoint: Partial<Record<string, Middleware>> = {
    authorize: chain(requireAuthorizeParams(fixture), honourOfflineAccess(fixture.scopes)),
    token: chain(requireTokenParams(fixture), checkClientAuth(fixture, tokenAudiences), shapeTokenResponse(fixture, keys)),
    revocation: checkClientAuth(fixture, tokenAudiences),
  };
  const routes = new Router();
  routes.all(endpoints.userinfo, serveUserinfo(store, fixture.userinfo, users));
  loginRoutes(routes, provider, fixture, users);
  adminRoutes(routes, journal, users);

  provider.use(errorBoundary(log));
  provider.use(recordJournal(journal, endpoints, log));
  provider.use(answerUnrouted(endpoints, fixture.userinfo.method));
  provider.use(readRequestBody);
  // The resume hop after login (/authorize/<uid>) is not a new authorization request: faults count requests.
  provider.use(injectFaults(fixture.faults, (path) => (path.startsWith(`${endpoints.authorization}/`) ? 'login' : endpointOf(path))));
  // Faulty documents must fail per call, so only fault-free ones are served from their rendering.
  const faulted = new Set(fixture.faults.map((fault) => fault.endpoint));
  const metadata = staticMetadata(
    Object.fromEntries(([[DISCOVERY_PATH, 'discovery'], [endpoints.jwks, 'jwks']] as const).filter(([, name]) => !faulted.has(name))),
    journal,
    log,
  );
  provider.use(metadata.remember);
  provider.use((ctx, next) => (byEndpoint[endpointOf(ctx.path)] ?? ((_ctx, pass) => pass()))(ctx, next));
  provider.use(routes.routes());

  // Its error responses stay generic; the journal keeps the real reason.
  for (const event of ['authorization.error', 'grant.error', 'revocation.error', 'end_session.error', 'end_session_confirm.error', 'end_session_success.error'] as const) {
    provider.on(event as 'grant.error', (ctx, error) => {
      const journal = ctx.state.journal as JournalState | undefined;
      if (journal && typeof error.error_detail === 'string') journal.errorDetail = error.error_detail;
    });
  }
  // oidc-provider reports client/request errors through 'server_error' only when they are ours; keep them off stdout.
  provider.on('server_error', (_ctx, error) => log(`oidc-provider server_error: ${error.stack ?? error.message}`));
  const handle = provider.callback();
  const userinfoFast = faulted.has('userinfo') ? () => false : userinfoFastPath(endpoints.userinfo, store, fixture.userinfo, users, journal, log);
  server.on('request', (request, response) => {
    try {
      if (!metadata.serve(request, response) && !userinfoFast(request, response)) void handle(request, response);
    } catch (error) {
      // The fast paths run outside koa's error boundary: a throw there is our bug, never a crash.
      log(`internal error on ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ error: 'server_error', error_description: 'the mock IdP failed unexpectedly (see its log)' }));
    }
  });

  const absolute = (path: string) => `${issuer}${path}`;
  return {
    issuer,
    endpoints: {
      authorization: absolute(endpoints.authorization),
      token: absolute(endpoints.token),
      userinfo: absolute(endpoints.userinfo),
      jwks: absolute(endpoints.jwks),
      revocation: absolute(endpoints.revocation),
      endSession: absolute(endpoints.endSession),
    },
    journal,
    fixture,
    updateUser: (id, patch) => users.update(id, patch),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
