import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';

const hasOfflineAccess = (config: Record<string, unknown>) =>
  typeof config.scope === 'string' && config.scope.split(/[ +]/).includes('offline_access');

/** Why the refresh failed, in terms of the config as Logto stores it (raw, no defaults). Pure. */
export function refreshFailureHint(config: Record<string, unknown>): string | undefined {
  if (config.tokenEndpointAuthMethod === undefined) {
    return (
      'the refresh path uses the stored config without defaults:' +
      ' with no tokenEndpointAuthMethod it sends no request at all.' +
      ' Set "tokenEndpointAuthMethod": "client_secret_post" (the sign-in default) explicitly'
    );
  }
  if (config.tokenEndpointAuthMethod === 'client_secret_jwt' && config.clientSecretJwtSigningAlgorithm === undefined) {
    return (
      'the refresh path uses the stored config without defaults:' +
      ' client_secret_jwt without clientSecretJwtSigningAlgorithm cannot sign.' +
      ' Set "clientSecretJwtSigningAlgorithm": "HS256" explicitly'
    );
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
        ? `access_token, token_type ${String(tokenResponse.token_type)}` +
          `, expires_in ${tokenResponse.expires_in === undefined ? 'absent (Logto stores no expiry)' : String(tokenResponse.expires_in)}`
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
        : `getAccessTokenByRefreshToken failed: ${refresh.error?.message ?? 'no access_token in the response'}` +
          `${refreshEntry ? '' : ' (no request reached the IdP)'}`,
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

/** Where a `prompt` goes in each connector's config: the OIDC one has a field for it, the OAuth2 one only customConfig. */
const promptSetting = (kind: 'oauth2' | 'oidc', value: string) =>
  kind === 'oidc'
    ? `"authRequestOptionalConfig": { "prompt": "${value}" }`
    : `"customConfig": { "prompt": "${value}" }`;

/**
 * What to change for a refresh token, from what the authorize request carried and what this IdP is:
 * Google-style IdPs (access_type in the request, or the provider library's Google) want
 * access_type=offline and, for a returning user, prompt=consent; OpenID Connect IdPs want offline_access
 * and honour it only with prompt=consent (OIDC Core §11); an IdP that granted offline_access and still
 * issued none has refresh tokens off for the client. Each names the config field and the value. Pure.
 */
export function refreshHint(observation: Observation): string {
  const kind = observation.scenario.connector;
  const authorize = journalViews(observation).authorize?.params ?? {};
  const asked = (authorize.scope ?? '').split(/[ +]/).filter(Boolean);
  const prompts = (authorize.prompt ?? '').split(' ');
  const granted = observation.tokenResponse?.scope;
  const googleStyle = authorize.access_type !== undefined || observation.scenario.provider === 'google';
  if (googleStyle) {
    if (authorize.access_type !== 'offline')
      return (
        `Google-style IdP: it issues refresh tokens only for access_type=offline (and to a returning user only with prompt=consent):` +
        ` set "customConfig": { "access_type": "offline" } and ${promptSetting(kind, 'consent')}`
      );
    if (!prompts.includes('consent'))
      return (
        `access_type=offline reached the IdP but prompt=consent did not:` +
        ` a Google-style IdP issues a returning user a refresh token only with both: set ${promptSetting(kind, 'consent')}`
      );
    return 'access_type=offline and prompt=consent both reached the IdP and it issued no refresh token: the client is not allowed offline access at the IdP';
  }
  const current = typeof observation.config.scope === 'string' ? observation.config.scope.trim() : '';
  if (!asked.includes('offline_access'))
    return `the authorize request did not ask for offline_access: set "scope": "${[current, 'offline_access'].filter(Boolean).join(' ')}"`;
  // An OpenID Connect IdP ignores offline_access without prompt=consent: then it is not granted either.
  if (kind === 'oidc' && !prompts.includes('consent'))
    return (
      `offline_access reached the IdP without prompt=consent` +
      `, and an OpenID Connect IdP may ignore it then (OIDC Core §11): set ${promptSetting(kind, 'consent')}`
    );
  if (typeof granted === 'string' && !granted.split(' ').includes('offline_access'))
    return (
      `offline_access was asked for but not granted (the token answer's scope is "${granted}"):` +
      ` allow offline access (refresh tokens) for this client at the IdP`
    );
  return 'offline_access reached the IdP and it issued no refresh token: refresh tokens are off for this client at the IdP';
}
