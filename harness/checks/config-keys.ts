import { nearest } from '../../lib/did-you-mean.ts';
import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';

/**
 * The fields each connector's config guard knows (`configGuard.shape` of @logto/connector-oauth 1.7.8
 * and @logto/connector-oidc 1.7.5; test/harness/config-keys.test.ts reads them off the installed
 * connectors, so a new version that changes them fails there). Any other key is dropped by the guard:
 * a `clientID` leaves the connector without `clientId`.
 */
const COMMON = [
  'responseType',
  'grantType',
  'authorizationEndpoint',
  'tokenEndpoint',
  'clientId',
  'clientSecret',
  'tokenEndpointAuthMethod',
  'clientSecretJwtSigningAlgorithm',
  'scope',
  'customConfig',
];
export const CONFIG_KEYS: Record<'oauth2' | 'oidc', readonly string[]> = {
  oauth2: [...COMMON, 'userInfoEndpoint', 'tokenEndpointResponseType', 'profileMap'],
  oidc: [
    ...COMMON,
    'acceptStringTypedBooleanClaims',
    'trustUnverifiedEmail',
    'idTokenVerificationConfig',
    'authRequestOptionalConfig',
  ],
};

/** Config keys the connector does not know, each with the field it most likely means. Pure. */
export function configKeyFindings(kind: 'oauth2' | 'oidc', config: Record<string, unknown>): CheckResult[] {
  const known = CONFIG_KEYS[kind];
  return Object.keys(config)
    .filter((key) => !known.includes(key))
    .map((key): CheckResult => {
      const meant = nearest(key, known);
      const other = kind === 'oauth2' ? 'oidc' : 'oauth2';
      const otherKind = !meant && CONFIG_KEYS[other].includes(key);
      return {
        id: `config.${key}`,
        title: `Config field ${key}`,
        // A misspelt field the connector needs is a broken config; an unknown extra one is only dropped.
        status: meant && !(meant in config) ? 'fail' : 'warn',
        message: meant
          ? `"${key}" is not a field of the ${kind} connector (its guard drops it): did you mean "${meant}"?`
          : otherKind
            ? `"${key}" is a field of the ${other} connector, not of the ${kind} one: it is dropped`
            : `"${key}" is not a field of the ${kind} connector: it is dropped`,
        evidence: { field: key, known },
        hint: meant
          ? `rename "${key}" to "${meant}"`
          : otherKind
            ? `use the ${other} connector, or remove "${key}"`
            : `remove "${key}"; extra parameters for the IdP go in customConfig`,
      };
    });
}

export const checkConfigKeys = (observation: Observation): CheckResult[] =>
  configKeyFindings(observation.scenario.connector, observation.scenario.config);
