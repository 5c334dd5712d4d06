import type { CheckResult } from '../model.ts';
import { tokenProbeVerdict, type ProbeExchange } from './probe.ts';
import { isRecord } from '../../lib/is-record.ts';

/**
 * An enterprise SSO connector of the OIDC kind (GET /api/sso-connectors, providerName `OIDC`).
 * Logto core runs these itself, not through the connector packages: it reads discovery at
 * `${issuer}/.well-known/openid-configuration` and exchanges the code with Basic client
 * authentication and a JSON-only token response (packages/core/src/sso/OidcConnector/utils.ts, Logto 1.42).
 */
export interface AuditedSsoConnector {
  id: string;
  name: string;
  config: Record<string, unknown>;
}

export function auditedSsoConnectors(list: unknown): AuditedSsoConnector[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter(isRecord)
    .filter((item) => item.providerName === 'OIDC' && typeof item.id === 'string')
    .map((item) => ({
      id: item.id as string,
      name: typeof item.connectorName === 'string' ? item.connectorName : (item.id as string),
      config: isRecord(item.config) ? item.config : {},
    }));
}

/** From the stored config alone. Pure. */
export function ssoFindings(connector: AuditedSsoConnector): CheckResult[] {
  const { config } = connector;
  const findings: CheckResult[] = [];
  for (const field of ['clientId', 'clientSecret', 'issuer'] as const) {
    if (typeof config[field] !== 'string' || config[field] === '') {
      findings.push({
        id: field === 'clientSecret' ? 'secret.empty' : `guard.${field}`,
        title: `SSO config: ${field}`,
        status: 'fail',
        message: `no ${field} is stored: every enterprise sign-in through this connector fails`,
        hint: `fill in ${field} in the connector's settings (Console → Enterprise SSO)`,
      });
    }
  }
  if (typeof config.issuer === 'string' && config.issuer.endsWith('/')) {
    findings.push({
      id: 'sso.issuer-slash',
      title: 'SSO issuer',
      status: 'warn',
      message:
        `the issuer ends with "/": Logto reads discovery at ${config.issuer}/.well-known/openid-configuration` +
        ` (a double slash), which many IdPs answer with 404`,
      hint: `drop the trailing slash unless the IdP's own issuer has it`,
    });
  }
  return findings;
}

/** --probe: discovery as Logto reads it, and a token request with an invalid code as Logto sends it. */
export async function probeSso(connector: AuditedSsoConnector, timeoutMs = 10_000): Promise<CheckResult[]> {
  const { issuer, clientId, clientSecret } = connector.config as {
    issuer?: string;
    clientId?: string;
    clientSecret?: string;
  };
  if (!issuer || !clientId || !clientSecret) return [];
  const url = `${issuer}/.well-known/openid-configuration`;
  let document: Record<string, unknown>;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok || !isRecord(body))
      throw new Error(`${response.status}${isRecord(body) ? '' : ', not a JSON object'}`);
    document = body;
  } catch (error) {
    return [
      {
        id: 'probe.discovery',
        title: 'Discovery',
        status: 'fail',
        message: `Logto cannot read ${url}: ${(error as Error).message}`,
        hint: "set the issuer to the IdP's exact issuer URL (its discovery document lives under it)",
      },
    ];
  }
  const findings: CheckResult[] = [];
  const missing = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'issuer'].filter(
    (field) => typeof document[field] !== 'string',
  );
  if (missing.length > 0)
    return [
      {
        id: 'probe.discovery',
        title: 'Discovery',
        status: 'fail',
        message: `the discovery document lacks ${missing.join(', ')}, which Logto requires`,
        evidence: { discovery: url },
      },
    ];
  const methods = Array.isArray(document.token_endpoint_auth_methods_supported)
    ? (document.token_endpoint_auth_methods_supported as string[])
    : ['client_secret_basic'];
  if (!methods.includes('client_secret_basic')) {
    findings.push({
      id: 'probe.auth-method',
      title: 'Token endpoint auth method (discovery)',
      status: 'fail',
      message: `Logto's enterprise SSO authenticates with client_secret_basic only; the IdP announces ${methods.join(', ')}`,
      evidence: { discovery: url },
      hint: 'allow client_secret_basic for this client at the IdP',
    });
  }
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: 'connector-harness-audit-probe-invalid-code',
    redirect_uri: 'https://logto.invalid/api/interaction/sso/callback',
  });
  let exchange: ProbeExchange;
  try {
    const response = await fetch(document.token_endpoint as string, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    exchange = {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  } catch (error) {
    return [
      ...findings,
      {
        id: 'probe.token',
        title: 'Token request with an invalid code',
        status: 'fail',
        message: `could not reach ${String(document.token_endpoint)}: ${(error as Error).message}`,
      },
    ];
  }
  findings.push(...tokenProbeVerdict(exchange, 'client_secret_basic'));
  if (exchange.contentType && !/json/i.test(exchange.contentType)) {
    findings.push({
      id: 'probe.response-type',
      title: 'Token response format',
      status: 'fail',
      message: `the token endpoint answers ${exchange.contentType}; Logto's enterprise SSO reads JSON only`,
      evidence: { contentType: exchange.contentType },
      hint: 'configure the IdP to answer JSON (for GitHub-like IdPs: no setting in Logto can change this)',
    });
  }
  return findings;
}
