import { CUSTOM_CONFIG_OVERRIDES } from '../checks/custom-config.ts';
import { wireName } from '../connectors/wire-name.ts';
import { configKeyFindings } from '../checks/config-keys.ts';
import { endpointUrlFindings } from '../checks/endpoint-urls.ts';
import { scopeFindings } from '../checks/scope.ts';
import { refreshFailureHint } from '../checks/token-storage.ts';
import type { CheckResult } from '../model.ts';
import type { AuditedConnector } from './connector.ts';

/** What the connector's own config guard refuses (computed by the caller: it loads connector code). */
export type GuardProblem = { field: string; message: string };

const scopes = (config: Record<string, unknown>): string[] =>
  typeof config.scope === 'string' ? config.scope.split(/[ +]/).filter(Boolean) : [];

/**
 * Providers that spell "give me a refresh token" their own way; any of these counts as asking.
 * Google: `access_type=offline` (https://developers.google.com/identity/protocols/oauth2/web-server#offline);
 * X: the `offline.access` scope (https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code).
 */
function asksForRefreshToken(config: Record<string, unknown>): boolean {
  const custom = (config.customConfig ?? {}) as Record<string, unknown>;
  const granted = scopes(config);
  return (
    granted.includes('offline_access') ||
    granted.includes('offline.access') ||
    Object.entries(custom).some(([key, value]) => wireName(key) === 'access_type' && value === 'offline')
  );
}

const dotPathProblem = (path: string): string | undefined => {
  if (path.trim() === '') return 'is empty';
  if (path !== path.trim()) return 'has spaces around it';
  if (path.split('.').some((segment) => segment === ''))
    return 'has an empty segment (a leading, trailing or double dot)';
  return undefined;
};

/**
 * The traps the harness knows, judged from the stored config alone, with a known provider's
 * findings (provider-rules.ts) appended. Pure: the same connector always gives the same findings;
 * a clean one gives none.
 */
export function auditFindings(
  connector: AuditedConnector,
  guard: GuardProblem[],
  provider: CheckResult[] = [],
): CheckResult[] {
  const { config } = connector;
  const findings: CheckResult[] = [];

  const secretMissing = typeof config.clientSecret !== 'string' || config.clientSecret === '';
  if (secretMissing) {
    findings.push({
      id: 'secret.empty',
      title: 'Client secret',
      status: 'fail',
      message:
        `no clientSecret is stored, and every token endpoint auth method the ${connector.kind} connector has` +
        ` (client_secret_post, client_secret_basic, client_secret_jwt) needs one: every sign-in fails`,
      hint: "paste the client secret from the IdP's app registration into the connector (Logto drops an empty value when it saves)",
    });
  }
  for (const problem of guard) {
    if (secretMissing && problem.field === 'config.clientSecret') continue;
    findings.push({
      id: `guard.${problem.field.replace(/^config\./, '')}`,
      title: `Config guard: ${problem.field}`,
      status: 'fail',
      message: `the connector refuses this config (${problem.message}): every sign-in shows connector.invalid_config`,
      evidence: { field: problem.field, value: fieldValue(config, problem.field) },
      hint: `fix ${problem.field} in the connector's config`,
    });
  }

  if (connector.enableTokenStorage) {
    const hint = refreshFailureHint(config);
    if (hint) {
      findings.push({
        id: 'storage.refresh-config',
        title: 'Token storage: refresh from the stored config',
        status: 'fail',
        message:
          'token storage is on, and the first refresh of a stored token will fail: Logto refreshes with the config as stored, no defaults applied',
        evidence: {
          tokenEndpointAuthMethod: config.tokenEndpointAuthMethod ?? '(absent)',
          clientSecretJwtSigningAlgorithm: config.clientSecretJwtSigningAlgorithm ?? '(absent)',
        },
        hint,
      });
    }
    if (!asksForRefreshToken(config)) {
      findings.push({
        id: 'storage.offline-access',
        title: 'Token storage without a refresh token',
        status: 'warn',
        message:
          `token storage is on, but the scope "${String(config.scope ?? '')}" does not ask for a refresh token:` +
          ` most IdPs issue none, and the stored access token cannot be renewed once it expires`,
        evidence: { scope: config.scope ?? '(absent)' },
        hint: 'add offline_access to scope (Google: customConfig access_type=offline and prompt=consent; X: the offline.access scope)',
      });
    }
  }

  const custom = (config.customConfig ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(custom)) {
    const name = wireName(key);
    if (CUSTOM_CONFIG_OVERRIDES[name]) {
      findings.push({
        id: `customConfig.${key}`,
        title: `customConfig.${key}`,
        status: 'warn',
        message: `customConfig overrides ${name}: ${CUSTOM_CONFIG_OVERRIDES[name]}`,
        evidence: { sentAs: name },
        hint: `remove "${key}" from customConfig unless the IdP truly needs a fixed ${name}`,
      });
    } else if (name !== key) {
      findings.push({
        id: `customConfig.${key}`,
        title: `customConfig.${key} → ${name}`,
        status: 'warn',
        message: `sent as "${name}", not "${key}": the connector snake_cases customConfig keys`,
        evidence: { sentAs: name },
        hint: `if the IdP expects "${key}" literally, it cannot be sent through customConfig; else rename the key to "${name}"`,
      });
    }
  }

  findings.push(
    ...configKeyFindings(connector.kind, config),
    ...endpointUrlFindings(config),
    ...scopeFindings(connector.kind, config.scope),
  );

  // A known provider's own rules (the provider library) are precise where the generic heuristics guess.
  if (connector.kind === 'oauth2')
    findings.push(
      ...profileMapFindings(config).filter((finding) => !(provider.length > 0 && finding.status === 'warn')),
    );
  return [...findings, ...provider];
}

function profileMapFindings(config: Record<string, unknown>): CheckResult[] {
  const profileMap = (config.profileMap ?? {}) as Record<string, unknown>;
  const findings: CheckResult[] = [];
  for (const [field, path] of Object.entries(profileMap)) {
    const problem = typeof path === 'string' ? dotPathProblem(path) : 'is not a string';
    if (problem) {
      findings.push({
        id: `profileMap.${field}`,
        title: `profileMap.${field}`,
        status: 'fail',
        message: `the path ${JSON.stringify(path)} ${problem}: it reads nothing${field === 'id' ? ', and without an id every sign-in fails' : ''}`,
        hint: `set profileMap.${field} to the dot path of the field in the IdP's userinfo JSON, e.g. "data.user.id"`,
      });
    }
  }
  const idPath = typeof profileMap.id === 'string' ? profileMap.id : 'id';
  // An OpenID Connect userinfo names the user `sub`; `id` is what most plain OAuth 2.0 APIs use.
  if (idPath === 'id' && scopes(config).includes('openid')) {
    findings.push({
      id: 'profileMap.id',
      title: 'profileMap.id',
      status: 'warn',
      message:
        `profileMap.id is ${'id' in profileMap ? '"id"' : 'not set (the connector reads "id")'}, but the scope asks for openid:` +
        ` an OpenID Connect userinfo carries the user id in "sub", and a userinfo without "id" fails every sign-in`,
      evidence: { profileMap, scope: config.scope },
      hint: 'set "profileMap": { "id": "sub", … } if the userinfo endpoint is the IdP\'s OpenID Connect one',
    });
  }
  return findings;
}

function fieldValue(config: Record<string, unknown>, field: string): unknown {
  return field
    .replace(/^config\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      config,
    );
}
