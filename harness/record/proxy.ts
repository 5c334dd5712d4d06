import { createServer, type Server } from 'node:http';
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose';
import type { AddressInfo } from 'node:net';
import { mask, maskSecrets } from '../../lib/mask.ts';
import type { ClientAuthMethod } from '../../mock-idp/fixture/schema.ts';
import { idTokenOf } from '../../mock-idp/id-token-of.ts';
import type { AssertionRecord, JournalEntry } from '../../mock-idp/journal.ts';
import type { FollowResult } from '../follow-redirects.ts';
import type { JournalSource } from '../flow/journal-source.ts';

export type ProxiedEndpoint = 'token' | 'userinfo';

/** One request the connector sent through the proxy and what the real IdP answered, raw (never printed or written). */
export interface Exchange {
  endpoint: ProxiedEndpoint;
  method: string;
  /** The real IdP URL it went to (query included). */
  upstream: string;
  query: Record<string, string>;
  /** The form body, when the request had one. */
  form: Record<string, string>;
  requestHeaders: Record<string, string>;
  clientAuth?: { method: ClientAuthMethod; clientId?: string; assertion?: AssertionRecord };
  status: number;
  /** The response headers a fixture or a reader cares about (content-type, www-authenticate, …). */
  responseHeaders: Record<string, string>;
  body: string;
  /**
   * Set when the recording cannot go on with this exchange (the proxy answered 502 itself): the IdP
   * could not be reached, answered more than the cap, redirected the request, or the run was interrupted.
   */
  refused?: { kind: 'unreachable' | 'too-large' | 'redirect' | 'interrupted'; detail: string };
}

/**
 * The most the proxy reads of one answer or request. A fixture is capped at 1 MB (lib/structured-file.ts), and a
 * token or userinfo answer bigger than a few MB is no answer a connector could use: past this the proxy stops
 * reading (nothing more is buffered) and the recording is refused.
 */
export const MAX_EXCHANGE_BYTES = 4 * 1024 * 1024;

/** What the IdP said it would send, when it said (Content-Length), else how far the proxy read. */
const tooLargeSize = (declared: string | null, error: ExchangeTooLarge): string => {
  const length = Number(declared);
  return declared && Number.isFinite(length) && length > 0
    ? `${(length / (1024 * 1024)).toFixed(1)} MB`
    : error.message;
};

export class ExchangeTooLarge extends Error {
  readonly code = 'EXCHANGE_TOO_LARGE';
}

/** Reads a body up to `limit` bytes; past it, stops reading (the rest is never buffered) and throws ExchangeTooLarge. */
export async function readCapped(chunks: AsyncIterable<Uint8Array>, limit = MAX_EXCHANGE_BYTES): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) throw new ExchangeTooLarge(`more than ${limit / (1024 * 1024)} MB`);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'user-agent'];
const RECORDED_RESPONSE_HEADERS = [
  'content-type',
  'www-authenticate',
  'cache-control',
  'pragma',
  'retry-after',
  'location',
];

/** How the connector authenticated at the token endpoint, read off the request as the mock IdP's journal does. Pure. */
export function clientAuthOf(headers: Record<string, string>, form: Record<string, string>): Exchange['clientAuth'] {
  const authorization = headers.authorization;
  if (authorization && /^basic\s/i.test(authorization)) {
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const clientId = decoded.split(':')[0];
    return { method: 'client_secret_basic', ...(clientId ? { clientId: decodeURIComponent(clientId) } : {}) };
  }
  const clientId = form.client_id;
  const withId = clientId ? { clientId } : {};
  if (form.client_assertion) return { method: 'client_secret_jwt', ...withId };
  if (form.client_secret) return { method: 'client_secret_post', ...withId };
  return { method: 'none', ...withId };
}

/** The response body as the mock IdP's journal shows it: parsed JSON or form, else text; secrets masked. Pure. */
export function journalBody(body: string, contentType: string | undefined): unknown {
  if (contentType?.includes('json')) {
    try {
      return maskSecrets(JSON.parse(body) as unknown);
    } catch {
      return body.slice(0, 2000);
    }
  }
  if (contentType?.includes('x-www-form-urlencoded')) return maskSecrets(Object.fromEntries(new URLSearchParams(body)));
  return contentType?.includes('html') ? '(html page)' : body.slice(0, 2000);
}

const maskedParams = (params: Record<string, string>) => {
  const masked = maskSecrets(params);
  return masked.code === undefined ? masked : { ...masked, code: mask(masked.code) };
};

const maskedHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => name !== 'user-agent')
      .map(([name, value]) => [
        name,
        name === 'authorization' ? `${value.split(' ')[0]} ${mask(value.split(' ').slice(1).join(' '))}` : value,
      ]),
  );

/**
 * client_secret_jwt: the connector addresses its assertion to the token endpoint it knows, the
 * proxy. The proxy checks it as the IdP would (with the config's secret), and re-signs the same
 * claims for the real token endpoint, so the real IdP sees an assertion meant for it.
 */
async function readdressAssertion(
  assertion: string,
  proxyTokenUrl: string,
  realTokenUrl: string,
  secret: string,
): Promise<{ assertion: string; record: AssertionRecord }> {
  const key = new TextEncoder().encode(secret);
  const header = decodeProtectedHeader(assertion) as JWTHeaderParameters;
  const claims = decodeJwt(assertion);
  let record: AssertionRecord;
  try {
    await jwtVerify(assertion, key, { audience: proxyTokenUrl });
    record = { header, claims, verified: true };
  } catch (error) {
    record = { header, claims, verified: false, error: (error as Error).message };
  }
  const addressed = claims.aud === proxyTokenUrl || (Array.isArray(claims.aud) && claims.aud.includes(proxyTokenUrl));
  if (!addressed || !/^HS(256|384|512)$/.test(String(header.alg))) return { assertion, record };
  return {
    assertion: await new SignJWT({ ...claims, aud: realTokenUrl }).setProtectedHeader(header).sign(key),
    record,
  };
}

export interface RecordingProxy {
  /** Where the connector's tokenEndpoint / userInfoEndpoint point instead of the real IdP. */
  urls: Record<ProxiedEndpoint, string>;
  exchanges: Exchange[];
  /**
   * What the IdP saw, as mock-idp journal entries (secrets masked), so the harness runs the same
   * checks live as it does against the replayed fixture. The authorization request never passes
   * the proxy (the browser sends it): `noteAuthorize` adds it from the URL the connector built and
   * where the browser ended: the callback, or the answer it stopped at (as the replay's IdP answers it).
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
  options: { timeoutMs: number; clientSecret?: string; signal?: AbortSignal },
): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const entries: JournalEntry[] = [];
  const addEntry = (entry: Omit<JournalEntry, 'seq' | 'at' | 'durationMs'>, durationMs = 0) => {
    entries.push({ ...entry, seq: entries.length + 1, at: new Date().toISOString(), durationMs });
  };

  let origin = '';
  const server: Server = createServer((request, response) => {
    void (async () => {
      const started = performance.now();
      const incoming = new URL(request.url ?? '/', 'http://proxy.invalid');
      const endpoint =
        incoming.pathname === '/token' ? 'token' : incoming.pathname === '/userinfo' ? 'userinfo' : undefined;
      const target = endpoint ? upstream[endpoint] : undefined;
      if (!endpoint || !target) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: 'not_found',
            error_description: 'the recording proxy forwards /token and /userinfo only',
          }),
        );
        return;
      }
      let body: Buffer;
      try {
        body = await readCapped(request as AsyncIterable<Uint8Array>);
      } catch (error) {
        if (!(error instanceof ExchangeTooLarge)) throw error;
        // The rest is never read. `connection: close` ends the socket once the answer is out: kept alive, the
        // half-read request held it open and the proxy's close waited the keep-alive timeout (5 s).
        response.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(
          JSON.stringify({
            error: 'invalid_request',
            error_description: 'the recording proxy takes requests up to 4 MB',
          }),
        );
        return;
      }
      const requestHeaders: Record<string, string> = {};
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = request.headers[name];
        if (typeof value === 'string') requestHeaders[name] = value;
      }
      const upstreamUrl = new URL(target);
      for (const [name, value] of incoming.searchParams) upstreamUrl.searchParams.append(name, value);
      const form: Record<string, string> = requestHeaders['content-type']?.includes('x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(body.toString('utf8')))
        : {};
      let assertion: AssertionRecord | undefined;
      if (endpoint === 'token' && form.client_assertion && options.clientSecret) {
        const readdressed = await readdressAssertion(
          form.client_assertion,
          `${origin}/token`,
          target,
          options.clientSecret,
        );
        assertion = readdressed.record;
        form.client_assertion = readdressed.assertion;
        body = Buffer.from(new URLSearchParams(form).toString());
      }
      const query = Object.fromEntries(upstreamUrl.searchParams);
      const exchange: Exchange = {
        endpoint,
        method: request.method ?? 'GET',
        upstream: upstreamUrl.href,
        query,
        form,
        requestHeaders,
        ...(endpoint === 'token'
          ? { clientAuth: { ...clientAuthOf(requestHeaders, form)!, ...(assertion ? { assertion } : {}) } }
          : {}),
        status: 0,
        responseHeaders: {},
        body: '',
      };
      const timeout = AbortSignal.timeout(options.timeoutMs);
      let declaredLength: string | null = null;
      try {
        const answer = await fetch(upstreamUrl, {
          method: exchange.method,
          headers: requestHeaders,
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
            detail: `${answer.status} to ${location ? new URL(location, upstreamUrl).href : '(no Location)'}`,
          };
        } else {
          exchange.body = answer.body ? (await readCapped(answer.body)).toString('utf8') : '';
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        exchange.refused =
          error instanceof ExchangeTooLarge
            ? { kind: 'too-large', detail: `HTTP ${exchange.status}, ${tooLargeSize(declaredLength, error)}` }
            : options.signal?.aborted
              ? { kind: 'interrupted', detail: 'interrupted' }
              : {
                  kind: 'unreachable',
                  detail: `${upstreamUrl.origin} did not answer (${cause ?? (error as Error).name}: ${(error as Error).message})`,
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
      exchanges.push(exchange);
      const answered = journalBody(exchange.body, exchange.responseHeaders['content-type']);
      // An error answer (any status: some IdPs send theirs with 200) is replayed as a fixture fault, and the mock
      // IdP journals only the method and client id of a request a fault answers: the live journal says the same.
      const replayedAsFault =
        exchange.status >= 400 ||
        (endpoint === 'token' &&
          !(
            answered &&
            typeof answered === 'object' &&
            typeof (answered as Record<string, unknown>).access_token === 'string'
          ));
      const clientAuth =
        exchange.clientAuth && replayedAsFault
          ? {
              method: exchange.clientAuth.method,
              ...(exchange.clientAuth.clientId ? { clientId: exchange.clientAuth.clientId } : {}),
            }
          : exchange.clientAuth;
      const idToken = endpoint === 'token' && exchange.status === 200 ? idTokenOf(exchange.body) : undefined;
      addEntry(
        {
          endpoint,
          method: exchange.method,
          path: upstreamUrl.pathname,
          params: maskedParams({ ...query, ...form }),
          headers: maskedHeaders(requestHeaders),
          ...(clientAuth ? { clientAuth } : {}),
          response: {
            status: exchange.status,
            ...(exchange.responseHeaders['content-type']
              ? { contentType: exchange.responseHeaders['content-type'] }
              : {}),
            body: answered,
          },
          ...(idToken ? { idToken } : {}),
        },
        Math.round(performance.now() - started),
      );
      response.writeHead(exchange.status, exchange.responseHeaders).end(exchange.body);
    })().catch((error: unknown) => {
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
    journal: { read: async () => entries },
    noteAuthorize(authorizationUri, followed = {}) {
      const url = new URL(authorizationUri);
      const location = followed.callbackUrl ? new URL(followed.callbackUrl) : undefined;
      if (location?.searchParams.has('code'))
        location.searchParams.set('code', mask(location.searchParams.get('code')!));
      const stop = location ? undefined : followed.stoppedAt;
      const contentType = stop?.headers['content-type'];
      addEntry({
        endpoint: 'authorize',
        method: 'GET',
        path: url.pathname,
        params: maskedParams(Object.fromEntries(url.searchParams)),
        headers: {},
        response: location
          ? { status: 303, location: location.href, body: undefined }
          : {
              status: stop?.status ?? 0,
              ...(contentType ? { contentType } : {}),
              body: stop ? journalBody(stop.body, contentType) : undefined,
            },
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
