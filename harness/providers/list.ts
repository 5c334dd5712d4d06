import type { FactTally } from './facts.ts';
import { providers, type ProviderEntry } from './catalog.ts';

const verdictOf = (provider: ProviderEntry): string =>
  provider.generic === 'yes'
    ? `generic ${provider.connector === 'oidc' ? 'OIDC' : 'OAuth2'} connector works`
    : `generic connectors cannot work → ${provider.dedicated ? `Logto's ${provider.dedicated} connector` : 'a custom connector (Logto has no dedicated one)'}`;

const factsLine = (tally: FactTally | undefined): string =>
  tally ? `${tally.cited} of ${tally.cited + tally.unverified} cited, ${tally.unverified} unverified` : 'none recorded';

/** The provider table as plain text: one block per provider, readable in an 100-column terminal. Pure. */
export function renderProviderList(facts: ReadonlyMap<string, FactTally>): string {
  const width = Math.max(...providers.map((provider) => provider.id.length)) + 2;
  const pad = ' '.repeat(width);
  const lines: string[] = [];
  for (const provider of providers) {
    lines.push(`${provider.id.padEnd(width)}${provider.name}: ${verdictOf(provider)}`);
    if (provider.caveat) lines.push(`${pad}note:   ${provider.caveat}`);
    lines.push(`${pad}config: ${provider.essentials}`);
    for (const trap of provider.traps) lines.push(`${pad}trap:   ${trap}`);
    if (provider.unverifiedEmail) lines.push(`${pad}email:  ${provider.unverifiedEmail}`);
    if (provider.identityKey) lines.push(`${pad}id:     ${provider.identityKey}`);
    lines.push(`${pad}facts:  ${factsLine(facts.get(provider.id))}`);
  }
  const tallies = [...facts.values()];
  const cited = tallies.reduce((sum, tally) => sum + tally.cited, 0);
  const all = tallies.reduce((sum, tally) => sum + tally.cited + tally.unverified, 0);
  lines.push(
    '',
    `${providers.length} providers, ${cited} of ${all} facts cited (each in fixtures/scenarios/providers/<id>/idp/facts.yaml).`,
    'Start one with: connector-harness init <provider>',
  );
  return lines.join('\n');
}

/** The same table for tools (`list-providers --json`): one object per provider. Pure. */
export function providerListJson(facts: ReadonlyMap<string, FactTally>): unknown[] {
  return providers.map((provider) => ({
    id: provider.id,
    name: provider.name,
    generic: provider.generic === 'yes' ? provider.connector : false,
    ...(provider.caveat ? { caveat: provider.caveat } : {}),
    dedicated: provider.dedicated ?? null,
    essentials: provider.essentials,
    traps: provider.traps,
    unverifiedEmail: provider.unverifiedEmail ?? null,
    identityKey: provider.identityKey ?? null,
    hosts: provider.hosts,
    facts: facts.get(provider.id) ?? { cited: 0, unverified: 0 },
  }));
}
