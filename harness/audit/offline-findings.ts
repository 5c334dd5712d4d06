import { auditFindings } from './rules.ts';
import { knownProvider, providerFindings } from './provider-rules.ts';
import type { ConnectorSource } from '../connectors/load.ts';
import type { CheckResult, Scenario } from '../model.ts';
import { findProvider } from '../providers/catalog.ts';
import { storedConfig } from '../stored-config.ts';
import { configProblems } from '../scenario/config-guard.ts';

/**
 * Every rule `audit` applies to a stored config, applied to a scenario's config without running it
 * and without a tenant: the connector's own guard, the generic traps, the config's fields and scope,
 * and, when its endpoints were a known provider's, that provider's rules.
 */
export async function offlineFindings(scenario: Scenario, source: ConnectorSource): Promise<CheckResult[]> {
  const connector = {
    id: '',
    kind: scenario.connector,
    target: '',
    name: scenario.name,
    config: storedConfig(scenario.config),
    syncProfile: scenario.syncProfile,
    enableTokenStorage: scenario.enableTokenStorage,
  };
  const entry = scenario.provider ? findProvider(scenario.provider) : undefined;
  const known = entry ? await knownProvider(entry, source.projectRoot, scenario.connector) : undefined;
  return auditFindings(
    connector,
    await configProblems(scenario, source),
    known ? providerFindings(connector, known) : [],
  );
}
