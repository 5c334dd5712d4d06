import type { Observation } from '../../../observation.ts';

/** The harness waits for an expiry only when it comes this soon (seconds). */
export const MAX_EXPIRY_WAIT_SECONDS = 5;

/** What Logto's Account API should answer once the stored access token has expired. */
export type AfterExpiry =
  /** No expiresAt stored: Logto hands out the stored token as it is and never refreshes. */
  | { kind: 'same-token' }
  /** Logto refreshes through the IdP; `again`: the answer had no refresh_token, the kept one must work a second time. */
  | { kind: 'refreshed'; again: boolean }
  | { kind: 'error'; status: number; code: string; why: string };

export interface TokenUsePlan {
  /** How many expiries to wait for: 0 (only the read before expiry), 1, or 2. */
  expiries: 0 | 1 | 2;
  /** Why, in one line for the report. */
  why: string;
  afterExpiry?: AfterExpiry;
  /** No expiry stored: how long the IdP's token lives (the fixture's accessTokenTtlSeconds). */
  idpTtlSeconds?: number;
}

const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : typeof value === 'string' ? Number.parseInt(value, 10) : undefined;

/**
 * What to drive through Logto's Account API for one token-storage scenario, and what the
 * in-process prediction says Logto will do (third-party-tokens.ts + socials.refreshTokenSetSecret
 * in Logto 1.42: expired + refresh token → the connector's getAccessTokenByRefreshToken with the
 * raw stored config; expired without one → 401 and the secret deleted). Pure.
 */
export function planTokenUse(
  prediction: Observation,
  idpTtlSeconds: number | undefined,
  maxWait = MAX_EXPIRY_WAIT_SECONDS,
): TokenUsePlan {
  const tokens = prediction.tokenResponse;
  if (!tokens || typeof tokens.access_token !== 'string') return { expiries: 0, why: 'no access token to store' };
  const expiresIn = seconds(tokens.expires_in);
  if (expiresIn === undefined || Number.isNaN(expiresIn)) {
    if (idpTtlSeconds === undefined || idpTtlSeconds > maxWait)
      return {
        expiries: 0,
        why: 'no expires_in (Logto stores no expiry, never refreshes); the IdP token lives too long to watch it die',
      };
    return {
      expiries: 1,
      why: `no expires_in: Logto stores no expiry and never refreshes, though the IdP's token dies after ${idpTtlSeconds} s`,
      afterExpiry: { kind: 'same-token' },
      idpTtlSeconds,
    };
  }
  if (expiresIn > maxWait)
    return { expiries: 0, why: `expires_in ${expiresIn} s: longer than the harness waits (${maxWait} s)` };
  const refresh = prediction.refresh;
  if (!refresh?.attempted) {
    return {
      expiries: 1,
      why: 'no refresh token stored',
      afterExpiry: {
        kind: 'error',
        status: 401,
        code: 'secrets.third_party_token_set.access_token_expired',
        why: 'expired and no refresh token: Logto deletes the secret',
      },
    };
  }
  if (refresh.error) {
    return {
      expiries: 1,
      why: 'the in-process refresh failed',
      afterExpiry: {
        kind: 'error',
        status: refresh.error.logtoStatus ?? 500,
        code: refresh.error.logtoCode,
        why: `the in-process refresh failed: ${refresh.error.message}`,
      },
    };
  }
  if (!refresh.response || typeof refresh.response.access_token !== 'string') {
    return {
      expiries: 1,
      why: 'the in-process refresh answer has no access_token',
      afterExpiry: {
        kind: 'error',
        status: 400,
        code: 'connector.invalid_response',
        why: 'Logto checks the refresh answer for an access_token',
      },
    };
  }
  const again = refresh.response.refresh_token === undefined;
  return {
    expiries: again ? 2 : 1,
    why: again
      ? 'the refresh answer has no refresh_token: Logto must keep the stored one and refresh with it again'
      : 'the refresh answer rotates the refresh token',
    afterExpiry: { kind: 'refreshed', again },
  };
}
