import { rememberSecrets } from '../../lib/mask.ts';
import { readStructuredFile } from '../../lib/structured-file.ts';
import { UserError } from '../../lib/user-error.ts';
import { startMockIdp } from '../../mock-idp/index.ts';
import type { Expectation } from '../scenario/schema.ts';
import { loadScenario } from '../scenario/load.ts';
import { substituteIssuer } from '../substitute.ts';
import { isRecord } from '../../lib/is-record.ts';

/** What `record` needs to know about the real IdP and the connector, from a scenario or a bare config. */
export interface RecordInput {
  file: string;
  connector: 'oauth2' | 'oidc';
  /** Endpoints at the real IdP (absolute URLs). */
  config: Record<string, unknown>;
  enableTokenStorage: boolean;
  user?: string;
  expect: Expectation;
  /** Stops an IdP the input itself started (a scenario naming a mock-idp fixture). */
  stop?: () => Promise<void>;
}

function requireUrl(file: string, config: Record<string, unknown>, field: string, prefix: string): void {
  const value = config[field];
  let ok: boolean;
  try {
    ok = typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new UserError({
      file,
      field: `${prefix}${field}`,
      message: value === undefined ? "required: the real IdP's URL" : `not an http(s) URL: ${JSON.stringify(value)}`,
      hint: 'record talks to the real IdP: give its absolute endpoint URLs',
    });
}

/**
 * A scenario file (its IdP: a URL, or a mock-idp fixture started here), or a connector config as a
 * Logto admin writes it (or the whole connector object from the Management API).
 */
export async function loadRecordInput(
  file: string,
  overrides: { connector?: 'oauth2' | 'oidc'; user?: string; tokenStorage?: boolean },
): Promise<RecordInput> {
  const document = await readStructuredFile(file);
  // Masked in whatever is printed from here on, as `run` does: a mistake in the file, or an IdP's error, may quote them.
  rememberSecrets(document.data);
  const data = document.data;
  if (!isRecord(data))
    throw new UserError({
      file,
      message:
        'expected a connector config (an object with authorizationEndpoint, tokenEndpoint, …) or a scenario file',
      hint: 'see `connector-harness record --help`',
    });

  if ('idp' in data || 'name' in data) {
    const scenario = await loadScenario(file);
    let issuer: string;
    let stop: (() => Promise<void>) | undefined;
    if (scenario.idp.kind === 'url') {
      issuer = scenario.idp.url.replace(/\/$/, '');
    } else {
      const idp = await startMockIdp(scenario.idp.fixture, { port: 0 });
      issuer = idp.issuer;
      stop = () => idp.stop();
    }
    const config = substituteIssuer(scenario.config, issuer);
    return {
      file,
      connector: overrides.connector ?? scenario.connector,
      config,
      enableTokenStorage: overrides.tokenStorage || scenario.enableTokenStorage,
      ...((overrides.user ?? scenario.user) ? { user: overrides.user ?? scenario.user } : {}),
      expect: scenario.expect,
      ...(stop ? { stop } : {}),
    };
  }

  const objectForm = isRecord(data.config) ? data : undefined;
  const config = (objectForm?.config ?? data) as Record<string, unknown>;
  const prefix = objectForm ? 'config.' : '';
  const declared =
    objectForm?.connectorId === 'oidc' || objectForm?.connectorId === 'oauth2' ? objectForm.connectorId : undefined;
  const connector = overrides.connector ?? declared ?? ('idTokenVerificationConfig' in config ? 'oidc' : 'oauth2');
  requireUrl(file, config, 'authorizationEndpoint', prefix);
  requireUrl(file, config, 'tokenEndpoint', prefix);
  if (connector === 'oauth2') requireUrl(file, config, 'userInfoEndpoint', prefix);
  return {
    file,
    connector,
    config,
    enableTokenStorage: Boolean(overrides.tokenStorage || objectForm?.enableTokenStorage),
    ...(overrides.user ? { user: overrides.user } : {}),
    expect: {},
  };
}
