import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { isSecretKey } from '../../lib/mask.ts';
import { LIMITS, megabytes } from '../../lib/structured-file.ts';
import { UserError } from '../../lib/user-error.ts';
import { ensureWritableFolder } from '../../lib/writable-folder.ts';
import { pathOf, starterFixture } from '../scenario/starter-fixture.ts';
import type { AuditedConnector } from './connector.ts';

/** The environment variable an exported scenario reads a secret from: HARNESS_<TARGET>_<FIELD>. */
export const secretVariable = (connector: AuditedConnector, field: string): string =>
  `HARNESS_${`${connector.target}_${field}`
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()}`;

/**
 * A scenario that runs the connector as the tenant stores it against a starter fixture of its IdP:
 * the client as the config authenticates, the token body as the config can read it (a form body
 * the query-string default reads only without expires_in, which decodes to a string), a user whose
 * userinfo has a value at every profileMap path, customConfig as required parameters. Secrets are
 * environment references. Pure.
 */
export function exportScenario(
  connector: AuditedConnector,
  endpoint: string,
): { variables: string[]; document: Record<string, unknown> } {
  const variables = new Set<string>();
  const secretRef = (field: string) => {
    const name = secretVariable(connector, field);
    variables.add(name);
    return `\${env:${name}}`;
  };
  const original = connector.config;
  // Every value under a secret-like name (masking's rule), at any depth: clientSecret, customConfig.partner_key.
  const referenced = (value: unknown, at: string[]): unknown => {
    if (typeof value === 'string' && at.length > 0 && isSecretKey(at.at(-1)!)) return secretRef(at.join('_'));
    if (Array.isArray(value)) return value.map((item, index) => referenced(item, [...at, String(index)]));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, referenced(item, [...at, key])]));
    return value;
  };
  const config: Record<string, unknown> = {
    ...(referenced(original, []) as Record<string, unknown>),
    authorizationEndpoint: '{{issuer}}/authorize',
    tokenEndpoint: '{{issuer}}/token',
  };
  if (connector.kind === 'oauth2') {
    // A malformed endpoint is the audit's finding; the fixture keeps the default path.
    config.userInfoEndpoint = `{{issuer}}${pathOf(original.userInfoEndpoint, '/userinfo')}`;
  } else {
    config.idTokenVerificationConfig = {
      ...(original.idTokenVerificationConfig as Record<string, unknown>),
      jwksUri: '{{issuer}}/jwks',
      ...((original.idTokenVerificationConfig as Record<string, unknown> | undefined)?.issuer
        ? { issuer: '{{issuer}}' }
        : {}),
    };
  }

  const fixture = starterFixture(connector.kind, original, {
    name: connector.name,
    clientSecret: secretRef('clientSecret'),
  });
  // What identifies the connector and what it runs with; the rest of the API object (form items, logos) is noise here.
  const connectorObject = {
    id: connector.id,
    connectorId: connector.kind,
    metadata: { target: connector.target, name: { en: connector.name } },
    syncProfile: connector.syncProfile,
    enableTokenStorage: connector.enableTokenStorage,
    config,
  };
  const document = {
    name: `${connector.name} (${connector.target})`,
    description:
      `exported by \`connector-harness audit --export\` from ${endpoint}, connector ${connector.id};` +
      ` endpoints point at a starter fixture (originals: ${String(original.authorizationEndpoint)}, ${String(original.tokenEndpoint)}` +
      `${original.userInfoEndpoint ? `, ${String(original.userInfoEndpoint)}` : ''}); secrets come from the environment`,
    connectorObject,
    idp: { fixture },
  };
  return { variables: [...variables], document };
}

/**
 * Each connector as a scenario file in `dir`. Nothing is written when one of them would be larger than `run` reads
 * (a stored config can hold anything): the export is refused as bad input, naming the connector.
 */
export async function writeExports(
  connectors: AuditedConnector[],
  endpoint: string,
  dir: string,
): Promise<Array<{ file: string; variables: string[] }>> {
  await ensureWritableFolder(dir, '--export');
  const exports = connectors.map((connector) => {
    const { variables, document } = exportScenario(connector, endpoint);
    const file = path.join(dir, `${connector.target.replace(/[^A-Za-z0-9._-]+/g, '-')}.yaml`);
    const header = `# ${document.name}\n# Needs: ${variables.map((name) => `${name}=…`).join(' ') || 'nothing'}\n`;
    const text = `${header}${stringify(document, { lineWidth: 0 })}`;
    const bytes = Buffer.byteLength(text);
    if (bytes > LIMITS.bytes) {
      throw new UserError({
        file,
        field: '--export',
        message:
          `connector ${connector.id} (${connector.target}) would be exported as ${megabytes(bytes)}, larger than the ` +
          `${LIMITS.bytes / 1024 / 1024} MB limit for scenario files that run refuses past: nothing was exported; ` +
          `check its stored config (GET /api/connectors/${connector.id})`,
      });
    }
    return { file, variables, text };
  });
  for (const { file, text } of exports) await writeFile(file, text);
  return exports.map(({ file, variables }) => ({ file, variables }));
}
