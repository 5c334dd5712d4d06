import type { Fixture } from '../../mock-idp/fixture/schema.ts';

/**
 * What a fixture says about its provider's answers, flattened to `path → shape` lines (types, not
 * values: placeholders differ between recordings, shapes do not). Pure.
 */
export type Shape = Record<string, string>;

function stringKind(value: string): string {
  if (value === 'true' || value === 'false') return 'string boolean';
  if (/^\d+$/.test(value)) return 'string of digits';
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return 'string (email)';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'string (URL)';
  return 'string';
}

/** Leaf path → type; arrays are `[]` (the union of their items' shapes). Pure. */
export function typeLeaves(value: unknown, prefix: string, into: Shape = {}): Shape {
  if (Array.isArray(value)) {
    if (value.length === 0) into[prefix] = 'empty array';
    for (const item of value) typeLeaves(item, `${prefix}[]`, into);
    return into;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) into[prefix] = 'empty object';
    for (const [key, item] of entries) typeLeaves(item, prefix ? `${prefix}.${key}` : key, into);
    return into;
  }
  const type = value === null ? 'null' : typeof value === 'string' ? stringKind(value) : typeof value;
  const seen = into[prefix];
  into[prefix] = seen && seen !== type ? [...new Set([...seen.split(' | '), type])].sort().join(' | ') : type;
  return into;
}

export function fixtureShape(fixture: Fixture): Shape {
  const shape: Shape = {};
  const client = fixture.clients[0];
  if (client) shape['token.client auth'] = client.tokenEndpointAuthMethod;
  const token = fixture.tokenResponse;
  shape['token.encoding'] = token.encoding;
  shape['token.expires_in'] = token.expiresIn;
  shape['token.token_type'] = JSON.stringify(token.tokenType);
  shape['token.id_token'] = token.idToken ? 'present' : 'absent';
  typeLeaves(token.extraFields, 'token.extra', shape);
  if (shape['token.extra'] === 'empty object') delete shape['token.extra'];
  shape['refresh.issue'] = fixture.refreshTokens.issue;
  shape['refresh.rotate'] = String(fixture.refreshTokens.rotate);
  shape['userinfo.path'] = fixture.userinfo.path;
  shape['userinfo.token from'] = fixture.userinfo.tokenFrom.join(', ');
  const override = fixture.userinfo.override;
  const user = fixture.users.find((candidate) => candidate.id === fixture.defaultUser) ?? fixture.users[0];
  if (override) {
    shape['userinfo.answer'] = `${override.status} ${override.contentType}`;
    if (override.headers) shape['userinfo.answer headers'] = headerNames(override.headers);
  } else if (user) {
    shape['userinfo.answer'] = '200 JSON object';
    typeLeaves(user.profile, 'userinfo.body', shape);
  }
  if (user?.claims) typeLeaves(user.claims, 'id_token.claims', shape);
  for (const [where, params] of Object.entries(fixture.requiredParams)) {
    for (const [name, value] of Object.entries(params))
      shape[`params.${where}.${name}`] = value === true ? 'any value' : JSON.stringify(value);
  }
  for (const fault of fixture.faults) {
    const answer = `${fault.endpoint}.error answer (call ${fault.nth ?? 'every'})`;
    if (fault.errorRedirect) {
      shape[answer] = `redirect back error=${fault.errorRedirect.error}`;
      continue;
    }
    const error = errorCodeOf(fault);
    const code = error !== undefined ? ` error=${error}` : typeof fault.body === 'string' ? ' text body' : '';
    shape[answer] = `${fault.status ?? 'delay'}${code}`;
    if (fault.headers) shape[`${answer} headers`] = headerNames(fault.headers);
  }
  return shape;
}

/** The error code a fault's body carries: a JSON object's, or a form's (a string body typed form-encoded, as GitHub's). */
function errorCodeOf(fault: Fixture['faults'][number]): string | undefined {
  if (fault.body && typeof fault.body === 'object')
    return typeof fault.body.error === 'string' ? fault.body.error : undefined;
  const type = Object.entries(fault.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return typeof fault.body === 'string' && type?.includes('x-www-form-urlencoded')
    ? (new URLSearchParams(fault.body).get('error') ?? undefined)
    : undefined;
}

// Which headers, not their values: a challenge's realm or description is no change of shape.
const headerNames = (headers: Record<string, string>) =>
  Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort()
    .join(', ');

export interface ShapeChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

/** The stored recording's shape against the new one. Pure. */
export function diffShapes(before: Shape, after: Shape): ShapeChange[] {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return paths.flatMap((path): ShapeChange[] => {
    const old = before[path];
    const now = after[path];
    if (old === now) return [];
    if (old === undefined) return [{ path, kind: 'added', after: now! }];
    if (now === undefined) return [{ path, kind: 'removed', before: old }];
    return [{ path, kind: 'changed', before: old, after: now }];
  });
}

export function describeChange(change: ShapeChange): string {
  if (change.kind === 'added') return `+ ${change.path}: ${change.after} (new)`;
  if (change.kind === 'removed') return `- ${change.path}: ${change.before} (gone)`;
  return `~ ${change.path}: ${change.before} → ${change.after}`;
}
