import path from 'node:path';
import { isRecord } from '../../lib/is-record.ts';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import { parseFixture } from '../../mock-idp/fixture/load.ts';
import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import type { Scenario } from './scenario.ts';
import { PROVIDERS_DIR, providerForEndpoints, type ProviderEntry } from '../providers/catalog.ts';
import { pointAtFixture } from './idp-endpoints.ts';
import { starterFixture } from './starter-fixture.ts';

/** The fixture a known provider's library scenario runs against, and where it is. */
export type ProviderFixture = (provider: ProviderEntry) => Promise<{ fixture: Fixture; source: string }>;

/** The client the config authenticates as, in the fixture's place: the fixture keeps how the IdP wants it sent. */
function withClientOf(fixture: Fixture, config: Record<string, unknown>): Fixture {
  const [first, ...rest] = fixture.clients;
  if (!first) return fixture;
  const client = {
    ...first,
    ...(typeof config.clientId === 'string' && config.clientId !== '' ? { clientId: config.clientId } : {}),
    ...(typeof config.clientSecret === 'string' && config.clientSecret !== ''
      ? { clientSecret: config.clientSecret }
      : {}),
  };
  return { ...fixture, clients: [client, ...rest] };
}

/**
 * A connector config as an admin has it (pasted from the Logto Console), or the connector object of
 * the Management API, as a scenario: against the provider library's model of its IdP when the
 * endpoints are a known provider's, else against a starter fixture built from the config. Its
 * endpoints point at that fixture, so nothing reaches the real provider. `notes` say what was done.
 */
export async function scenarioFromConfig(
  file: string,
  data: Record<string, unknown>,
  providerFixture: ProviderFixture,
): Promise<Scenario> {
  const object = isRecord(data.config) ? data : undefined;
  const config = (object?.config ?? data) as Record<string, unknown>;
  const declared = object?.connectorId === 'oidc' || object?.connectorId === 'oauth2' ? object.connectorId : undefined;
  const connector = declared ?? ('idTokenVerificationConfig' in config ? 'oidc' : 'oauth2');
  const provider = providerForEndpoints(config.authorizationEndpoint, config.tokenEndpoint);
  const name = `${path.basename(file)} (${object ? 'the connector object' : 'a connector config'})`;

  let fixture: Fixture;
  let source: string;
  let against: string;
  if (provider) {
    const model = await providerFixture(provider);
    fixture = withClientOf(model.fixture, config);
    source = model.source;
    against = `the provider library's model of ${provider.name} (${model.source}), with this config's client`;
  } else {
    fixture = parseFixture(
      starterFixture(connector, config, {
        name,
        clientSecret:
          typeof config.clientSecret === 'string' && config.clientSecret !== '' ? config.clientSecret : 'secret',
      }),
    );
    source = 'a starter fixture built from the config';
    against = `${source} (it proves the config is coherent, not that the IdP answers so: record the real IdP or write a fixture for that)`;
  }
  const pointed = pointAtFixture(config, fixture);
  const hosts = [...new Set(pointed.rewrites.map((rewrite) => new URL(rewrite.from).host))];
  return {
    file,
    line: 1,
    name,
    knownBad: false,
    connector,
    config: pointed.config,
    syncProfile: object?.syncProfile === true,
    enableTokenStorage: object?.enableTokenStorage === true,
    idp: { kind: 'fixture', fixture, source },
    expect: {},
    ...(provider ? { provider: provider.id } : {}),
    notes: [
      `${object ? 'a connector object' : 'a connector config'}, not a scenario: run as ${connector} against ${against}` +
        (hosts.length > 0 ? `; its endpoints point there, nothing is sent to ${hosts.join(', ')}` : ''),
    ],
  };
}

/** The provider library's fixture for a provider: the one its starter scenario names. */
export const libraryProviderFixture =
  (loadStarter: (file: string) => Promise<Scenario>): ProviderFixture =>
  async (provider) => {
    const starter = await loadStarter(path.join(PACKAGE_ROOT, PROVIDERS_DIR, provider.id, provider.starter));
    if (starter.idp.kind !== 'fixture') throw new Error(`the library scenario of ${provider.id} names no fixture`);
    return { fixture: starter.idp.fixture, source: starter.idp.source };
  };
