import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { Fixture } from '../fixture/schema.ts';
import type { SigningKeys } from './keys.ts';
import type { MockIdpMiddleware } from './state.ts';
import { extractAccessToken } from './userinfo.ts';

/**
 * OIDC Core §5.4: the claims each scope asks for. `phone`/`phone_verified` as the fixture users of
 * this repository write them go with the standard `phone_number` ones.
 */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified', 'phone', 'phone_verified'],
  address: ['address'],
};

/** The claims without those whose scope was not granted; `sub` and non-standard claims stay. Pure. */
export function claimsForScopes(claims: Record<string, unknown>, granted: string | undefined): Record<string, unknown> {
  const scopes = new Set((granted ?? '').split(' '));
  const withheld = new Set(Object.entries(SCOPE_CLAIMS).flatMap(([scope, names]) => (scopes.has(scope) ? [] : names)));
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !withheld.has(name)));
}

/** The token answer's id_token, re-signed with the same key with only the granted scopes' claims. */
function idTokenFollowsScopes(keys: SigningKeys): MockIdpMiddleware {
  return async function claimsFollowScopes(ctx, next) {
    await next();
    const body =
      ctx.status === 200 && ctx.body && typeof ctx.body === 'object' ? (ctx.body as Record<string, unknown>) : {};
    if (typeof body.id_token !== 'string') return;
    const { alg = 'RS256' } = decodeProtectedHeader(body.id_token);
    const claims = claimsForScopes(decodeJwt(body.id_token), typeof body.scope === 'string' ? body.scope : undefined);
    const { key, kid } = await keys.privateKeyFor(alg);
    body.id_token = await new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key);
  };
}

/** Userinfo's profile without the top-level claims the access token's scopes do not grant. */
function userinfoFollowsScopes(
  settings: Fixture['userinfo'],
  scopeOf: (accessToken: string) => string | undefined,
): MockIdpMiddleware {
  return async function claimsFollowScopes(ctx, next) {
    await next();
    if (ctx.status !== 200 || typeof ctx.body !== 'string' || !ctx.response.is('json')) return;
    const token = extractAccessToken(
      { method: ctx.method, authorization: ctx.get('authorization') || undefined, query: ctx.state.params },
      settings,
    );
    const profile: unknown = JSON.parse(ctx.body);
    if (!token || !profile || typeof profile !== 'object' || Array.isArray(profile)) return;
    ctx.body = JSON.stringify(claimsForScopes(profile as Record<string, unknown>, scopeOf(token)));
  };
}

/**
 * Claims that follow the granted scopes (`claimsFollowScopes`), as OIDC Core §5.4 has them: in the
 * id_token of every token answer and in userinfo. Absent when the fixture does not ask for it.
 */
export function claimsFollowScopes(
  fixture: Pick<Fixture, 'claimsFollowScopes' | 'userinfo'>,
  keys: SigningKeys,
  scopeOf: (accessToken: string) => string | undefined,
): { token?: MockIdpMiddleware; userinfo?: MockIdpMiddleware } {
  if (!fixture.claimsFollowScopes) return {};
  // An override replaces the profile: it is sent as written.
  const userinfo = fixture.userinfo.override ? undefined : userinfoFollowsScopes(fixture.userinfo, scopeOf);
  return { token: idTokenFollowsScopes(keys), ...(userinfo ? { userinfo } : {}) };
}
