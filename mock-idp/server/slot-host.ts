import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { LIMITS, parseStructuredText } from '../../lib/structured-file.ts';
import { formatProblem, isUserError, type Problem } from '../../lib/user-error.ts';
import type { MockIdp } from '../api.ts';
import { fixtureFromDocument } from '../fixture/load.ts';
import { adminHostGuard, checkedAllowedHosts, hostnameOf } from './admin-hosts.ts';
import { startValidatedMockIdp } from './start.ts';

// As in start.ts: an ES import of node:http loads undici before the port could open.
const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export interface SlotHostOptions {
  /** Address the control port and every slot listen on (0.0.0.0 in a container). */
  host?: string;
  /** The control API's port (0 = any free port). */
  controlPort?: number;
  /** The slots: the ports a fixture can be served on, e.g. the ones a container publishes. */
  ports: readonly number[];
  /** The name others reach this process by: slot N's issuer is `http://<publicHost>:N`. Default: `host`. */
  publicHost?: string;
  /** More names the control API and each slot's `/_` routes answer under (as StartOptions.allowedHosts). */
  allowedHosts?: string[];
  log?: (line: string) => void;
}

export interface SlotHost {
  /** The control API, e.g. `http://127.0.0.1:4000`. */
  control: string;
  /** Stops every slot, then the control API. */
  stop(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function send(response: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'cache-control': 'no-store',
    ...(body === undefined ? {} : { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) }),
  });
  response.end(text);
}

/** The request body as text, refused past the fixture files' size limit. */
async function bodyOf(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > LIMITS.bytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const invalid = (problems: readonly Problem[]) => ({
  error: 'invalid_fixture',
  error_description: problems.map(formatProblem).join('\n'),
  problems,
});

/**
 * Many mock IdPs in one process, one per slot (a port of a fixed pool), started and stopped over a
 * control API: the one mock IdP container of a Logto stack serves every scenario's fixture this way,
 * so no scenario waits for a container or a Node start. Each slot is a whole `startValidatedMockIdp`
 * (the code the in-process prediction runs), with its own journal and its own issuer.
 *
 *   PUT    /_slots/<port>   body: the fixture (JSON or YAML), checked as a fixture file is → 201 {issuer, port}
 *   DELETE /_slots/<port>   stops it; the port is free again → 204
 *   GET    /_health         → 200 {free: [ports], busy: [ports]}
 *
 * The control API answers only the names the `/_` routes of an IdP answer (admin-hosts.ts).
 */
export async function startSlotHost(options: SlotHostOptions): Promise<SlotHost> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const allowedHosts = checkedAllowedHosts(options.allowedHosts ?? []);
  const publicHost = options.publicHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const publicHostname = hostnameOf(publicHost);
  if (!publicHostname) throw new Error(`"${publicHost}" is not a host name`);
  // Slots being started count as busy: a second PUT for the same port while the first starts is refused.
  const slots = new Map<number, Promise<MockIdp | undefined>>();
  const refusedHost = adminHostGuard(publicHostname, allowedHosts, '', log);

  const serve = async (port: number, request: IncomingMessage, response: ServerResponse) => {
    const text = await bodyOf(request);
    if (text === undefined) {
      send(
        response,
        413,
        invalid([{ message: `larger than the ${LIMITS.bytes / 1024 / 1024} MB limit for fixtures` }]),
      );
      return;
    }
    if (slots.has(port)) {
      send(response, 409, { error: 'slot_busy', error_description: `slot ${port} serves a fixture: DELETE it first` });
      return;
    }
    let fixture;
    try {
      fixture = fixtureFromDocument(parseStructuredText(text, `PUT /_slots/${port}`));
    } catch (error) {
      if (!isUserError(error)) throw error;
      send(response, 400, invalid(error.problems));
      return;
    }
    let resolve!: (idp: MockIdp | undefined) => void;
    slots.set(port, new Promise((done) => (resolve = done)));
    try {
      const idp = await startValidatedMockIdp(fixture, {
        host,
        port,
        issuer: `http://${publicHost}:${port}`,
        allowedHosts,
      });
      resolve(idp);
      log(`slot ${port}: serving ${idp.issuer}`);
      send(response, 201, { issuer: idp.issuer, port });
    } catch (error) {
      // Not the fixture's fault (it was checked): the port taken by something else, say.
      slots.delete(port);
      resolve(undefined);
      throw error;
    }
  };

  const remove = async (port: number, response: ServerResponse) => {
    const idp = await slots.get(port);
    if (!idp) {
      send(response, 404, { error: 'slot_free', error_description: `slot ${port} serves nothing` });
      return;
    }
    slots.delete(port);
    await idp.stop();
    log(`slot ${port}: stopped`);
    send(response, 204);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (refusedHost(request, response)) return;
    const { pathname } = new URL(request.url ?? '/', 'http://control');
    if (pathname === '/_health' && request.method === 'GET') {
      const busy = options.ports.filter((port) => slots.has(port));
      send(response, 200, { free: options.ports.filter((port) => !slots.has(port)), busy });
      return;
    }
    const match = /^\/_slots\/(\d+)$/.exec(pathname);
    if (!match) {
      send(response, 404, { error: 'not_found', error_description: 'the control API has /_slots/<port> and /_health' });
      return;
    }
    const port = Number(match[1]);
    if (!options.ports.includes(port)) {
      const description = `${port} is not a slot of this host (slots: ${options.ports.join(', ')})`;
      send(response, 404, { error: 'unknown_slot', error_description: description });
      return;
    }
    if (request.method === 'PUT') await serve(port, request, response);
    else if (request.method === 'DELETE') await remove(port, response);
    else {
      response.setHeader('allow', 'PUT, DELETE');
      send(response, 405, { error: 'method_not_allowed', error_description: `${request.method} /_slots/<port>` });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`internal error on ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent)
        send(response, 500, { error: 'server_error', error_description: (error as Error).message });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.controlPort ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // oidc-provider and koa load once per process (start.ts): now, while no scenario waits for them.
  void import('./request-handler.ts').catch(() => undefined);
  const listen = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    control: `http://${listen}:${port}`,
    async stop() {
      const running = await Promise.all([...slots.values()]);
      slots.clear();
      await Promise.all(running.flatMap((idp) => (idp ? [idp.stop()] : [])));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
