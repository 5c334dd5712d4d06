import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWTHeaderParameters } from 'jose';
import type { AssertionRecord, ClientAuthRecord } from '../../mock-idp/journal.ts';
import { bodyParams } from '../../mock-idp/server/body-params.ts';
import { record, type Capture } from '../../mock-idp/server/capture.ts';
import { assertionOf, assertionProblem, detectClientAuth } from '../../mock-idp/server/client-auth-of.ts';
import { JournalStore } from '../../mock-idp/server/journal-store.ts';
import { BodyTooLarge, readCapped } from '../../mock-idp/server/read-capped.ts';
import type { FollowResult } from '../follow-redirects.ts';
import { storeJournal, type JournalSource } from '../flow/journal-source.ts';
import { isTokenError, type Exchange, type ProxiedEndpoint } from './exchange.ts';

/**
 * The most the proxy reads of one answer or request. A fixture is capped at 1 MB (lib/structured-file.ts), and a
 * token or userinfo answer bigger than a few MB is no answer a connector could use: past this the proxy stops
 * reading (nothing more is buffered) and the recording is refused. (The mock IdP takes requests up to 64 kB: the
 * proxy passes on what the real IdP may take, and records what it answers.)
 */
export const MAX_EXCHANGE_BYTES = 4 * 1024 * 1024;

const MB = 1024 * 1024;

/** What the IdP said it would send, when it said (Content-Length), else how far the proxy read. */
const tooLargeSize = (declared: string | null, error: BodyTooLarge): string => {
  const length = Number(declared);
  return declared && Number.isFinite(length) && length > 0
    ? `${(length / MB).toFixed(1)} MB`
    : `more than ${error.limit / MB} MB`;
};

const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'user-agent'];
const RECORDED_RESPONSE_HEADERS = [
  'content-type',
  'www-authenticate',
  'cache-control',
  'pragma',
  'retry-after',
  'location',
];

interface ProxyOptions {
  timeoutMs: number;
  /** The config's client, to verify a client_secret_jwt assertion as the IdP would, and re-sign it for the IdP. */
  client?: { clientId: string; clientSecret: string };
  signal?: AbortSignal;
}

/**
 * client_secret_jwt: the connector addresses its assertion to the token endpoint it knows, the
 * proxy. The proxy checks it as the mock IdP does (client-auth-of.ts, with the config's client), and
 * re-signs the same claims for the real token endpoint, so the real IdP sees an assertion meant for it.
 */
async function readdressAssertion(
  params: Record<string, string>,
  client: NonNullable<ProxyOptions['client']>,
  proxyTokenUrl: string,
  realTokenUrl: string,
): Promise<{ assertion?: string; record: AssertionRecord }> {
  const record = assertionOf(params);
  const assertion = params.client_assertion;
  if (record.error !== undefined || !assertion) return { record };
  record.error = await assertionProblem(assertion, client, [proxyTokenUrl]);
  record.verified = record.error === undefined;
  if (record.error === undefined) delete record.error;
  const { header, claims } = record;
  const addressed = claims.aud === proxyTokenUrl || (Array.isArray(claims.aud) && claims.aud.includes(proxyTokenUrl));
  if (!addressed || !/^HS(256|384|512)$/.test(String(header.alg))) return { record };
  const key = new TextEncoder().encode(client.clientSecret);
  return {
    assertion: await new SignJWT({ ...claims, aud: realTokenUrl })
      .setProtectedHeader(header as JWTHeaderParameters)
      .sign(key),
    record,
  };
}

/** How the client authenticated, as the mock IdP's journal records it (client-auth-of.ts). */
function clientAuthOf(
  headers: Record<string, string>,
  params: Record<string, string>,
  assertion: AssertionRecord | undefined,
): ClientAuthRecord {
  const { method, clientId } = detectClientAuth(headers, params);
  return { method, ...(clientId ? { clientId } : {}), ...(assertion ? { assertion } : {}) };
}

/**
 * An exchange as the mock IdP's journal would capture the same request and answer (capture.ts). An
 * error answer (any status: some IdPs send theirs with 200) is replayed as a fixture fault, and the
 * mock IdP journals only the method and client id of a request a fault answers: the live journal says the same.
 */
function captureOf(exchange: Exchange, at: Date, durationMs: number): Capture {
  const upstream = new URL(exchange.upstream);
  const contentType = exchange.responseHeaders['content-type'];
  const answeredAsFault = exchange.status >= 400 || (exchange.endpoint === 'token' && isTokenError(exchange));
  const { clientAuth } = exchange;
  const journaledAuth =
    clientAuth && answeredAsFault
      ? { method: clientAuth.method, ...(clientAuth.clientId ? { clientId: clientAuth.clientId } : {}) }
      : clientAuth;
  return {
    endpoint: exchange.endpoint,
    method: exchange.method,
    path: upstream.pathname,
    params: { ...exchange.query, ...exchange.form },
    headers: exchange.requestHeaders,
    status: exchange.status,
    body: exchange.body,
    ...(contentType ? { contentType } : {}),
    journal: journaledAuth ? { clientAuth: journaledAuth } : {},
    at,
    durationMs,
  };
}

/** The parameters a body carries, read as the mock IdP reads them; a body it would refuse (bad JSON) carries none. */
function formOf(body: Buffer, contentType: string | undefined): Record<string, string> {
  try {
    return bodyParams(body.toString('utf8'), contentType);
  } catch {
    return {};
  }
}

/** Sends the exchange's request to the real IdP and keeps its answer in it, or why there is none (`refused`). */
async function forward(exchange: Exchange, body: Buffer, options: ProxyOptions): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let declaredLength: string | null = null;
  try {
    const answer = await fetch(exchange.upstream, {
      method: exchange.method,
      headers: exchange.requestHeaders,
      ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
      redirect: 'manual',
      signal: AbortSignal.any([timeout, ...(options.signal ? [options.signal] : [])]),
    });
    exchange.status = answer.status;
    declaredLength = answer.headers.get('content-length');
    for (const name of RECORDED_RESPONSE_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) exchange.responseHeaders[name] = value;
    }
    const location = answer.headers.get('location');
    if (answer.status >= 300 && answer.status < 400) {
      // Passed on, the connector would follow it: past the proxy (an absolute URL) or round again (a loop).
      await answer.body?.cancel();
      exchange.refused = {
        kind: 'redirect',
        detail: `${answer.status} to ${location ? new URL(location, exchange.upstream).href : '(no Location)'}`,
      };
    } else {
      exchange.body = answer.body ? (await readCapped(answer.body, MAX_EXCHANGE_BYTES)).toString('utf8') : '';
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    exchange.refused =
      error instanceof BodyTooLarge
        ? { kind: 'too-large', detail: `HTTP ${exchange.status}, ${tooLargeSize(declaredLength, error)}` }
        : options.signal?.aborted
          ? { kind: 'interrupted', detail: 'interrupted' }
          : {
              kind: 'unreachable',
              detail: `${new URL(exchange.upstream).origin} did not answer (${cause ?? (error as Error).name}: ${(error as Error).message})`,
            };
  }
  if (exchange.refused) {
    exchange.status = 502;
    exchange.responseHeaders = { 'content-type': 'application/json' };
    exchange.body = JSON.stringify({
      error: 'temporarily_unavailable',
      error_description: 'the recording proxy could not reach the IdP',
    });
  }
}

const answerJson = (response: ServerResponse, status: number, body: Record<string, string>, close = false) =>
  response
    .writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) })
    .end(JSON.stringify(body));

export interface RecordingProxy {
  /** Where the connector's tokenEndpoint / userInfoEndpoint point instead of the real IdP. */
  urls: Record<ProxiedEndpoint, string>;
  exchanges: Exchange[];
  /**
   * What the IdP saw, as mock-idp journal entries built by mock-idp's own code (capture.ts), so the
   * harness runs the same checks live as it does against the replayed fixture. The authorization
   * request never passes the proxy (the browser sends it): `noteAuthorize` adds it from the URL the
   * connector built and where the browser ended: the callback, or the answer it stopped at (as the
   * replay's IdP answers it).
   */
  journal: JournalSource;
  noteAuthorize(authorizationUri: string, followed?: Pick<FollowResult, 'callbackUrl' | 'stoppedAt'>): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server on 127.0.0.1 that forwards the connector's token and userinfo requests to the
 * real IdP, byte for byte, and keeps every exchange. The IdP being unreachable is answered with a
 * 502 and kept as such (`unreachable`): the recorder reports it as bad input.
 */
export async function startRecordingProxy(
  upstream: Record<ProxiedEndpoint, string | undefined>,
  options: ProxyOptions,
): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const journal = new JournalStore();
  let origin = '';

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const incoming = new URL(request.url ?? '/', 'http://proxy.invalid');
    const endpoint =
      incoming.pathname === '/token' ? 'token' : incoming.pathname === '/userinfo' ? 'userinfo' : undefined;
    const target = endpoint ? upstream[endpoint] : undefined;
    if (!endpoint || !target) {
      answerJson(response, 404, {
        error: 'not_found',
        error_description: 'the recording proxy forwards /token and /userinfo only',
      });
      return;
    }
    let body: Buffer;
    try {
      body = await readCapped(request, MAX_EXCHANGE_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      // The rest is never read. `connection: close` ends the socket once the answer is out: kept alive, the
      // half-read request held it open and the proxy's close waited the keep-alive timeout (5 s).
      const tooLarge = { error: 'invalid_request', error_description: 'the recording proxy takes requests up to 4 MB' };
      answerJson(response, 413, tooLarge, true);
      return;
    }
    const requestHeaders: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') requestHeaders[name] = value;
    }
    const upstreamUrl = new URL(target);
    for (const [name, value] of incoming.searchParams) upstreamUrl.searchParams.append(name, value);
    const form = formOf(body, requestHeaders['content-type']);
    let assertion: AssertionRecord | undefined;
    if (endpoint === 'token' && form.client_assertion && options.client) {
      const readdressed = await readdressAssertion(form, options.client, `${origin}/token`, target);
      assertion = readdressed.record;
      if (readdressed.assertion) {
        form.client_assertion = readdressed.assertion;
        body = Buffer.from(new URLSearchParams(form).toString());
      }
    }
    const query = Object.fromEntries(upstreamUrl.searchParams);
    const exchange: Exchange = {
      endpoint,
      method: request.method ?? 'GET',
      upstream: upstreamUrl.href,
      query,
      form,
      requestHeaders,
      ...(endpoint === 'token' ? { clientAuth: clientAuthOf(requestHeaders, { ...query, ...form }, assertion) } : {}),
      status: 0,
      responseHeaders: {},
      body: '',
    };
    await forward(exchange, body, options);
    exchanges.push(exchange);
    record(journal, captureOf(exchange, new Date(), Math.round((performance.now() - started) * 100) / 100));
    response.writeHead(exchange.status, exchange.responseHeaders).end(exchange.body);
  }

  const server: Server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: 'server_error', error_description: `recording proxy: ${(error as Error).message}` }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    urls: { token: `${origin}/token`, userinfo: `${origin}/userinfo` },
    exchanges,
    journal: storeJournal(journal),
    noteAuthorize(authorizationUri, followed = {}) {
      const url = new URL(authorizationUri);
      const stop = followed.callbackUrl ? undefined : followed.stoppedAt;
      const contentType = stop?.headers['content-type'];
      record(journal, {
        endpoint: 'authorize',
        method: 'GET',
        path: url.pathname,
        params: Object.fromEntries(url.searchParams),
        headers: {},
        // 303: as the replay's IdP (oidc-provider) sends the browser back.
        status: followed.callbackUrl ? 303 : (stop?.status ?? 0),
        body: stop?.body,
        ...(followed.callbackUrl ? { location: followed.callbackUrl } : {}),
        ...(contentType ? { contentType } : {}),
        journal: {},
        at: new Date(),
        durationMs: 0,
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
