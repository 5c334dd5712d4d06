import { providers } from './catalog.ts';

/** The provider table as plain text: one block per provider, readable in an 100-column terminal. Pure. */
export function renderProviderList(): string {
  const width = Math.max(...providers.map((provider) => provider.id.length)) + 2;
  const pad = ' '.repeat(width);
  const lines: string[] = [];
  for (const provider of providers) {
    const verdict =
      provider.generic === 'yes'
        ? `generic ${provider.connector === 'oidc' ? 'OIDC' : 'OAuth2'} connector works`
        : `generic connectors cannot work → Logto's ${provider.dedicated ?? 'dedicated'} connector`;
    lines.push(`${provider.id.padEnd(width)}${provider.name}: ${verdict}`);
    lines.push(`${pad}config: ${provider.essentials}`);
    for (const trap of provider.traps) lines.push(`${pad}trap:   ${trap}`);
  }
  lines.push('', `${providers.length} providers. Start one with: connector-harness init <provider>`);
  return lines.join('\n');
}
