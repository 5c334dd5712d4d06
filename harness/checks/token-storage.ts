import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';

const hasOfflineAccess = (config: Record<string, unknown>) =>
  typeof config.scope === 'string' && config.scope.split(/[ +]/).includes('offline_access');

/** Why the refresh failed, in terms of the config as Logto stores it (raw, no defaults). Pure. */
export function refreshFailureHint(config: Record<string, unknown>): string | undefined {
  if (config.tokenEndpointAuthMethod === undefined) {
    return 'the refresh path uses the stored config without defaults: with no tokenEndpointAuthMethod it sends no request at all. Set "tokenEndpointAuthMethod": "client_secret_post" (the sign-in default) explicitly';
  }
  if (config.tokenEndpointAuthMethod === 'client_secret_jwt' && config.clientSecretJwtSigningAlgorithm === undefined) {
    return 'the refresh path uses the stored config without defaults: client_secret_jwt without clientSecretJwtSigningAlgorithm cannot sign. Set "clientSecretJwtSigningAlgorithm": "HS256" explicitly';
  }
  return undefined;
}

/** With token storage on: what Logto would store, and whether refreshing from it works. */
export function checkTokenStorage(observation: Observation): CheckResult[] {
  if (!observation.scenario.enableTokenStorage) return [];
  const { tokenResponse, refresh, config } = observation;
  if (!tokenResponse) return [];
  const results: CheckResult[] = [];
  const accessToken = tokenResponse.access_token;
  results.push({
    id: 'storage.access_token',
    title: 'Stored access token',
    status:
      typeof accessToken === 'string' && accessToken
        ? 'pass'
        : observation.scenario.connector === 'oidc'
          ? 'warn'
          : 'fail',
    message:
      typeof accessToken === 'string' && accessToken
        ? `access_token, token_type ${String(tokenResponse.token_type)}, expires_in ${tokenResponse.expires_in === undefined ? 'absent (Logto stores no expiry)' : String(tokenResponse.expires_in)}`
        : 'no access_token to store',
  });
  const wantRefresh = observation.scenario.expect.refreshToken ?? hasOfflineAccess(config);
  const refreshToken = tokenResponse.refresh_token;
  if (wantRefresh || refreshToken) {
    results.push({
      id: 'storage.refresh_token',
      title: 'Stored refresh token',
      status: refreshToken ? 'pass' : wantRefresh ? 'fail' : 'pass',
      message: refreshToken
        ? 'refresh_token stored'
        : `no refresh_token in the token response${hasOfflineAccess(config) ? ' although scope has offline_access' : ''}`,
      ...(refreshToken ? {} : { hint: refreshHint(observation) }),
    });
  }
  if (refresh?.attempted) {
    const { refresh: refreshEntry } = journalViews(observation);
    const ok = refresh.response && typeof refresh.response.access_token === 'string';
    const hint = ok
      ? undefined
      : (refreshFailureHint(config) ??
        (refreshEntry && refreshEntry.response.status >= 400
          ? `the IdP refused the refresh (${refreshEntry.response.status}): see idpBody; the connector reports only "{}"`
          : undefined));
    results.push({
      id: 'storage.refresh',
      title: 'Refresh from the stored config',
      status: ok ? 'pass' : 'fail',
      message: ok
        ? `getAccessTokenByRefreshToken returned a new access_token${refresh.response?.refresh_token ? ' and refresh_token' : ''}`
        : `getAccessTokenByRefreshToken failed: ${refresh.error?.message ?? 'no access_token in the response'}${refreshEntry ? '' : ' (no request reached the IdP)'}`,
      evidence: {
        requestReachedIdp: Boolean(refreshEntry),
        ...(refreshEntry ? { idpStatus: refreshEntry.response.status, idpBody: refreshEntry.response.body } : {}),
        ...(refresh.error ? { logtoError: refresh.error.logtoCode } : {}),
      },
      ...(hint ? { hint } : {}),
    });
  }
  return results;
}

/** What to add for a refresh token: Google-style IdPs want access_type=offline and prompt=consent, OIDC ones offline_access. */
function refreshHint(observation: Observation): string {
  const authorize = journalViews(observation).authorize?.params ?? {};
  if (authorize.access_type === 'offline' && !(authorize.prompt ?? '').split(' ').includes('consent')) {
    return 'access_type=offline reached the IdP but prompt=consent did not: Google issues a returning user a refresh token only with both; add "authRequestOptionalConfig": { "prompt": "consent" } (OIDC connector) or "prompt": "consent" to customConfig (OAuth2 connector)';
  }
  return hasOfflineAccess(observation.config)
    ? 'the IdP does not issue refresh tokens for this client/scope'
    : 'add offline_access to scope (many IdPs issue refresh tokens only then)';
}
