import { MAX_DEPTH, nestedDeeperThan } from './json-depth.ts';

/** What the login page's "sign in as anyone" form sent, checked: an account id and its claims. */
export type FreeFormSignIn =
  { ok: true; id: string; claims: Record<string, unknown> } | { ok: false; problem: string; field: 'id' | 'claims' };

const MAX_ID_LENGTH = 255;
// Control characters would reach a sub, a log line and an HTML attribute as they are.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

/**
 * The form's `id` and `claims` (JSON text): the id becomes `sub`, the claims what userinfo answers
 * and the id_token carries. Every refusal is a sentence for the page, naming the field.
 */
export function parseFreeFormSignIn(form: { id?: string; claims?: string }): FreeFormSignIn {
  const id = (form.id ?? '').trim();
  if (!id)
    return { ok: false, field: 'id', problem: 'the user id is empty: type the id to sign in as (it becomes sub)' };
  if (id.length > MAX_ID_LENGTH)
    return { ok: false, field: 'id', problem: `the user id is ${id.length} characters long; ${MAX_ID_LENGTH} at most` };
  if (CONTROL.test(id))
    return { ok: false, field: 'id', problem: 'the user id holds a control character (a tab or line break?)' };

  const text = (form.claims ?? '').trim();
  let claims: unknown = {};
  if (text) {
    try {
      claims = JSON.parse(text);
    } catch (error) {
      return {
        ok: false,
        field: 'claims',
        problem: `the claims are not JSON: ${(error as Error).message}. Type a JSON object, e.g. {"email": "ada@example.com"}`,
      };
    }
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
    return {
      ok: false,
      field: 'claims',
      problem: `the claims are ${kindOf(claims)}, not a JSON object; type one, e.g. {"email": "ada@example.com"}`,
    };
  if (nestedDeeperThan(claims, MAX_DEPTH))
    return { ok: false, field: 'claims', problem: `the claims are nested more than ${MAX_DEPTH} levels deep` };
  const { sub } = claims as { sub?: unknown };
  if (sub !== undefined && sub !== id)
    return {
      ok: false,
      field: 'claims',
      problem: `the claims say sub ${JSON.stringify(sub).slice(0, 80)} but the user id is "${id}": the id is the sub; leave sub out or make them equal`,
    };
  return { ok: true, id, claims: claims as Record<string, unknown> };
}
