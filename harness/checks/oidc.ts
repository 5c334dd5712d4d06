import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';

const JOSE_HINTS: Array<[RegExp, string]> = [
  [
    /(email|phone)_verified[^]*(Expected boolean|received string)/i,
    'the IdP sends string booleans ("true"): set "acceptStringTypedBooleanClaims": true',
  ],
  [/"aud" claim/, 'the id_token audience is not the clientId: fix the IdP client or the clientId'],
  [/"iss" claim/, 'idTokenVerificationConfig.issuer does not match the id_token issuer'],
  [
    /signature verification failed/i,
    'the id_token signature does not verify against idTokenVerificationConfig.jwksUri',
  ],
  [/no applicable key|matching key/i, 'the id_token kid is not in the JWKS at idTokenVerificationConfig.jwksUri'],
  [
    /"exp" claim timestamp check failed|expired/i,
    'the id_token is expired; if clocks differ, set idTokenVerificationConfig.clockTolerance',
  ],
  [
    /"iat"|nbf|in the future/i,
    'clock skew between Logto and the IdP: set idTokenVerificationConfig.clockTolerance (e.g. "5 min")',
  ],
  [/alg/i, 'the id_token alg is not in idTokenVerificationConfig.algorithms'],
  [/nonce/i, 'the IdP must echo the nonce the connector sent in the id_token'],
];

/** id_token verification, nonce, string booleans and email trust: only for the OIDC connector. */
export function checkOidc(observation: Observation): CheckResult[] {
  if (observation.scenario.connector !== 'oidc') return [];
  const { error, userInfo, config } = observation;
  if (error && error.stage === 'sign-in') {
    const text = `${error.message} ${JSON.stringify(error.data ?? '')}`;
    const hint = JOSE_HINTS.find(([pattern]) => pattern.test(text))?.[1];
    return [
      {
        id: 'oidc.id_token',
        title: 'id_token verification',
        status: 'fail',
        message: error.message,
        evidence: { logtoError: error.logtoCode },
        ...(hint ? { hint } : {}),
      },
    ];
  }
  if (!userInfo) return [];
  const claims = (userInfo.rawData ?? {}) as Record<string, unknown>;
  const verification = (config.idTokenVerificationConfig ?? {}) as {
    jwksUri?: string;
    issuer?: string;
    algorithms?: string[];
  };
  const verifiedWith = [
    'aud = clientId',
    verification.issuer ? `iss = ${verification.issuer}` : undefined,
    verification.algorithms ? `alg in ${verification.algorithms.join('/')}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const results: CheckResult[] = [
    {
      id: 'oidc.id_token',
      title: 'id_token verification',
      status: 'pass',
      message: `verified against ${String(verification.jwksUri)} (${verifiedWith})`,
      evidence: { claims },
    },
    claims.nonce
      ? {
          id: 'oidc.nonce',
          title: 'Nonce',
          status: 'pass',
          message: 'the id_token echoes the nonce the connector sent, and it matched',
        }
      : {
          id: 'oidc.nonce',
          title: 'Nonce',
          status: 'warn',
          message:
            'the id_token carries no nonce: the connector checks the nonce only when one is present, so a replayed id_token would be accepted',
          evidence: { claims },
          hint: 'make the IdP echo the nonce from the authorization request in the id_token (no connector setting enforces it)',
        },
  ];
  if (!verification.issuer) {
    results.push({
      id: 'oidc.issuer',
      title: 'Issuer check',
      status: 'warn',
      message: `idTokenVerificationConfig has no issuer: any issuer signing with these keys is accepted (this id_token says ${String(claims.iss)})`,
      hint: `add "issuer": "${String(claims.iss)}" to idTokenVerificationConfig (in a scenario against the embedded IdP: "{{issuer}}")`,
    });
  }
  if (typeof claims.email === 'string' && userInfo.email === undefined) {
    const verified = claims.email_verified;
    results.push({
      id: 'oidc.email',
      title: 'Email trust',
      status: 'warn',
      message: `the id_token has email ${claims.email} but Logto gets none: email_verified is ${JSON.stringify(verified)}`,
      hint:
        verified === undefined
          ? 'the IdP omits email_verified: set "trustUnverifiedEmail": true if you trust its emails'
          : 'the IdP says the email is not verified',
    });
  }
  for (const claim of ['email_verified', 'phone_verified'] as const) {
    if (typeof claims[claim] === 'string') {
      results.push({
        id: `oidc.${claim}`,
        title: `${claim} as a string`,
        status: 'pass',
        message: `"${String(claims[claim])}" accepted because acceptStringTypedBooleanClaims is on`,
      });
    }
  }
  return results;
}
