import type { ConnectorKind } from '../connectors/load.ts';
import { isRecord } from '../../lib/is-record.ts';

/** One connector as a tenant stores it: what the audit judges, read once, then trusted. */
export interface AuditedConnector {
  /** The connector instance id (GET /api/connectors/{id}). */
  id: string;
  kind: ConnectorKind;
  target: string;
  name: string;
  /** The config exactly as stored (Logto drops empty values on save; nothing is defaulted here). */
  config: Record<string, unknown>;
  syncProfile: boolean;
  enableTokenStorage: boolean;
}

const KINDS = new Set<string>(['oauth2', 'oidc']);

/**
 * The social connectors built on the generic `oauth2` / `oidc` factories, out of the list
 * GET /api/connectors returned; the others (dedicated connectors, email, SMS) are not ours to judge.
 */
export function auditedConnectors(list: readonly unknown[]): AuditedConnector[] {
  return list.filter(isRecord).flatMap((item): AuditedConnector[] => {
    const kind = typeof item.connectorId === 'string' ? item.connectorId : '';
    if (!KINDS.has(kind) || typeof item.id !== 'string') return [];
    const metadata = isRecord(item.metadata) ? item.metadata : {};
    const names = isRecord(metadata.name) ? metadata.name : {};
    const target = typeof metadata.target === 'string' ? metadata.target : item.id;
    const name =
      typeof names.en === 'string'
        ? names.en
        : (Object.values(names).find((value): value is string => typeof value === 'string') ?? target);
    return [
      {
        id: item.id,
        kind: kind as ConnectorKind,
        target,
        name,
        config: isRecord(item.config) ? item.config : {},
        syncProfile: item.syncProfile === true,
        enableTokenStorage: item.enableTokenStorage === true,
      },
    ];
  });
}
