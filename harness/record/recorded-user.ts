import { isRecord } from '../../lib/is-record.ts';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { jwtClaims, parsedBody, type Exchange } from './exchange.ts';
import { RECORDED_USER, type WritingContext } from './recording.ts';

// `sub` is the fixture user's id in a mock IdP's id_token: not a claim of its own.
const PROTOCOL_CLAIMS = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'auth_time',
  'azp',
  'sid',
  'jti',
  'amr',
  'acr',
]);

/** The userinfo answer when it was a profile (2xx, a JSON object); undefined for an error or a page. */
export function profileAnswer(userinfo: Exchange | undefined): Record<string, unknown> | undefined {
  if (!userinfo || userinfo.status < 200 || userinfo.status >= 300) return undefined;
  const body = parsedBody(userinfo);
  return isRecord(body) ? body : undefined;
}

/**
 * The one recorded user, anonymised: the userinfo profile (or a bare `sub` when there was none)
 * and the id_token's own claims, every personal value a same-typed placeholder.
 */
export function recordedUser({ userinfo, tokenBody, placeholders }: WritingContext): {
  profile: Record<string, unknown>;
  user: FixtureInput['users'][number];
} {
  const answer = profileAnswer(userinfo);
  const profile = answer ? (placeholders.value(answer) as Record<string, unknown>) : { sub: RECORDED_USER };
  const idTokenClaims = jwtClaims(tokenBody?.id_token);
  const claims = idTokenClaims
    ? (placeholders.value(
        Object.fromEntries(Object.entries(idTokenClaims).filter(([name]) => !PROTOCOL_CLAIMS.has(name))),
      ) as Record<string, unknown>)
    : undefined;
  return { profile, user: { id: RECORDED_USER, profile, ...(claims ? { claims } : {}) } };
}
