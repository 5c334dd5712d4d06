import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../lib/user-error.ts';

/** The connector object the factories return; only what the harness drives. */
export interface SocialConnector {
  getAuthorizationUri(
    payload: { state: string; redirectUri: string; connectorId: string; connectorFactoryId: string; jti: string; headers: Record<string, string> },
    setSession: (data: Record<string, unknown>) => Promise<void>,
  ): Promise<string>;
  getUserInfo(data: unknown, getSession: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>>;
  getTokenResponseAndUserInfo?(data: unknown, getSession: () => Promise<Record<string, unknown>>): Promise<{ tokenResponse: Record<string, unknown>; userInfo: Record<string, unknown> }>;
  getAccessTokenByRefreshToken?(refreshToken: string): Promise<Record<string, unknown>>;
}

export type ConnectorFactory = (options: { getConfig: (id: string) => Promise<unknown> }) => Promise<SocialConnector>;
export type ConnectorKind = 'oauth2' | 'oidc';

const PACKAGES: Record<ConnectorKind, string> = { oauth2: '@logto/connector-oauth', oidc: '@logto/connector-oidc' };

/** Where another installed version lives: `npm run harness -- install-connector <version>` puts it here. */
export const versionsRoot = (root: string) => path.join(root, '.connector-versions');

export interface ConnectorSource {
  /** A version installed under .connector-versions/<version>; absent = the project's pinned one. */
  version?: string;
  projectRoot: string;
}

const cache = new Map<string, Promise<ConnectorFactory>>();

/** Loads the published connector package (the code Logto runs), once per process. */
export function loadConnectorFactory(kind: ConnectorKind, source: ConnectorSource): Promise<ConnectorFactory> {
  const key = `${kind}@${source.version ?? 'pinned'}`;
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = importFactory(kind, source);
    cache.set(key, loaded);
  }
  return loaded;
}

async function importFactory(kind: ConnectorKind, { version, projectRoot }: ConnectorSource): Promise<ConnectorFactory> {
  const name = PACKAGES[kind];
  let base = projectRoot;
  if (version) {
    base = path.join(versionsRoot(projectRoot), version);
    if (!existsSync(path.join(base, 'node_modules', name))) {
      throw new UserError({
        field: '--connector-version',
        message: `${name}@${version} is not installed`,
        hint: `install it next to the pinned one: npm install --prefix ${path.relative(process.cwd(), base) || '.'} ${name}@${version}`,
      });
    }
  }
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

export function installedVersion(kind: ConnectorKind, source: ConnectorSource): string {
  const base = source.version ? path.join(versionsRoot(source.projectRoot), source.version) : source.projectRoot;
  try {
    return readPackage(base, PACKAGES[kind]).version;
  } catch {
    return 'unknown';
  }
}
