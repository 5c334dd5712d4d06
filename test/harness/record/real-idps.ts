/**
 * The "real" IdPs record is tested against: servers no one here wrote (oauth2-mock-server) and
 * quirky mock-idp fixtures, each on 127.0.0.1, port 0. Never the network.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OAuth2Server } from 'oauth2-mock-server';
import { startMockIdp, parseFixture, type MockIdp } from '../../../mock-idp/index.ts';
import type { FixtureInput } from '../../../mock-idp/fixture/schema.ts';

export interface RealIdp {
  /** Connector config with the IdP's real endpoint URLs. */
  config: Record<string, unknown>;
  /** The personal values the IdP holds (must not be written). */
  personal: string[];
  /** Secrets the test itself knows (client secret…); the tokens come from the proxy's exchanges. */
  secrets: string[];
  stop(): Promise<void>;
}

export const CLIENT_SECRET = 'live-client-secret-5b9e0c1d2f';
export const CLIENT_ID = 'live-client-id-7f3a';

export const JANE = {
  sub: 'jane-3141',
  name: 'Jane Roe-Livingston',
  email: 'jane.roe@corp-mail.example',
  numericId: 583231,
};

/** The connector config an admin writes for a provider at `issuer`: its endpoints, the live client, then the rest. */
const configAt = (
  issuer: string,
  rest: Record<string, unknown>,
  userinfoPath = '/userinfo',
): Record<string, unknown> => ({
  authorizationEndpoint: `${issuer}/authorize`,
  tokenEndpoint: `${issuer}/token`,
  userInfoEndpoint: `${issuer}${userinfoPath}`,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  ...rest,
});

/** A mock-idp playing a real provider with the given quirks. */
export async function quirkyMockIdp(
  overrides: Partial<FixtureInput>,
  config: Record<string, unknown>,
): Promise<RealIdp> {
  const fixture: FixtureInput = {
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_post' }],
    users: [
      {
        id: JANE.sub,
        profile: {
          sub: JANE.sub,
          id: JANE.numericId,
          name: JANE.name,
          email: JANE.email,
          picture: 'https://cdn.corp-mail.example/jane.png',
        },
      },
    ],
    defaultUser: JANE.sub,
    ...overrides,
  };
  const idp: MockIdp = await startMockIdp(parseFixture(fixture), { port: 0 });
  return {
    config: configAt(idp.issuer, { tokenEndpointAuthMethod: 'client_secret_post', ...config }, fixture.userinfo?.path),
    personal: [JANE.sub, JANE.name, JANE.email, String(JANE.numericId), 'https://cdn.corp-mail.example/jane.png'],
    secrets: [CLIENT_SECRET],
    stop: () => idp.stop(),
  };
}

export const NESTED = { id: 90817263, name: 'Kwame Mensah-Oduro', email: 'kwame.mensah@example-org.test', seats: 17 };

/** oauth2-mock-server (not ours) with a nested, numeric userinfo. */
export async function oauth2MockServer(): Promise<RealIdp> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  server.service.on('beforeUserinfo', (response: { body: unknown }) => {
    response.body = {
      data: {
        id: NESTED.id,
        profile: { name: NESTED.name, emails: [{ value: NESTED.email, primary: true }] },
        plan: { seats: NESTED.seats, ratio: 0.75, active: true },
      },
    };
  });
  const issuer = server.issuer.url!.replace(/\/$/, '');
  return {
    config: configAt(issuer, {
      tokenEndpointAuthMethod: 'client_secret_basic',
      tokenEndpointResponseType: 'json',
      scope: 'openid profile',
      profileMap: { id: 'data.id', name: 'data.profile.name', email: 'data.profile.emails.0.value' },
    }),
    personal: [String(NESTED.id), NESTED.name, NESTED.email, 'johndoe'],
    secrets: [CLIENT_SECRET],
    stop: () => server.stop(),
  };
}

export async function writeConfig(config: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'record-config-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** One answer of the hand-written IdP: status, headers, body as sent. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface HandWrittenBehaviour {
  /** `code`: redirect back with a code; an object: the query of an error redirect back; an Answer: no redirect at all. */
  authorize: 'code' | { redirectBack: Record<string, string> } | Answer;
  /**
   * Absent: a JSON token answer. A function answers from the request's form (to echo the code back, as some IdPs'
   * descriptions do), its raw body and its Authorization header (to quote what the client sent, as hostile ones do).
   */
  token?: Answer | ((form: Record<string, string>, request: { body: string; authorization?: string }) => Answer);
  /** Absent: JANE's profile. */
  userinfo?: Answer;
  /** Connector config settings over the default ones (e.g. tokenEndpointResponseType). */
  config?: Record<string, unknown>;
}

/**
 * A provider written here on bare node:http (neither mock-idp nor a library), answering exactly as
 * told: headers such as WWW-Authenticate, error pages at authorize, error redirects back.
 */
export async function handWrittenIdp(behaviour: HandWrittenBehaviour): Promise<RealIdp> {
  const issued = new Set<string>();
  const send = (response: ServerResponse, answer: Answer) =>
    response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
  const json = (body: unknown): Answer => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://idp.invalid');
    if (url.pathname === '/authorize') {
      const { authorize } = behaviour;
      if (authorize !== 'code' && !('redirectBack' in authorize)) return send(response, authorize);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      const query = authorize === 'code' ? { code: randomBytes(12).toString('hex') } : authorize.redirectBack;
      for (const [name, value] of Object.entries(query)) back.searchParams.set(name, value);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return send(response, { status: 302, headers: { location: back.href } });
    }
    if (url.pathname === '/token') {
      const { token: answer } = behaviour;
      if (typeof answer === 'function') {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const { authorization } = request.headers;
          send(
            response,
            answer(Object.fromEntries(new URLSearchParams(body)), {
              body,
              ...(authorization ? { authorization } : {}),
            }),
          );
        });
        return;
      }
      request.resume();
      if (answer) return send(response, answer);
      const token = randomBytes(16).toString('hex');
      issued.add(token);
      return send(response, json({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
    }
    if (url.pathname === '/userinfo') {
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!token || !issued.has(token))
        return send(response, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      return send(response, behaviour.userinfo ?? json({ sub: JANE.sub, name: JANE.name, email: JANE.email }));
    }
    return send(response, { status: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    config: configAt(origin, {
      tokenEndpointAuthMethod: 'client_secret_post',
      tokenEndpointResponseType: 'json',
      scope: 'profile email',
      profileMap: { id: 'sub', name: 'name', email: 'email' },
      ...behaviour.config,
    }),
    personal: [JANE.sub, JANE.name, JANE.email],
    secrets: [CLIENT_SECRET],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A client secret with every character an encoder treats differently: `/`, `+`, `=`, `&`, a space, quotes, a
 * backslash and a non-ASCII letter. Each encoding of it is another string a scrubber must know.
 */
export const HOSTILE_SECRET = 'hostile/secret+with=equals & "quotes" \\ü-0123';
export const HOSTILE_ID = 'hostile-client';

const base64 = (text: string) => Buffer.from(text).toString('base64');
// PHP's json_encode: `/` as `\/`, non-ASCII as \uXXXX.
const phpJson = (text: string) =>
  JSON.stringify(text)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
const htmlEscaped = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/\//g, '&#x2F;');

/**
 * Every encoding of `secret` (sent by `id`) an IdP's error has been seen to quote: the form as sent (`%2F`, `+` for a
 * space), its lower-case percent form, encodeURIComponent's, the decoded Basic credentials, the Basic header, base64url
 * and RFC 6749's base64 of the form-encoded pair, JSON (PHP-escaped, and JSON inside JSON), HTML. The test's own list,
 * not the harness's.
 */
export function encodingsOf(secret: string, id = HOSTILE_ID): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  return [
    secret,
    form,
    form.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    encodeURIComponent(encodeURIComponent(secret)),
    `${id}:${secret}`,
    base64(`${id}:${secret}`),
    base64(`${id}:${secret}`).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'),
    base64(`${encodeURIComponent(id)}:${new URLSearchParams({ s: secret }).toString().slice(2)}`),
    JSON.stringify(secret).slice(1, -1),
    phpJson(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(3, -3),
    htmlEscaped(secret),
  ];
}

/** What a hostile IdP's token error says: the request quoted back in every encoding above. */
export function quotingTheRequest(
  form: Record<string, string>,
  request: { body: string; authorization?: string },
): string {
  const basic = /^Basic (\S+)$/i.exec(request.authorization ?? '')?.[1];
  const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : `${form.client_id}:${form.client_secret}`;
  const [id, ...rest] = decoded.split(':');
  const secret = rest.join(':');
  return [
    `client authentication failed; request body: ${request.body}`,
    `lower: ${request.body.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())}`,
    ...(request.authorization ? [`header: Authorization: ${request.authorization}`] : []),
    `decoded=${decoded}`,
    `seen: ${encodingsOf(secret, id).join(' | ')}`,
  ].join('\n');
}

/** Token error bodies in each content type a hostile IdP sends them in, each quoting the request. */
export const HOSTILE_ERROR_TYPES = {
  text: (text: string): Answer => ({ status: 401, headers: { 'content-type': 'text/plain' }, body: text }),
  json: (text: string): Answer => ({
    status: 401,
    // The challenge quotes the decoded Basic credentials too.
    headers: {
      'content-type': 'application/json',
      'www-authenticate': `Basic realm="idp", error_description="${text.split('\n').at(-2)}"`,
    },
    body: JSON.stringify({ error: 'invalid_client', error_description: text, request: text }),
  }),
  form: (text: string): Answer => ({
    status: 400,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ error: 'invalid_client', error_description: text }).toString(),
  }),
  html: (text: string): Answer => ({
    status: 401,
    headers: { 'content-type': 'text/html' },
    body: `<html><body><pre>${htmlEscaped(text)}</pre><!-- ${text} --></body></html>`,
  }),
};

/** A hand-written IdP whose token endpoint refuses the client and quotes its request back, in a body of `type`. */
export async function hostileIdp(
  type: keyof typeof HOSTILE_ERROR_TYPES,
  authMethod: 'client_secret_post' | 'client_secret_basic',
  config: Record<string, unknown> = {},
): Promise<RealIdp> {
  const idp = await handWrittenIdp({
    authorize: 'code',
    token: (form, request) => HOSTILE_ERROR_TYPES[type](quotingTheRequest(form, request)),
    config: { clientId: HOSTILE_ID, clientSecret: HOSTILE_SECRET, tokenEndpointAuthMethod: authMethod, ...config },
  });
  return { ...idp, secrets: [HOSTILE_SECRET] };
}
