import { maskSecrets } from '../../lib/mask.ts';
import type { ConnectorSource } from '../connectors/load.ts';
import type { CheckResult, ScenarioResult } from '../model.ts';
import { guardProblems } from '../scenario/config-guard.ts';
import { ManagementClient } from '../targets/logto/management-client.ts';
import { auditedConnectors, type AuditedConnector } from './connector.ts';
import { probeConnector } from './probe.ts';
import { auditFindings, type GuardProblem } from './rules.ts';

export interface AuditOptions {
  endpoint: string;
  m2mAppId: string;
  m2mAppSecret: string;
  resource: string;
  /** Also contact each IdP: discovery, and a token request with an invalid code. */
  probe: boolean;
  source: ConnectorSource;
  /** Progress lines (one per connector). */
  log?: (line: string) => void;
}

export interface AuditReport {
  connectors: AuditedConnector[];
  /** One per connector, in the shape every reporter reads: a finding is a failed or warning check. */
  results: ScenarioResult[];
}

async function guardOf(connector: AuditedConnector, source: ConnectorSource): Promise<GuardProblem[]> {
  try {
    return await guardProblems(connector.kind, connector.config, source);
  } catch (error) {
    return [{ field: 'config', message: `the connector code could not even be constructed with it: ${(error as Error).message}` }];
  }
}

/**
 * Every OAuth2/OIDC social connector of a tenant, judged from its stored config (and with `probe`,
 * against its IdP). Read-only: the only Management API calls are GETs.
 */
export async function auditTenant(options: AuditOptions): Promise<AuditReport> {
  const management = new ManagementClient({ endpoint: options.endpoint, appId: options.m2mAppId, appSecret: options.m2mAppSecret, resource: options.resource });
  const connectors = auditedConnectors(await management.listConnectors());
  const results: ScenarioResult[] = [];
  for (const [index, connector] of connectors.entries()) {
    options.log?.(`[${index + 1}/${connectors.length}] ${connector.name} (${connector.target})${options.probe ? ': probing its IdP' : ''}`);
    const started = performance.now();
    const findings: CheckResult[] = auditFindings(connector, await guardOf(connector, options.source));
    if (options.probe) findings.push(...(await probeConnector(connector, options.source)));
    const checks = findings.length > 0 ? findings : [{ id: 'audit', title: 'Audit', status: 'pass' as const, message: `no known trap in the stored config${options.probe ? ', and the IdP answered the probe as the config expects' : ''}` }];
    results.push({
      name: `${connector.name} (${connector.target})`,
      file: `${options.endpoint.replace(/\/$/, '')}/api/connectors/${connector.id}`,
      target: 'audit',
      knownBad: false,
      status: findings.some((finding) => finding.status === 'fail') ? 'failed' : 'passed',
      checks: maskSecrets(checks),
      durationMs: Math.round(performance.now() - started),
    });
  }
  return { connectors, results };
}
