import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../lib/user-error.ts';
import type { Fixture, FixtureInput } from '../fixture/schema.ts';
import type { MockIdp, StartOptions } from '../api.ts';
import { adminHostGuard, checkedAllowedHosts, hostnameOf } from './admin-hosts.ts';
import { frontDoor } from './front-door.ts';
import { generatedKeys } from './generated-keys.ts';
import { JournalStore } from './journal-store.ts';
import { noLog } from './record-journal.ts';
import { paths } from './paths.ts';
import { discoveryDocument, publicJwks, staticMetadata } from './static-metadata.ts';
import { UserDirectory } from './users.ts';

/** The issuer option, checked before anything listens: oidc-provider would only assert on it. */
function checkedIssuer(issuer: string | undefined): string | undefined {
  if (issuer === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new UserError({
      field: 'issuer',
      message: `"${issuer}" is not a URL`,
      hint: 'give the full public URL, e.g. http://localhost:4000',
    });
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new UserError({
      field: 'issuer',
      message: `"${issuer}" is not an http(s) URL without query or fragment`,
      hint: 'give the full public URL, e.g. http://localhost:4000',
    });
  }
  return issuer.replace(/\/$/, '');
}

function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE')
    return new UserError({
      message: `port ${port} on ${host} is already in use`,
      hint: 'stop what listens there, or pick another port (--port 0 takes any free one)',
    });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
    return new UserError({
      message: `cannot listen on ${host}: not an address of this machine`,
      hint: 'use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
    });
  if (error.code === 'EACCES')
    return new UserError({
      message: `not allowed to listen on port ${port}`,
      hint: 'ports below 1024 need privileges; pick a higher one',
    });
  return error;
}

// Not `import … from 'node:http'`: an ES import of it reads all its exports, WebSocket among them,
// and that loads undici (about 30 ms, before the port could open). oidc-provider imports it later.
// require, not process.getBuiltinModule: that is Node 22.3 / 20.16, and the package runs on any Node 20.
const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');
// Time for a client already waiting on the port to get its discovery answer before the heavy load.
const LOAD_AFTER_MS = 50;
// Once imported in this process (a second IdP in the same tests or harness run), nothing blocks.
let heavyPartsLoaded = false;

/**
 * Starts the IdP on 127.0.0.1 (port 0 = any free port) and resolves once everything is loaded.
 * Discovery is answered from the moment the port opens; any other request that arrives before
 * oidc-provider has loaded waits for it, so every accepted connection gets its answer.
 */
export async function startMockIdp(input: Fixture | FixtureInput, options: StartOptions = {}): Promise<MockIdp> {
  const { parseFixture } = await import('../fixture/load.ts');
  return startValidatedMockIdp(parseFixture(input), options);
}

/**
 * startMockIdp for a fixture parseFixture already returned (the CLI's fixture cache keeps only
 * those): the schema, and so zod, stays unloaded on a start that does not need it.
 */
export async function startValidatedMockIdp(fixture: Fixture, options: StartOptions = {}): Promise<MockIdp> {
  const publicIssuer = checkedIssuer(options.issuer) ?? fixture.issuer?.replace(/\/$/, '');
  const log = options.log ?? noLog;
  const host = options.host ?? '127.0.0.1';
  const listenHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const endpoints = paths(fixture.userinfo.path);
  const issuerHostname = hostnameOf(publicIssuer ? new URL(publicIssuer).host : listenHost) ?? listenHost;
  const refusedHost = adminHostGuard(
    issuerHostname,
    checkedAllowedHosts(options.allowedHosts ?? []),
    endpoints.userinfo,
    log,
  );
  const users = new UserDirectory(fixture);
  const journal = new JournalStore();
  const faulted = new Set<string>(fixture.faults.map((fault) => fault.endpoint));
  const metadata = staticMetadata(endpoints, faulted, journal, log);
  // Made in the thread pool while the port opens and oidc-provider loads, not after (keys.ts uses them).
  if (!fixture.keys) void generatedKeys();

  // oidc-provider and koa take longer to import than all the rest of the start, and hold the event
  // loop while they load. So they load once the port is open and a first discovery request (a client
  // polling for the IdP) has had its answer, or a request needs them, or shortly after listening.
  // Keys are generated meanwhile in the thread pool.
  const door = frontDoor({
    refusedHost,
    serveMetadata: metadata.serve,
    loadParts: () =>
      Promise.all([
        import('./request-handler.ts'),
        import('./keys.ts').then(async ({ loadSigningKeys }) => {
          const keys = await loadSigningKeys(fixture.keys);
          const jwks = publicJwks(keys.jwks);
          if (jwks) metadata.jwks(jwks);
          return keys;
        }),
      ]),
    log,
  });

  // The handler is in place before the port opens: a request that arrives at once is never dropped.
  const server = createServer(door.dispatch);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenProblem(error, host, options.port ?? 0)));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = publicIssuer ?? `http://${listenHost}:${port}`;
  metadata.discovery(discoveryDocument(issuer, fixture, endpoints, users.claimNames()));
  try {
    if (!heavyPartsLoaded) await sleep(LOAD_AFTER_MS);
    const [{ createRequestHandler }, keys] = await door.load();
    heavyPartsLoaded = true;
    const handler = createRequestHandler({
      issuer,
      fixture,
      keys,
      endpoints,
      users,
      journal,
      metadata: metadata.answer,
      faulted,
      loginPage: options.loginPage ?? false,
      log,
    });
    door.open(handler);
  } catch (error) {
    door.open(error as Error);
    server.closeAllConnections();
    server.close();
    throw error;
  }

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
