import path from 'node:path';
import type { CheckResult } from '../model.ts';
import { PROVIDERS_DIR, providerForEndpoints, type ProviderEntry } from '../providers/catalog.ts';
import { loadScenario } from '../scenario/load.ts';
import type { AuditedConnector } from './connector.ts';

/** A known provider, and the config its library scenario proves works (as Logto stores it: no defaults). */
export interface KnownProvider {
  provider: ProviderEntry;
  kind: 'oauth2' | 'oidc';
  config: Record<string, unknown>;
}

/** The library entry whose hosts serve the connector's endpoints, with its working config; undefined for any other IdP. */
export async function knownProviderOf(
  connector: AuditedConnector,
  projectRoot: string,
): Promise<KnownProvider | undefined> {
  const provider = providerForEndpoints(connector.config.authorizationEndpoint, connector.config.tokenEndpoint);
  return provider ? knownProvider(provider, projectRoot, connector.kind) : undefined;
}

/** A library entry with the config its scenario proves works: for `kind`, when the provider has one for both. */
export async function knownProvider(
  provider: ProviderEntry,
  projectRoot: string,
  kind?: 'oauth2' | 'oidc',
): Promise<KnownProvider> {
  const load = async (file: string) => {
    const scenario = await loadScenario(path.join(projectRoot, PROVIDERS_DIR, provider.id, file));
    return { provider, kind: scenario.connector, config: scenario.config };
  };
  const starter = await load(provider.starter);
  return kind && starter.kind !== kind && provider.alternative ? load(provider.alternative) : starter;
}

// Where the connectors' own defaults apply when a field is not stored.
const DEFAULTS: Record<string, unknown> = {
  tokenEndpointResponseType: 'query-string',
  tokenEndpointAuthMethod: 'client_secret_post',
  acceptStringTypedBooleanClaims: false,
};
const FIELDS: Record<'oauth2' | 'oidc', string[]> = {
  oauth2: ['tokenEndpointResponseType', 'tokenEndpointAuthMethod', 'profileMap.id'],
  oidc: ['tokenEndpointAuthMethod', 'acceptStringTypedBooleanClaims'],
};

const valueAt = (config: Record<string, unknown>, field: string): unknown => {
  const value = field
    .split('.')
    .reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      config,
    );
  return value ?? (field === 'profileMap.id' ? 'id' : DEFAULTS[field]);
};

/**
 * What holds whatever the config: an email the generic connector keeps where the dedicated one would
 * refuse it as unverified, and an id that changes on moving to the dedicated connector. Pure.
 */
function crossCutting(connector: AuditedConnector, provider: ProviderEntry): CheckResult[] {
  const findings: CheckResult[] = [];
  const mapsEmail = Boolean(valueAt(connector.config, 'profileMap.email'));
  if (provider.unverifiedEmail && connector.kind === 'oauth2' && mapsEmail)
    findings.push({
      id: `provider.${provider.id}.unverified-email`,
      title: `${provider.name}: unverified email`,
      status: 'warn',
      message: `${provider.unverifiedEmail}. Logto treats a social email as verified when it links accounts`,
      hint: `leave email out of profileMap, or use Logto's ${provider.dedicated ?? 'dedicated'} connector`,
    });
  if (provider.identityKey)
    findings.push({
      id: `provider.${provider.id}.identity-key`,
      title: `${provider.name}: user id on moving to the dedicated connector`,
      status: 'warn',
      message: provider.identityKey,
      hint:
        `before switching to Logto's ${provider.dedicated ?? 'dedicated'} connector, plan ` +
        `how existing users keep their identity (Logto keys them by connector target + id)`,
    });
  return findings;
}

/** The stored config against what works for its provider (the provider library). Pure. */
export function providerFindings(connector: AuditedConnector, known: KnownProvider): CheckResult[] {
  return [...configFindings(connector, known), ...crossCutting(connector, known.provider)];
}

function configFindings(connector: AuditedConnector, known: KnownProvider): CheckResult[] {
  const { provider } = known;
  const init = `connector-harness init ${provider.id}`;
  if (provider.generic === 'no') {
    return [
      {
        id: `provider.${provider.id}`,
        title: `${provider.name}: generic connector`,
        status: 'fail',
        message: provider.caveat
          ? `Logto's generic connectors cannot work with ${provider.name}: ${provider.caveat} (${provider.essentials})`
          : `Logto's generic connectors cannot work with ${provider.name} whatever the config (${provider.essentials})`,
        hint: `use Logto's ${provider.dedicated ?? 'dedicated'} connector; \`${init}\` shows the scenario that proves it`,
      },
    ];
  }
  if (known.kind !== connector.kind) {
    return [
      {
        id: `provider.${provider.id}.connector`,
        title: `${provider.name}: connector`,
        status: 'fail',
        message: `this is the ${connector.kind} connector; what works for ${provider.name} is the ${known.kind} connector (${provider.essentials})`,
        hint: `create it from the ${known.kind === 'oidc' ? 'OIDC' : 'OAuth 2.0'} factory; \`${init}\` writes the config that works`,
      },
    ];
  }
  return FIELDS[connector.kind].flatMap((field): CheckResult[] => {
    const stored = valueAt(connector.config, field);
    const works = valueAt(known.config, field);
    if (JSON.stringify(stored) === JSON.stringify(works)) return [];
    return [
      {
        id: `provider.${provider.id}.${field}`,
        title: `${provider.name}: ${field}`,
        status: 'fail',
        message: `${field} is ${JSON.stringify(stored)}, but what works for ${provider.name} is ${JSON.stringify(works)} (${provider.essentials})`,
        evidence: { provider: provider.id, stored, works },
        hint: `set ${field} to ${JSON.stringify(works)}; \`${init}\` writes the whole config that works`,
      },
    ];
  });
}
