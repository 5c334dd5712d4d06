import { loadConnectorFactory, type ConnectorSource } from '../connectors/load.ts';
import type { CheckResult } from '../model.ts';
import type { AuditedConnector } from './connector.ts';

/** What one HTTP exchange looked like, as far as the probe needs it. */
export interface ProbeExchange {
  status: number;
  contentType: string;
  body: string;
}

/** The methods the connectors themselves implement (the config guard allows no others). */
const CONNECTOR_METHODS = ['client_secret_post', 'client_secret_basic', 'client_secret_jwt'];
const PROBE_CODE = 'connector-harness-audit-probe-invalid-code';

/**
 * The client authenticated, the code is bad: RFC 6749 §5.2 `invalid_grant`; GitHub's own name for it
 * is `bad_verification_code`, and for a refused client `incorrect_client_credentials`
 * (https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/).
 */
const CODE_REFUSED = new Set(['invalid_grant', 'bad_verification_code']);
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client', 'incorrect_client_credentials']);

async function fetchDiscovery(
  urls: string[],
  timeoutMs: number,
): Promise<{ url: string; document: Record<string, unknown> } | undefined> {
  for (const url of urls) {
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        continue;
      }
      const document: unknown = await response.json();
      if (document && typeof document === 'object' && !Array.isArray(document))
        return { url, document: document as Record<string, unknown> };
    } catch {
      // not there, or not JSON: try the next well-known place
    }
  }
  return undefined;
}

/** Where a discovery document may be: the OIDC issuer the config names, else the endpoints' origin (OIDC, then RFC 8414). */
export function discoveryUrls(connector: AuditedConnector): string[] {
  const { config } = connector;
  const verification = (config.idTokenVerificationConfig ?? {}) as Record<string, unknown>;
  const bases = new Set<string>();
  if (typeof verification.issuer === 'string') bases.add(verification.issuer.replace(/\/$/, ''));
  for (const endpoint of [config.authorizationEndpoint, config.tokenEndpoint]) {
    if (typeof endpoint !== 'string') continue;
    try {
      bases.add(new URL(endpoint).origin);
    } catch {
      // the config guard reports a malformed endpoint
    }
  }
  return [...bases].flatMap((base) => [
    `${base}/.well-known/openid-configuration`,
    `${base}/.well-known/oauth-authorization-server`,
  ]);
}

/** The discovery document against the config: auth method, signing alg, issuer and endpoints. Pure. */
export function discoveryFindings(
  connector: AuditedConnector,
  discovery: { url: string; document: Record<string, unknown> },
): CheckResult[] {
  const { config } = connector;
  const { document, url } = discovery;
  const findings: CheckResult[] = [];
  const method =
    typeof config.tokenEndpointAuthMethod === 'string' ? config.tokenEndpointAuthMethod : 'client_secret_post';
  const methods = Array.isArray(document.token_endpoint_auth_methods_supported)
    ? (document.token_endpoint_auth_methods_supported as string[])
    : ['client_secret_basic'];
  if (!methods.includes(method)) {
    const usable = methods.filter((candidate) => CONNECTOR_METHODS.includes(candidate));
    findings.push({
      id: 'probe.auth-method',
      title: 'Token endpoint auth method (discovery)',
      status: 'fail',
      message:
        `the IdP announces ${methods.join(', ')}` +
        `${Array.isArray(document.token_endpoint_auth_methods_supported) ? '' : ' (the RFC 8414 default: the document lists none)'}, not ${method}`,
      evidence: { discovery: url, token_endpoint_auth_methods_supported: methods, configured: method },
      hint:
        usable.length > 0
          ? `set "tokenEndpointAuthMethod": "${usable[0]}"`
          : 'the IdP supports none of the methods the connector has: a generic connector cannot authenticate to it',
    });
  }
  if (method === 'client_secret_jwt' && Array.isArray(document.token_endpoint_auth_signing_alg_values_supported)) {
    const algs = document.token_endpoint_auth_signing_alg_values_supported as string[];
    const alg =
      typeof config.clientSecretJwtSigningAlgorithm === 'string' ? config.clientSecretJwtSigningAlgorithm : 'HS256';
    if (!algs.includes(alg)) {
      const usable = algs.filter((candidate) => /^HS(256|384|512)$/.test(candidate));
      findings.push({
        id: 'probe.jwt-alg',
        title: 'client_secret_jwt signing alg (discovery)',
        status: 'fail',
        message: `the IdP accepts client assertions signed with ${algs.join(', ')}, not ${alg}`,
        evidence: { discovery: url, token_endpoint_auth_signing_alg_values_supported: algs, configured: alg },
        hint:
          usable.length > 0
            ? `set "clientSecretJwtSigningAlgorithm": "${usable[0]}"`
            : 'the IdP accepts no HMAC alg: client_secret_jwt cannot work with it',
      });
    }
  }
  const pairs: Array<[string, unknown, unknown]> = [
    ['authorizationEndpoint', config.authorizationEndpoint, document.authorization_endpoint],
    ['tokenEndpoint', config.tokenEndpoint, document.token_endpoint],
    ...(connector.kind === 'oauth2'
      ? [['userInfoEndpoint', config.userInfoEndpoint, document.userinfo_endpoint] as [string, unknown, unknown]]
      : []),
  ];
  const verification = (config.idTokenVerificationConfig ?? {}) as Record<string, unknown>;
  if (connector.kind === 'oidc')
    pairs.push(['idTokenVerificationConfig.jwksUri', verification.jwksUri, document.jwks_uri]);
  for (const [field, configured, announced] of pairs) {
    if (typeof configured === 'string' && typeof announced === 'string' && configured !== announced) {
      findings.push({
        id: `probe.endpoint.${field}`,
        title: `${field} (discovery)`,
        status: 'warn',
        message: `the config has ${configured}, discovery announces ${announced}`,
        evidence: { discovery: url },
        hint: `set "${field}": "${announced}" unless the IdP documents the other URL`,
      });
    }
  }
  if (
    typeof verification.issuer === 'string' &&
    typeof document.issuer === 'string' &&
    verification.issuer !== document.issuer
  ) {
    findings.push({
      id: 'probe.issuer',
      title: 'ID token issuer (discovery)',
      status: 'fail',
      message: `idTokenVerificationConfig.issuer is ${verification.issuer}, the IdP's issuer is ${document.issuer}: every id_token fails verification`,
      evidence: { discovery: url },
      hint: `set "issuer": "${document.issuer}" in idTokenVerificationConfig`,
    });
  }
  return findings;
}

const errorCode = (exchange: ProbeExchange): string | undefined => {
  try {
    if (/json/i.test(exchange.contentType)) {
      const body: unknown = JSON.parse(exchange.body);
      return body && typeof body === 'object' && typeof (body as Record<string, unknown>).error === 'string'
        ? ((body as Record<string, unknown>).error as string)
        : undefined;
    }
    return new URLSearchParams(exchange.body).get('error') ?? undefined;
  } catch {
    return undefined;
  }
};

/** What the IdP's answer to a deliberately invalid code says about the client authentication. Pure. */
export function tokenProbeVerdict(exchange: ProbeExchange, method: string): CheckResult[] {
  const findings: CheckResult[] = [];
  const code = errorCode(exchange);
  const evidence = {
    status: exchange.status,
    contentType: exchange.contentType,
    body: exchange.body.slice(0, 500),
    sentWith: method,
  };
  if ((code && CLIENT_REFUSED.has(code)) || (exchange.status === 401 && !(code && CODE_REFUSED.has(code)))) {
    findings.push({
      id: 'probe.client-auth',
      title: 'Client authentication (token request with an invalid code)',
      status: 'fail',
      message:
        `the IdP refused the client (${code ?? exchange.status}) before looking at the code:` +
        ` the client id, the secret or the auth method ${method} is wrong, and every sign-in fails with connector.general`,
      evidence,
      hint: "check clientId and clientSecret against the IdP's app registration, and that tokenEndpointAuthMethod is the method registered there",
    });
  } else if (!(code && CODE_REFUSED.has(code))) {
    findings.push({
      id: 'probe.token',
      title: 'Token request with an invalid code',
      status: 'warn',
      message: `expected invalid_grant (the client authenticated, the code is bad), got ${code ?? `HTTP ${exchange.status} without an OAuth error`}`,
      evidence,
      hint: 'read the body: an IdP that needs extra token parameters (customConfig) or another endpoint says so here',
    });
  }
  return findings;
}

/** The verdict on the client authentication, and what the error body's format predicts for tokenEndpointResponseType. Pure. */
export function tokenProbeFindings(connector: AuditedConnector, exchange: ProbeExchange): CheckResult[] {
  const method =
    typeof connector.config.tokenEndpointAuthMethod === 'string'
      ? connector.config.tokenEndpointAuthMethod
      : 'client_secret_post';
  const findings = tokenProbeVerdict(exchange, method);
  const evidence = { status: exchange.status, contentType: exchange.contentType, body: exchange.body.slice(0, 500) };
  if (connector.kind === 'oauth2' && exchange.contentType) {
    const responseType = connector.config.tokenEndpointResponseType === 'json' ? 'json' : 'query-string';
    const form = /application\/x-www-form-urlencoded|text\/plain/i.test(exchange.contentType);
    const json = /json/i.test(exchange.contentType);
    if ((form && responseType === 'json') || (json && responseType === 'query-string')) {
      const wanted = form ? 'query-string' : 'json';
      findings.push({
        id: 'probe.response-type',
        title: 'tokenEndpointResponseType (from the error body)',
        status: 'fail',
        message:
          `the IdP's token endpoint answers ${form ? 'form-encoded' : 'JSON'} (${exchange.contentType})` +
          `, which predicts a ${form ? 'form-encoded' : 'JSON'} success body, but tokenEndpointResponseType is ${responseType}` +
          `${connector.config.tokenEndpointResponseType === undefined ? ' (the default)' : ''}` +
          `: the sign-in would fail with connector.invalid_response`,
        evidence,
        hint: `set "tokenEndpointResponseType": "${wanted}"`,
      });
    }
  }
  return findings;
}

/**
 * Sends the token request exactly as Logto would (the real connector code, the stored config) with
 * a code that cannot be valid, and captures the IdP's answer, which the connector itself loses.
 */
async function probeTokenEndpoint(
  connector: AuditedConnector,
  source: ConnectorSource,
  timeoutMs: number,
): Promise<ProbeExchange | { error: string }> {
  const tokenEndpoint = String(connector.config.tokenEndpoint ?? '');
  const factory = await loadConnectorFactory(connector.kind, source);
  const instance = await factory({ getConfig: async () => structuredClone(connector.config) });
  const original = globalThis.fetch;
  let captured: ProbeExchange | undefined;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(tokenEndpoint) && !captured) {
      captured = {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body: await response.clone().text(),
      };
    }
    return response;
  };
  try {
    const redirectUri = 'https://logto.invalid/callback/connector-harness-audit';
    await instance
      .getUserInfo({ code: PROBE_CODE, state: 'connector-harness-audit' }, async () => ({
        redirectUri,
        nonce: 'connector-harness-audit',
      }))
      .catch(() => undefined);
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    globalThis.fetch = original;
  }
  return captured ?? { error: `no answer from ${tokenEndpoint} (unreachable, or the connector sent no request)` };
}

/** --probe: discovery and one token request with an invalid code. Read-only for the tenant; no user signs in. */
export async function probeConnector(
  connector: AuditedConnector,
  source: ConnectorSource,
  timeoutMs = 10_000,
): Promise<CheckResult[]> {
  const findings: CheckResult[] = [];
  const discovery = await fetchDiscovery(discoveryUrls(connector), timeoutMs);
  if (discovery) findings.push(...discoveryFindings(connector, discovery));
  const exchange = await probeTokenEndpoint(connector, source, timeoutMs);
  if ('error' in exchange) {
    findings.push({
      id: 'probe.token',
      title: 'Token request with an invalid code',
      status: 'fail',
      message: `could not probe the token endpoint: ${exchange.error}`,
      hint: 'is tokenEndpoint right and reachable from here?',
    });
  } else {
    findings.push(...tokenProbeFindings(connector, exchange));
  }
  return findings;
}
