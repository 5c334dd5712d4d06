import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';

/** The token endpoint auth the IdP saw, against the config (and, for client_secret_jwt, the assertion it verified). */
export function checkClientAuth(observation: Observation): CheckResult[] {
  const { codeExchange } = journalViews(observation);
  const seen = codeExchange?.clientAuth;
  if (!seen) return [];
  const configured = (observation.config.tokenEndpointAuthMethod as string | undefined) ?? 'client_secret_post';
  const expected = observation.scenario.expect.tokenAuthMethod ?? configured;
  const results: CheckResult[] = [];
  const registered = seen.expected ? `; the IdP registers this client for ${seen.expected}` : '';
  const methodOk = seen.method === expected && (!seen.expected || seen.expected === seen.method);
  results.push({
    id: 'auth.method',
    title: 'Token endpoint auth method',
    status: methodOk ? 'pass' : 'fail',
    message: methodOk
      ? `${seen.method}`
      : `the connector sent ${seen.method} (config: ${configured}` +
        `${observation.config.tokenEndpointAuthMethod === undefined ? ', the default' : ''})${registered}`,
    evidence: {
      seen: seen.method,
      configured,
      ...(seen.expected ? { registeredAtIdp: seen.expected } : {}),
      idpStatus: codeExchange?.response.status,
    },
    ...(!methodOk && seen.expected
      ? { hint: `set "tokenEndpointAuthMethod": "${seen.expected}" in the connector config` }
      : {}),
  });

  const assertion = seen.assertion;
  if (seen.method === 'client_secret_jwt' && assertion) {
    const configuredAlg = (observation.config.clientSecretJwtSigningAlgorithm as string | undefined) ?? 'HS256';
    const expectedAlg = observation.scenario.expect.jwtAlg ?? configuredAlg;
    const alg = assertion.header.alg;
    const claims = assertion.claims;
    const clientId = observation.config.clientId;
    const problems = [
      alg !== expectedAlg ? `alg ${String(alg)}, expected ${expectedAlg}` : undefined,
      claims.iss !== clientId ? `iss ${String(claims.iss)} is not the client id` : undefined,
      claims.sub !== clientId ? `sub ${String(claims.sub)} is not the client id` : undefined,
      claims.aud !== observation.config.tokenEndpoint
        ? `aud ${String(claims.aud)} is not the token endpoint`
        : undefined,
      typeof claims.exp !== 'number' ? 'no exp' : undefined,
      typeof claims.jti !== 'string' ? 'no jti' : undefined,
      !assertion.verified ? `the IdP did not accept it: ${assertion.error ?? 'unknown reason'}` : undefined,
    ].filter((problem): problem is string => Boolean(problem));
    const hint =
      !assertion.verified && /\balg\b/i.test(assertion.error ?? '') ? algHint(observation, String(alg)) : undefined;
    results.push({
      id: 'auth.jwt',
      title: 'client_secret_jwt assertion',
      status: problems.length === 0 ? 'pass' : 'fail',
      message:
        problems.length === 0
          ? `${String(alg)}, iss=sub=client id, aud=token endpoint, exp in ${Number(claims.exp) - Number(claims.iat)} s, jti set; verified by the IdP`
          : problems.join('; '),
      evidence: {
        header: assertion.header,
        claims,
        verified: assertion.verified,
        ...(assertion.error ? { error: assertion.error } : {}),
      },
      ...(hint ? { hint } : {}),
    });
  }
  return results;
}

/** The IdP refused the assertion's alg: name the setting, and the alg the IdP accepts when the fixture says. */
function algHint(observation: Observation, sent: string): string {
  const { scenario, config } = observation;
  const client =
    scenario.idp.kind === 'fixture'
      ? scenario.idp.fixture.clients.find((candidate) => candidate.clientId === config.clientId)
      : undefined;
  const setting = `the connector signs ${sent}${config.clientSecretJwtSigningAlgorithm === undefined ? ', the default' : ''}`;
  if (client?.clientSecretJwtAlg)
    return (
      `set "clientSecretJwtSigningAlgorithm": "${client.clientSecretJwtAlg}" in the connector config` +
      ` (the IdP accepts only ${client.clientSecretJwtAlg} for this client; ${setting})`
    );
  return (
    `set "clientSecretJwtSigningAlgorithm" to an alg the IdP accepts (${setting}):` +
    ` its discovery document (${observation.issuer}/.well-known/openid-configuration)` +
    ` lists them under token_endpoint_auth_signing_alg_values_supported`
  );
}
