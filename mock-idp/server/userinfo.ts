import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MemoryStore } from './memory-adapter.ts';
import type { Fixture } from '../fixture/schema.ts';
import type { JournalStore } from './journal-store.ts';
import { answerDirectly, pathOf, queryOf, type DirectAnswer } from './direct-answer.ts';
import type { MockIdpContext } from './state.ts';
import type { UserDirectory } from './users.ts';

type UserinfoSettings = Fixture['userinfo'];

export interface UserinfoRequest {
  method: string;
  authorization?: string;
  query: Record<string, string>;
}

export type UserinfoAnswer = DirectAnswer;

/** Where the token came from, per the fixture's allowed sources; a header with any scheme counts. */
export function extractAccessToken(request: UserinfoRequest, settings: UserinfoSettings): string | undefined {
  if (settings.tokenFrom.includes('header') && request.authorization) {
    const match = /^\s*\S+\s+(\S+)\s*$/.exec(request.authorization);
    if (match?.[1]) return match[1];
  }
  if (settings.tokenFrom.includes('query') && request.query.access_token) return request.query.access_token;
  return undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const error = (
  status: number,
  code: string,
  description: string,
  extra: Record<string, string> = {},
): UserinfoAnswer => ({
  status,
  headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...extra },
  body: JSON.stringify({ error: code, error_description: description }),
});
const invalidToken = (description: string) =>
  error(401, 'invalid_token', description, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description.replace(/"/g, "'")}"`,
  });

/**
 * Our own userinfo, not oidc-provider's: real IdPs return whatever JSON they like, and the fixture's
 * profile must come back exactly as written (nested, arrays, numeric ids). Free of any framework (and
 * synchronous: the token store is in memory), so the koa route and the HTTP fast path agree.
 */
export function answerUserinfo(
  tokens: MemoryStore,
  settings: UserinfoSettings,
  users: UserDirectory,
  request: UserinfoRequest,
): UserinfoAnswer {
  if (settings.method !== 'ANY' && request.method !== settings.method) {
    return error(405, 'invalid_request', `userinfo accepts ${settings.method} only, got ${request.method}`, {
      allow: settings.method,
    });
  }
  const token = extractAccessToken(request, settings);
  if (!token) {
    const where = settings.tokenFrom
      .map((source) => (source === 'header' ? 'the Authorization header' : 'the access_token query parameter'))
      .join(' or ');
    return invalidToken(`no access token; this IdP reads it from ${where}`);
  }
  // The opaque token is its own storage key; revocation and expiry remove the entry.
  const accessToken = tokens.peek('AccessToken', token);
  if (!accessToken || typeof accessToken.accountId !== 'string')
    return invalidToken('access token is unknown, expired or revoked');
  if (settings.override) {
    return {
      status: settings.override.status,
      headers: { ...settings.override.headers, 'content-type': settings.override.contentType },
      body: settings.override.body,
    };
  }
  const user = users.account(accessToken.accountId);
  if (!user) return invalidToken('the user of this token is no longer in the fixture');
  return {
    status: 200,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
    body: serialized(user.profile),
  };
}

// A profile is replaced, never changed in place (updateUser): its JSON is made once per profile object.
const profileJson = new WeakMap<object, string>();
const serialized = (profile: Record<string, unknown>): string => {
  let json = profileJson.get(profile);
  if (json === undefined) {
    json = JSON.stringify(profile);
    profileJson.set(profile, json);
  }
  return json;
};

/** The koa route: used when a fault or a POST body puts userinfo through the middleware stack. */
export const serveUserinfo =
  (tokens: MemoryStore, settings: UserinfoSettings, users: UserDirectory) =>
  async (ctx: MockIdpContext): Promise<void> => {
    const answer = answerUserinfo(tokens, settings, users, {
      method: ctx.method,
      authorization: ctx.get('authorization') || undefined,
      query: ctx.state.params,
    });
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  };

/**
 * The HTTP fast path for bodiless userinfo requests: the busiest endpoint after discovery skips the
 * koa stack (journaled all the same). Returns false for what it does not take.
 */
export function userinfoFastPath(
  path: string,
  tokens: MemoryStore,
  settings: UserinfoSettings,
  users: UserDirectory,
  store: JournalStore,
  log: (line: string) => void,
) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (
      !request.url ||
      (request.method !== 'GET' && request.method !== 'POST') ||
      (request.method === 'POST' &&
        request.headers['content-length'] !== undefined &&
        request.headers['content-length'] !== '0')
    )
      return false;
    if (pathOf(request.url) !== path) return false;
    const started = performance.now();
    const query = queryOf(request.url);
    const answer = answerUserinfo(tokens, settings, users, {
      method: request.method,
      authorization: request.headers.authorization,
      query,
    });
    answerDirectly(request, response, 'userinfo', query, answer, { store, log, started });
    return true;
  };
}
