import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../lib/user-error.ts';
import { ensureWritableFolder } from '../../lib/writable-folder.ts';
import { nearest } from '../../lib/did-you-mean.ts';
import { findProvider, providers, PROVIDERS_DIR, type ProviderEntry } from './catalog.ts';

function header(provider: ProviderEntry, fixture: string): string {
  const verdict =
    provider.generic === 'yes'
      ? `Logto's generic ${provider.connector === 'oidc' ? 'OIDC' : 'OAuth 2.0'} connector works with ${provider.name}.`
      : `Logto's generic connectors CANNOT work with ${provider.name}: this scenario proves it (knownBad).` +
        `${provider.dedicated ? ` Use Logto's ${provider.dedicated} connector.` : ''}`;
  return [
    `# Starter scenario for ${provider.name}, written by \`connector-harness init ${provider.id}\`.`,
    `# ${verdict}`,
    `# Essentials: ${provider.essentials}`,
    ...provider.traps.map((trap) => `# Trap: ${trap}`),
    '#',
    `# As written it runs against the mock IdP that reproduces ${provider.name} (${fixture}):`,
    '#   connector-harness run <this file>',
    "# For Logto: copy `config` into the connector, with clientId and clientSecret replaced by your app's and each",
    '# "{{issuer}}/…" endpoint by the real URL in the comment beside it (keep {{issuer}} here to go on testing against',
    '# the mock; `--target logto` runs this file through a real Logto).',
    '',
  ].join('\n');
}

/**
 * Writes the provider's working scenario (or, when no generic config works, the one that proves
 * it) to `out`, its fixture path rewritten relative to where the file lands. Returns the path.
 */
const suggestion = (id: string) => {
  const meant = nearest(
    id,
    providers.map((entry) => entry.id),
  );
  return meant ? `: did you mean ${meant}?` : '';
};

export async function initProvider(
  id: string,
  out: string | undefined,
  options: { projectRoot: string; force?: boolean },
): Promise<string> {
  const provider = findProvider(id);
  if (!provider) {
    throw new UserError({
      field: 'provider',
      message: `no provider "${id}" in the library${suggestion(id)}`,
      hint: `pick one of: ${providers.map((entry) => entry.id).join(', ')} (connector-harness list-providers)`,
    });
  }
  const folder = path.join(options.projectRoot, PROVIDERS_DIR, provider.id);
  const target = path.resolve(out ?? `${provider.id}.scenario.yaml`);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory())
    throw new UserError({
      file: target,
      field: '--out',
      message: 'is a folder; --out names the scenario file to write',
      hint: `give a file name, e.g. --out ${path.join(out ?? '.', `${provider.id}.scenario.yaml`)}`,
    });
  if (existing && !options.force)
    throw new UserError({
      file: target,
      message: 'already exists',
      hint: 'pass --force to overwrite it, or --out another file',
    });
  const source = await readFile(path.join(folder, provider.starter), 'utf8');
  const fixtureLine = /^idp: \{ fixture: ([^ }]+) \}$/m;
  const match = fixtureLine.exec(source);
  if (!match?.[1]) throw new Error(`${provider.starter} of ${provider.id} has no "idp: { fixture: … }" line`);
  const fixture = path.join(folder, match[1]);
  const relative = path.relative(path.dirname(target), fixture).split(path.sep).join('/');
  const body = source.replace(
    fixtureLine,
    `idp: { fixture: ${relative.startsWith('.') ? relative : `./${relative}`} }`,
  );
  await ensureWritableFolder(path.dirname(target), '--out');
  try {
    await writeFile(target, `${header(provider, path.relative(options.projectRoot, fixture))}${body}`);
  } catch (error) {
    throw new UserError({
      file: target,
      field: '--out',
      message: `cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      hint: 'give a file in a folder you can write to (--out)',
    });
  }
  return target;
}
