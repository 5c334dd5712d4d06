import { getSafe } from '@silverhand/essentials';
import { effectiveProfileMap } from '../connectors/profile-map.ts';
import type { CheckResult, ProfileField } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';
import { leafPaths, nearestPath } from './leaf-paths.ts';

const FIELDS: ProfileField[] = ['id', 'name', 'avatar', 'email', 'phone'];

const describe = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

/** The userinfo JSON the connector read: from its result, else (it threw) from the IdP's journal. */
function rawUserinfo(observation: Observation): Record<string, unknown> | undefined {
  const fromConnector = observation.userInfo?.rawData;
  if (fromConnector && typeof fromConnector === 'object') return fromConnector as Record<string, unknown>;
  const answer = journalViews(observation).userinfo?.response;
  // An error body (a 403 JSON) is not a profile: the userinfo check reports it.
  if (!answer || answer.status >= 300) return undefined;
  const body = answer.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/**
 * profileMap, field by field, as the OAuth2 connector reads it: a dot path through the userinfo
 * JSON; falsy values dropped; id required (numbers become strings); any other non-string fails
 * the whole sign-in.
 */
export function checkProfileMap(observation: Observation): CheckResult[] {
  if (observation.scenario.connector !== 'oauth2') return checkOidcProfile(observation);
  const raw = rawUserinfo(observation);
  if (!raw) return [];
  const configured = (observation.config.profileMap as Record<string, string> | undefined) ?? {};
  const profileMap = effectiveProfileMap(configured);
  const expected = observation.scenario.expect.profile ?? {};
  const results: CheckResult[] = [];
  for (const field of FIELDS) {
    const path = profileMap[field];
    const value: unknown = getSafe(raw, path);
    const mapped = observation.userInfo?.[field];
    const want = expected[field];
    const id = `profile.${field}`;
    const title = `profileMap.${field} ← ${path}`;
    const evidence = {
      path,
      valueAtPath: value,
      mapped,
      ...(want !== undefined ? { expected: want } : {}),
      rawUserinfo: raw,
    };
    if (
      value !== undefined &&
      value !== null &&
      value !== '' &&
      value !== 0 &&
      value !== false &&
      typeof value !== 'string' &&
      !(field === 'id' && typeof value === 'number')
    ) {
      results.push({
        id,
        title,
        status: 'fail',
        message:
          `${path} holds ${describe(value)} (${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`})` +
          `; the connector requires a string and fails the whole sign-in (connector.invalid_response)`,
        evidence,
        hint: suggestLeaf(path, value),
      });
      continue;
    }
    if (!value) {
      const falsy = value !== undefined;
      const nearest = falsy ? undefined : nearestPath(raw, path, typeof want === 'string' ? want : undefined);
      const required = field === 'id';
      const wanted = typeof want === 'string';
      // A path the admin wrote that reads nothing is worth a warning; a default path the IdP lacks is not.
      const status =
        required || wanted ? 'fail' : want === null || (!falsy && !nearest && !(field in configured)) ? 'pass' : 'warn';
      const message = falsy
        ? `${path} holds ${describe(value)}: the connector drops falsy values, so Logto gets no ${field}${required ? ' and the sign-in fails' : ''}`
        : `${path} is not in the userinfo response${required ? ': the sign-in fails (id is required)' : `: Logto gets no ${field}`}`;
      const dotted = falsy ? undefined : dottedKey(raw, path);
      const scopeMissing = falsy || nearest ? undefined : scopeHint(observation, field);
      const hint = dotted
        ? `the userinfo has a key "${dotted}" with a dot in its name: the connector splits paths on dots,` +
          ` so no profileMap path can reach it (ask the IdP for another claim name)`
        : nearest
          ? `did you mean "${field}": "${nearest}"? (found ${describe(getSafe(raw, nearest))} there)`
          : scopeMissing
            ? scopeMissing
            : !falsy && field in configured
              ? `nothing in the userinfo response looks like it;` +
                ` IdPs with field selection return only what the request names (Facebook ?fields=…, Patreon ?fields[user]=…):` +
                ` add the field to userInfoEndpoint's query if the IdP has it`
              : undefined;
      results.push({ id, title, status, message, evidence, ...(hint ? { hint } : {}) });
      continue;
    }
    const got = String(value);
    if (want === null) {
      results.push({ id, title, status: 'fail', message: `expected no ${field}, got ${describe(got)}`, evidence });
    } else if (typeof want === 'string' && want !== got) {
      results.push({
        id,
        title,
        status: 'fail',
        message: `expected ${describe(want)}, got ${describe(got)}`,
        evidence,
        ...hintFor(raw, path, want),
      });
    } else {
      results.push({ id, title, status: 'pass', message: `${describe(got)}`, evidence: { path, mapped } });
    }
  }
  return results;
}

// The OpenID Connect scope that carries each profile field's standard claims (OIDC Core §5.4).
const SCOPE_OF: Partial<Record<string, string>> = {
  name: 'profile',
  avatar: 'profile',
  email: 'email',
  phone: 'phone',
};

/** A missing field whose scope was not asked for, or asked and not granted: the scope to add, or the grant to check. */
function scopeHint(observation: Observation, field: string): string | undefined {
  const scope = SCOPE_OF[field];
  if (!scope) return undefined;
  // What the connector asks for: the config's scope as written (the OIDC connector adds openid).
  const configured = typeof observation.config.scope === 'string' ? observation.config.scope.trim() : '';
  const asked = [
    ...configured.split(/[ +]/).filter(Boolean),
    ...(observation.scenario.connector === 'oidc' ? ['openid'] : []),
  ];
  // Only an OpenID Connect request names its claims by these scopes; a plain OAuth 2.0 API has its own.
  if (!asked.includes('openid')) return undefined;
  if (!asked.includes(scope))
    return (
      `${field} comes with the "${scope}" scope, which the authorize request did not ask for:` +
      ` set "scope": "${[configured, scope].filter(Boolean).join(' ')}"`
    );
  const granted = observation.tokenResponse?.scope;
  if (typeof granted === 'string' && !granted.split(' ').includes(scope))
    return (
      `the "${scope}" scope that carries ${field} was asked for but not granted (the token answer's scope is "${granted}"):` +
      ` allow it for this client at the IdP`
    );
  return undefined;
}

/** A key holding dots (`https://example.com/email`, `urn:x.email`) whose joined leaf path equals the missed path. Pure. */
function dottedKey(raw: unknown, missed: string): string | undefined {
  const leaf = leafPaths(raw).find((candidate) => candidate.path === missed);
  if (!leaf) return undefined;
  let node: unknown = raw;
  for (const key of Object.keys(raw as object)) {
    if (missed === key || missed.startsWith(`${key}.`)) {
      if (key.includes('.')) return key;
      node = (node as Record<string, unknown>)[key];
      const rest = missed.slice(key.length + 1);
      return rest ? dottedKey(node, rest) : undefined;
    }
  }
  return undefined;
}

function hintFor(raw: unknown, path: string, want: string): { hint?: string } {
  const nearest = nearestPath(raw, path, want);
  return nearest && nearest !== path ? { hint: `the expected value is at "${nearest}"` } : {};
}

function suggestLeaf(path: string, value: unknown): string {
  if (value && typeof value === 'object') {
    const inside = leafPaths(value).find((leaf) => typeof leaf.value === 'string' && leaf.value !== '');
    if (inside)
      return `point the path at a string inside it, e.g. "${path}.${inside.path}" (${JSON.stringify(inside.value)})`;
  }
  return `point the path at a string; what Logto can use must be text${typeof value === 'number' ? ' (only id accepts numbers)' : ''}`;
}

/** The OIDC connector maps fixed claims; compare what Logto gets with the expectations. */
function checkOidcProfile(observation: Observation): CheckResult[] {
  const expected = observation.scenario.expect.profile;
  if (!expected || !observation.userInfo) return [];
  return FIELDS.filter((field) => expected[field] !== undefined).map((field): CheckResult => {
    const want = expected[field];
    const got = observation.userInfo?.[field];
    const id = `profile.${field}`;
    const title = `${field} (from the id_token)`;
    const ok = want === null ? got === undefined : got === want;
    return {
      id,
      title,
      status: ok ? 'pass' : 'fail',
      message: ok ? describe(got) : `expected ${describe(want)}, got ${describe(got)}`,
      evidence: { mapped: got, claims: observation.userInfo?.rawData },
    };
  });
}
