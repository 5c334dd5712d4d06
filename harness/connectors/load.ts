import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RUNS_FROM_SOURCES } from '../../lib/package-root.ts';
import { UserError } from '../../lib/user-error.ts';

/** The connector object the factories return; only what the harness drives. */
export interface SocialConnector {
  getAuthorizationUri(
    payload: {
      state: string;
      redirectUri: string;
      connectorId: string;
      connectorFactoryId: string;
      jti: string;
      headers: Record<string, string>;
    },
    setSession: (data: Record<string, unknown>) => Promise<void>,
  ): Promise<string>;
  getUserInfo(data: unknown, getSession: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>>;
  getTokenResponseAndUserInfo?(
    data: unknown,
    getSession: () => Promise<Record<string, unknown>>,
  ): Promise<{ tokenResponse: Record<string, unknown>; userInfo: Record<string, unknown> }>;
  getAccessTokenByRefreshToken?(refreshToken: string): Promise<Record<string, unknown>>;
}

export type ConnectorFactory = (options: { getConfig: (id: string) => Promise<unknown> }) => Promise<SocialConnector>;
export type ConnectorKind = 'oauth2' | 'oidc';

const PACKAGES: Record<ConnectorKind, string> = { oauth2: '@logto/connector-oauth', oidc: '@logto/connector-oidc' };

/**
 * Where `--connector-version <v>` looks: `npm install --prefix .connector-versions/<v> …` puts it there, in a
 * checkout beside the pinned ones; the installed package's folder is npm's, so there the user's current folder.
 */
export const versionsRoot = (root: string) =>
  path.join(RUNS_FROM_SOURCES ? root : process.cwd(), '.connector-versions');

export interface ConnectorSource {
  projectRoot: string;
  /** A version installed under .connector-versions/<version>; absent = the project's pinned one. */
  version?: string;
  /** An install prefix of the user's own (a folder with node_modules/@logto/connector-*); wins over version. */
  path?: string;
}

const cache = new Map<string, Promise<ConnectorFactory>>();

/**
 * The folder whose node_modules holds the connector package for this source. The pinned one is where Node
 * would resolve it from the project: its own node_modules in a checkout; for the installed package, usually
 * the user's node_modules, where npm hoists a dependency's dependencies.
 */
export function connectorBase(kind: ConnectorKind, source: ConnectorSource): string {
  if (source.path) return path.resolve(source.path);
  if (source.version) return path.join(versionsRoot(source.projectRoot), source.version);
  for (let folder = source.projectRoot; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'node_modules', PACKAGES[kind], 'package.json'))) return folder;
    if (path.dirname(folder) === folder) return source.projectRoot;
  }
}

/** Loads the published connector package (the code Logto runs), once per process. */
export function loadConnectorFactory(kind: ConnectorKind, source: ConnectorSource): Promise<ConnectorFactory> {
  const key = `${kind}@${connectorBase(kind, source)}`;
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = importFactory(kind, source);
    cache.set(key, loaded);
    // A failed load (not installed) must not stay cached as a rejection for a later, fixed call.
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

/** Fails with a UserError saying how to install it, when the package is not where the source points. */
export function assertInstalled(kind: ConnectorKind, source: ConnectorSource): void {
  const name = PACKAGES[kind];
  const base = connectorBase(kind, source);
  if (existsSync(path.join(base, 'node_modules', name, 'package.json'))) return;
  const relative = path.relative(process.cwd(), base);
  const prefix = relative.startsWith('..') ? base : relative || '.';
  if (source.path) {
    throw new UserError({
      field: '--connector-path',
      message: `${name} is not installed under ${path.join(prefix, 'node_modules')}`,
      hint: `--connector-path names an npm install prefix; fill it with: npm install --prefix ${prefix} ${name}@<version>`,
    });
  }
  if (source.version) {
    throw new UserError({
      field: '--connector-version',
      message: `${name}@${source.version} is not installed`,
      hint: `install it next to the pinned one: npm install --prefix ${prefix} ${name}@${source.version}`,
    });
  }
  throw new UserError({
    message: `${name} is not installed ${RUNS_FROM_SOURCES ? 'in this project' : 'beside logto-connector-harness'}`,
    hint: RUNS_FROM_SOURCES
      ? 'run npm ci (the project pins @logto/connector-oauth 1.7.8 and @logto/connector-oidc 1.7.5)'
      : 'reinstall logto-connector-harness (npm install): the connectors are its dependencies',
  });
}

async function importFactory(kind: ConnectorKind, source: ConnectorSource): Promise<ConnectorFactory> {
  assertInstalled(kind, source);
  const name = PACKAGES[kind];
  const base = connectorBase(kind, source);
  const entry = path.join(base, 'node_modules', name, packageEntry(readPackage(base, name)));
  const module = (await import(pathToFileURL(entry).href)) as { default: ConnectorFactory };
  return module.default;
}

interface PackageJson {
  version: string;
  exports?: string | Record<string, unknown>;
  module?: string;
  main?: string;
}

// The packages' `exports` hides package.json from resolution, so read it off the disk.
function readPackage(base: string, name: string): PackageJson {
  return JSON.parse(readFileSync(path.join(base, 'node_modules', name, 'package.json'), 'utf8')) as PackageJson;
}

function packageEntry(manifest: PackageJson): string {
  const { exports } = manifest;
  if (typeof exports === 'string') return exports;
  const root = exports?.['.'];
  if (typeof root === 'string') return root;
  if (root && typeof root === 'object' && 'import' in root && typeof root.import === 'string') return root.import;
  return manifest.module ?? manifest.main ?? 'index.js';
}

const versions = new Map<string, string>();

/** The version of the package that runs (read once per package: every scenario reports it). */
export function installedVersion(kind: ConnectorKind, source: ConnectorSource): string {
  const base = connectorBase(kind, source);
  const key = `${kind}@${base}`;
  let version = versions.get(key);
  if (version === undefined) {
    try {
      version = readPackage(base, PACKAGES[kind]).version;
    } catch {
      version = 'unknown';
    }
    versions.set(key, version);
  }
  return version;
}
