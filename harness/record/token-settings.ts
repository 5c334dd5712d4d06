import { isRecord } from '../../lib/is-record.ts';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { contentTypeOf, jwtAlg, jwtClaims, parsedBody } from './exchange.ts';
import type { Recording, WritingContext } from './recording.ts';

/* The fixture's token quirks, read off what the real IdP answered: the answer's shape, refresh, the id_token. */

const TOKEN_FIELDS = new Set(['access_token', 'token_type', 'expires_in', 'refresh_token', 'id_token', 'scope']);
/**
 * The id_token's quirks, read off the token the real IdP issued (alg, nonce, audience, issuer,
 * expiry, clock) and, for what only verification shows (signature, key), off the connector's error.
 */
export function idTokenSettings(
  recording: Recording,
  idToken: unknown,
  notes: string[],
): FixtureInput['idToken'] | undefined {
  if (typeof idToken !== 'string') return undefined;
  const claims = jwtClaims(idToken) ?? {};
  const alg = jwtAlg(idToken);
  const settings: NonNullable<FixtureInput['idToken']> = {};
  if (alg === 'ES256') settings.alg = 'ES256';
  else if (alg !== 'RS256') notes.push(`the id_token was signed with ${String(alg)}; the fixture signs with RS256`);
  const sentNonce = recording.authorizationUri ? new URL(recording.authorizationUri).searchParams.get('nonce') : null;
  if (sentNonce && claims.nonce === undefined) settings.nonce = 'omit';
  else if (sentNonce && claims.nonce !== sentNonce) settings.nonce = 'wrong';
  const clientId = recording.config.clientId;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(clientId)) settings.audience = 'recorded-other-audience';
  // The connector accepts one issuer or a list of them (a multi-tenant IdP: one per tenant).
  const verification = recording.config.idTokenVerificationConfig as { issuer?: string | string[] } | undefined;
  const accepted = verification?.issuer === undefined ? undefined : [verification.issuer].flat();
  if (accepted && !accepted.includes(claims.iss as string)) settings.issuer = 'https://impostor.example.com';
  const now = recording.recordedAt.getTime() / 1000;
  if (typeof claims.exp === 'number' && claims.exp < now) settings.expired = true;
  if (typeof claims.iat === 'number' && Math.abs(claims.iat - now) > 60)
    settings.clockSkewSeconds = Math.round(claims.iat - now);
  const failure = recording.observation.error?.errorCode;
  if (failure === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') settings.badSignature = true;
  if (failure === 'ERR_JWKS_NO_MATCHING_KEY' || failure === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') settings.wrongKid = true;
  return Object.keys(settings).length > 0 ? settings : undefined;
}

/** How the token answer is shaped (encoding, expires_in, token_type, extra fields…) and whether refresh rotates. */
export function tokenSettings(
  context: WritingContext,
): Pick<FixtureInput, 'tokenResponse' | 'refreshTokens'> | undefined {
  const { codeExchange, tokenBody, refresh, placeholders, notes } = context;
  if (!tokenBody || !codeExchange) return undefined;
  const settings: Pick<FixtureInput, 'tokenResponse' | 'refreshTokens'> = {};
  const expiresIn = tokenBody.expires_in;
  const json = (contentTypeOf(codeExchange) ?? '').includes('json');
  const extra = Object.fromEntries(Object.entries(tokenBody).filter(([name]) => !TOKEN_FIELDS.has(name)));
  settings.tokenResponse = {
    encoding: json ? 'json' : 'form',
    expiresIn: expiresIn === undefined ? 'absent' : json && typeof expiresIn === 'string' ? 'string' : 'number',
    ...(typeof tokenBody.token_type === 'string' && tokenBody.token_type
      ? { tokenType: tokenBody.token_type }
      : { omitTokenType: true }),
    extraFields: placeholders.value(extra) as Record<string, never>,
    idToken: tokenBody.id_token !== undefined,
    // Twitch's scope list (the connector's guard wants a string).
    ...(Array.isArray(tokenBody.scope) ? { scopeAs: 'array' as const } : {}),
  };
  if (!json && !(contentTypeOf(codeExchange) ?? '').includes('x-www-form-urlencoded'))
    notes.push(
      `the token response came as ${contentTypeOf(codeExchange) ?? 'no content type'}; the fixture answers form-encoded`,
    );
  // A refresh answer without a refresh_token, or with the one sent, is no rotation (the fixture then sends the same one back).
  const refreshed = refresh && refresh.status < 400 ? parsedBody(refresh) : undefined;
  const newRefreshToken = isRecord(refreshed) ? refreshed.refresh_token : undefined;
  settings.refreshTokens = {
    issue: typeof tokenBody.refresh_token === 'string' ? 'always' : 'never',
    ...(isRecord(refreshed)
      ? { rotate: typeof newRefreshToken === 'string' && newRefreshToken !== refresh?.form.refresh_token }
      : {}),
  };
  // An IdP that sends the id_token with the code only (the OIDC connector refuses its refresh answer).
  if (tokenBody.id_token !== undefined && isRecord(refreshed) && refreshed.id_token === undefined)
    settings.tokenResponse.idTokenOnRefresh = false;
  if (isRecord(refreshed) && newRefreshToken === undefined)
    notes.push(
      'the refresh answer had no refresh_token; the fixture (rotate: false) sends the same one back, which the connector stores the same way',
    );
  if (typeof tokenBody.refresh_token === 'string' && !refresh)
    notes.push('no refresh was recorded (record with --refresh): refreshTokens.rotate is the default');
  return settings;
}
