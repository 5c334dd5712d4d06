import { rememberSecrets } from '../../lib/mask.ts';
import type { ConnectorSource } from '../connectors/load.ts';
import type { CheckResult, ScenarioResult } from '../model.ts';
import { scenarioResult } from '../result.ts';
import { guardProblems } from '../scenario/config-guard.ts';
import { EndpointAnswerError } from '../logto-api/endpoint-answer.ts';
import { LogtoApiError } from '../logto-api/logto-http.ts';
import { ManagementClient } from '../logto-api/management-client.ts';
import { auditedConnectors, type AuditedConnector } from './connector.ts';
import { probeConnector } from './probe.ts';
import { knownProviderOf, providerFindings } from './provider-rules.ts';
import { auditFindings, type GuardProblem } from './rules.ts';
import { auditedSsoConnectors, probeSso, ssoFindings, type AuditedSsoConnector } from './sso-oidc.ts';

export interface AuditOptions {
  endpoint: string;
  m2mAppId: string;
  m2mAppSecret: string;
  resource: string;
  /** Also contact each IdP: discovery, and a token request with an invalid code. */
  probe: boolean;
  source: ConnectorSource;
  /** Per Management API call (default DEFAULT_API_TIMEOUT_MS). */
  apiTimeoutMs?: number;
  /** Progress lines (one per connector, and while a call waits). */
  log?: (line: string) => void;
}

/**
 * A Logto without enterprise SSO (older than 1.12) answers its route with an error, JSON or not:
 * said, and the social connectors audited alone. Any other answer that is not Logto's stops the audit.
 */
function withoutSso(log: ((line: string) => void) | undefined) {
  return (error: unknown): [] => {
    const status =
      error instanceof LogtoApiError
        ? error.status
        : error instanceof EndpointAnswerError
          ? error.answer?.status
          : undefined;
    if (status === undefined || status < 400) throw error;
    log?.(`enterprise SSO connectors not audited: GET /api/sso-connectors failed (${(error as Error).message})`);
    return [];
  };
}

export interface AuditReport {
  connectors: AuditedConnector[];
  ssoConnectors: AuditedSsoConnector[];
  /** One per connector, in the shape every reporter reads: a finding is a failed or warning check. */
  results: ScenarioResult[];
}

async function guardOf(connector: AuditedConnector, source: ConnectorSource): Promise<GuardProblem[]> {
  try {
    return await guardProblems(connector.kind, connector.config, source);
  } catch (error) {
    return [
      {
        field: 'config',
        message: `the connector code could not even be constructed with it: ${(error as Error).message}`,
      },
    ];
  }
}

/**
 * Every OAuth2/OIDC social connector and every OIDC enterprise SSO connector of a tenant, judged
 * from its stored config (and with `probe`, against its IdP). Read-only: the only Management API
 * calls are GETs.
 */
export async function auditTenant(options: AuditOptions): Promise<AuditReport> {
  const credentials = {
    endpoint: options.endpoint,
    appId: options.m2mAppId,
    appSecret: options.m2mAppSecret,
    resource: options.resource,
  };
  const apiTimeout = options.apiTimeoutMs ? { timeoutMs: options.apiTimeoutMs } : {};
  const management = new ManagementClient(credentials, {
    ...apiTimeout,
    ...(options.log ? { onWaiting: options.log } : {}),
  });
  const base = options.endpoint.replace(/\/$/, '');
  const connectors = auditedConnectors(await management.listConnectors());
  // The stored secrets are masked in whatever is printed, under any name and in any encoding (a probed IdP may quote them).
  rememberSecrets(...connectors.map((connector) => connector.config));
  const results: ScenarioResult[] = [];
  for (const [index, connector] of connectors.entries()) {
    options.log?.(
      `[${index + 1}/${connectors.length}] ${connector.name} (${connector.target})${options.probe ? ': probing its IdP' : ''}`,
    );
    const started = performance.now();
    const known = await knownProviderOf(connector, options.source.projectRoot);
    const findings: CheckResult[] = auditFindings(
      connector,
      await guardOf(connector, options.source),
      known ? providerFindings(connector, known) : [],
    );
    if (options.probe) findings.push(...(await probeConnector(connector, options.source)));
    results.push(
      resultFor(
        `${connector.name} (${connector.target})`,
        `${base}/api/connectors/${connector.id}`,
        findings,
        options.probe,
        started,
      ),
    );
  }
  const ssoList = await management.listSsoConnectors().catch(withoutSso(options.log));
  const ssoConnectors = auditedSsoConnectors(ssoList);
  rememberSecrets(...ssoConnectors.map((connector) => connector.config));
  for (const connector of ssoConnectors) {
    options.log?.(`enterprise SSO ${connector.name}${options.probe ? ': probing its IdP' : ''}`);
    const started = performance.now();
    const findings = ssoFindings(connector);
    if (options.probe) findings.push(...(await probeSso(connector)));
    results.push(
      resultFor(
        `${connector.name} (enterprise SSO, OIDC)`,
        `${base}/api/sso-connectors/${connector.id}`,
        findings,
        options.probe,
        started,
      ),
    );
  }
  return { connectors, ssoConnectors, results };
}

/** A connector judged as a scenario is: its findings are its checks; its file, where the Management API serves it. */
function resultFor(
  name: string,
  file: string,
  findings: CheckResult[],
  probed: boolean,
  startedAt: number,
): ScenarioResult {
  const checks =
    findings.length > 0
      ? findings
      : [
          {
            id: 'audit',
            title: 'Audit',
            status: 'pass' as const,
            message: `no known trap in the stored config${probed ? ', and the IdP answered the probe as the config expects' : ''}`,
          },
        ];
  return scenarioResult({
    scenario: { name, file, knownBad: false, expect: {} },
    target: 'audit',
    observed: { checks },
    startedAt,
  });
}
