import { decodeJwt, SignJWT } from 'jose';
import type { Fixture } from '../fixture/schema.ts';
import type { SigningKeys } from './keys.ts';

type IdTokenSettings = Fixture['idToken'];

/** True when the fixture bends the id_token; otherwise oidc-provider's own token is served untouched. */
export const idTokenIsBent = (settings: IdTokenSettings): boolean =>
  settings.wrongKid ||
  settings.badSignature ||
  settings.audience !== undefined ||
  settings.issuer !== undefined ||
  settings.nonce !== 'echo' ||
  settings.stringBooleans ||
  settings.expired ||
  settings.clockSkewSeconds !== 0;

const BOOLEAN_CLAIMS = ['email_verified', 'phone_verified', 'phone_number_verified'];

/** The claims of oidc-provider's id_token, bent as the fixture says. Pure. */
export function bendClaims(
  claims: Record<string, unknown>,
  settings: IdTokenSettings,
  now: number,
): Record<string, unknown> {
  const bent = { ...claims };
  if (settings.audience !== undefined) bent.aud = settings.audience;
  // A template per tenant (Entra ID: `https://login.microsoftonline.com/{tid}/v2.0`) takes the claim named in braces.
  if (settings.issuer !== undefined)
    bent.iss = settings.issuer.replace(/\{(\w+)\}/g, (whole, name: string) =>
      typeof claims[name] === 'string' ? claims[name] : whole,
    );
  if (settings.nonce === 'omit') delete bent.nonce;
  if (settings.nonce === 'wrong') bent.nonce = 'not-the-nonce-you-sent';
  if (settings.stringBooleans) {
    for (const name of BOOLEAN_CLAIMS) if (typeof bent[name] === 'boolean') bent[name] = String(bent[name]);
  }
  const lifetime = settings.ttlSeconds;
  const issuedAt = settings.expired ? now - 2 * lifetime - 60 : now + settings.clockSkewSeconds;
  bent.iat = issuedAt;
  bent.exp = issuedAt + lifetime;
  if ('auth_time' in bent && settings.clockSkewSeconds)
    bent.auth_time = Number(bent.auth_time) + settings.clockSkewSeconds;
  return bent;
}

export async function bendIdToken(idToken: string, settings: IdTokenSettings, keys: SigningKeys): Promise<string> {
  const claims = bendClaims(decodeJwt(idToken), settings, Math.floor(Date.now() / 1000));
  const { key, kid } = await keys.privateKeyFor(settings.alg);
  const signingKey = settings.wrongKid ? await keys.strayKey(settings.alg) : key;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: settings.alg, typ: 'JWT', kid: settings.wrongKid ? `${kid}-not-in-jwks` : kid })
    .sign(signingKey);
  if (!settings.badSignature) return token;
  const [header, payload, signature = ''] = token.split('.');
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
  return `${header}.${payload}.${flipped}`;
}
