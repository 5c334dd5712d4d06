import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Fixture } from '../fixture/schema.ts';
import { sendOAuthError } from './oauth-error.ts';
import type { UserDirectory } from './users.ts';

type UserinfoSettings = Fixture['userinfo'];

/** Where the token came from, per the fixture's allowed sources; a header with any scheme counts. */
export function extractAccessToken(ctx: Context, settings: UserinfoSettings): string | undefined {
  if (settings.tokenFrom.includes('header')) {
    const header = ctx.get('authorization');
    const match = /^\s*\S+\s+(\S+)\s*$/.exec(header);
    if (match?.[1]) return match[1];
  }
  if (settings.tokenFrom.includes('query')) {
    const fromQuery = (ctx.state.params as Record<string, string>).access_token;
    if (fromQuery) return fromQuery;
  }
  return undefined;
}

function unauthorized(ctx: Context, description: string): void {
  ctx.set('www-authenticate', `Bearer error="invalid_token", error_description="${description.replace(/"/g, "'")}"`);
  sendOAuthError(ctx, 401, 'invalid_token', description);
}

/**
 * Our own userinfo, not oidc-provider's: real IdPs return whatever JSON they like, and the fixture's
 * profile must come back exactly as written (nested, arrays, numeric ids).
 */
export const serveUserinfo = (provider: Provider, settings: UserinfoSettings, users: UserDirectory) => async (ctx: Context): Promise<void> => {
  if (settings.method !== 'ANY' && ctx.method !== settings.method) {
    ctx.set('allow', settings.method);
    return sendOAuthError(ctx, 405, 'invalid_request', `userinfo accepts ${settings.method} only, got ${ctx.method}`);
  }
  const token = extractAccessToken(ctx, settings);
  if (!token) {
    const where = settings.tokenFrom.map((source) => (source === 'header' ? 'the Authorization header' : 'the access_token query parameter')).join(' or ');
    return unauthorized(ctx, `no access token; this IdP reads it from ${where}`);
  }
  const accessToken = await provider.AccessToken.find(token);
  if (!accessToken) return unauthorized(ctx, 'access token is unknown, expired or revoked');
  if (settings.override) {
    ctx.status = settings.override.status;
    ctx.type = settings.override.contentType;
    ctx.body = settings.override.body;
    return;
  }
  const user = users.get(accessToken.accountId);
  if (!user) return unauthorized(ctx, 'the user of this token is no longer in the fixture');
  ctx.set('cache-control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(user.profile);
};
