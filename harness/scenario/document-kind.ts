import { isRecord } from '../../lib/is-record.ts';

/**
 * What a YAML/JSON file given to `run`, `validate` or `list` is, judged by its top-level keys: a
 * scenario, a list of them, a connector config as an admin pastes it from the Logto Console, the
 * connector object `GET /api/connectors/{id}` returns, or a mock-idp fixture. Pure.
 */
export type DocumentKind = 'scenario' | 'scenario-list' | 'connector-config' | 'connector-object' | 'fixture' | 'other';

const CONFIG_KEYS = [
  'authorizationEndpoint',
  'tokenEndpoint',
  'userInfoEndpoint',
  'clientId',
  'clientSecret',
  'idTokenVerificationConfig',
  'tokenEndpointAuthMethod',
  'profileMap',
];
const SCENARIO_KEYS = ['name', 'idp', 'expect', 'knownBad', 'connectorObject'];
const FIXTURE_KEYS = ['clients', 'users', 'tokenResponse', 'defaultUser'];

/** A config key written in another case (`clientID`, `TokenEndpoint`) still says "connector config". */
const hasKey = (data: Record<string, unknown>, keys: string[]) => {
  const lower = new Set(Object.keys(data).map((key) => key.toLowerCase()));
  return keys.some((key) => lower.has(key.toLowerCase()));
};

export function documentKind(data: unknown): DocumentKind {
  if (!isRecord(data)) return 'other';
  if ('scenarios' in data) return 'scenario-list';
  if (SCENARIO_KEYS.some((key) => key in data)) return 'scenario';
  if (FIXTURE_KEYS.some((key) => key in data)) return 'fixture';
  if (isRecord(data.config) && ('connectorId' in data || 'metadata' in data)) return 'connector-object';
  if (hasKey(data, CONFIG_KEYS)) return 'connector-config';
  return 'other';
}
