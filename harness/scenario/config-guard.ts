import type { ConnectorKind, ConnectorSource } from '../connectors/load.ts';
import { loadConnectorFactory } from '../connectors/load.ts';
import type { Scenario } from './scenario.ts';
import { storedConfig } from '../stored-config.ts';
import { substituteIssuer } from '../substitute.ts';

interface ZodLike {
  safeParse(
    value: unknown,
  ): { success: true } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/**
 * The scenario's config against the connector's own config guard, as Logto checks it when the
 * admin saves: each problem is a field and what is wrong (empty = the connector accepts it).
 */
export async function configProblems(
  scenario: Scenario,
  source: ConnectorSource,
): Promise<Array<{ field: string; message: string }>> {
  return guardProblems(
    scenario.connector,
    storedConfig(substituteIssuer(scenario.config, 'http://issuer.invalid')),
    source,
  );
}

/** A stored config (e.g. read from a tenant) against the connector's own config guard. */
export async function guardProblems(
  kind: ConnectorKind,
  config: Record<string, unknown>,
  source: ConnectorSource,
): Promise<Array<{ field: string; message: string }>> {
  const factory = await loadConnectorFactory(kind, source);
  const connector = (await factory({ getConfig: async () => config })) as unknown as { configGuard?: ZodLike };
  const result = connector.configGuard?.safeParse(config);
  if (!result || result.success) return [];
  return result.error.issues.map((issue) => ({
    field: ['config', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}
