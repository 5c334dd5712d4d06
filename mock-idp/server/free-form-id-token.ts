import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { SigningKeys } from './keys.ts';
import type { MockIdpMiddleware } from './state.ts';
import type { UserDirectory } from './users.ts';

/**
 * oidc-provider lets into an id_token only the claim names it was given at start (the standard ones
 * and those of the fixture's users). A free-form account's other typed claims are added to its
 * id_token here, re-signed with a key of the same alg; claims the token already has (iss, aud,
 * nonce…) stay the IdP's. Every other id_token passes untouched.
 */
export const freeFormIdTokenClaims = (users: UserDirectory, keys: SigningKeys): MockIdpMiddleware =>
  async function freeFormIdTokenClaims(ctx, next) {
    await next();
    if (!users.hasFreeForm || ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
    const body = ctx.body as Record<string, unknown>;
    if (typeof body.id_token !== 'string') return;
    const payload = decodeJwt(body.id_token);
    const typed = typeof payload.sub === 'string' ? users.freeFormClaimsOf(payload.sub) : undefined;
    if (!typed) return;
    const missing = Object.entries(typed).filter(([name]) => !(name in payload));
    if (missing.length === 0) return;
    const header = decodeProtectedHeader(body.id_token);
    // The kid of the key signing now: a fixture may bring several keys of one alg.
    const { key, kid } = await keys.privateKeyFor(header.alg!);
    body.id_token = await new SignJWT({ ...payload, ...Object.fromEntries(missing) })
      .setProtectedHeader({ ...header, alg: header.alg!, kid })
      .sign(key);
  };
