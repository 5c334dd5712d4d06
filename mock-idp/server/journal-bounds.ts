/**
 * What keeps the journal of a long `serve` session in bounded memory, whatever clients send: an
 * approximate size for every entry, and a cut-down copy of the entries that are too large.
 * Sizes are approximate bytes: the characters of every string and member name (one byte each, as
 * V8 keeps ASCII), plus a fixed cost per value.
 */

/** All entries together; the oldest go first. */
export const JOURNAL_MAX_BYTES = 8 * 1024 * 1024;
/** One entry; larger ones are cut to about this size when recorded. */
export const ENTRY_MAX_BYTES = 16 * 1024;
const STRING_MAX_CHARS = 2000;
const NAME_MAX_CHARS = 200;
const MAX_DEPTH = 32;
const PER_VALUE_BYTES = 16;
// The fields of an entry that a client can make large, each with its share of ENTRY_MAX_BYTES;
// the others (path, errorDetail…) are strings of at most OTHER_FIELD_BYTES.
const SECTION_BYTES: Record<string, number> = { params: 4096, headers: 2048, clientAuth: 3072, response: 3584 };
const OTHER_FIELD_BYTES = 1024;
const MAX_CUTS_LISTED = 20;

export interface Size {
  bytes: number;
  /** Nested deeper than an entry may be (JSON.stringify of the journal would risk the stack). */
  tooDeep: boolean;
}

/** The approximate size of a value. On every request's path, so plain loops; depth is capped. */
export function measure(value: unknown): Size {
  const size: Size = { bytes: 0, tooDeep: false };
  add(value, 0, size);
  return size;
}

function add(value: unknown, depth: number, size: Size): void {
  size.bytes += PER_VALUE_BYTES;
  if (typeof value === 'string') {
    size.bytes += value.length;
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Buffer.isBuffer(value)) {
    size.bytes += value.length;
    return;
  }
  if ('pipe' in value) return;
  if (depth >= MAX_DEPTH) {
    size.tooDeep = true;
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) add(value[index], depth + 1, size);
    return;
  }
  for (const name in value) {
    size.bytes += name.length;
    add((value as Record<string, unknown>)[name], depth + 1, size);
  }
}

interface Budget {
  left: number;
  cuts: string[];
}

function cut(value: unknown, field: string, budget: Budget, depth: number): unknown {
  if (typeof value === 'string') {
    const keep = Math.max(0, Math.min(STRING_MAX_CHARS, budget.left - PER_VALUE_BYTES));
    budget.left -= PER_VALUE_BYTES + Math.min(value.length, keep);
    if (value.length <= keep) return value;
    budget.cuts.push(`${field}: ${value.length} characters, the first ${keep} kept`);
    return `${value.slice(0, keep)}…`;
  }
  if (value === null || typeof value !== 'object') {
    budget.left -= PER_VALUE_BYTES;
    return value;
  }
  if (depth >= MAX_DEPTH) {
    budget.cuts.push(`${field}: nested deeper than ${MAX_DEPTH} levels, left out`);
    return '(too deep)';
  }
  const members = Array.isArray(value)
    ? [...value.entries()].map(([index, item]) => [String(index), item] as const)
    : Object.entries(value);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  for (const [index, [name, member]] of members.entries()) {
    if (budget.left <= 0) {
      budget.cuts.push(
        `${field}: ${members.length} ${Array.isArray(value) ? 'items' : 'members'}, the first ${index} kept`,
      );
      break;
    }
    const shortName = name.length > NAME_MAX_CHARS ? `${name.slice(0, NAME_MAX_CHARS)}…` : name;
    if (shortName !== name)
      budget.cuts.push(`${field}: a member name of ${name.length} characters, the first ${NAME_MAX_CHARS} kept`);
    budget.left -= shortName.length;
    const path = Array.isArray(value) ? `${field}[${name}]` : `${field}.${shortName}`;
    if (Array.isArray(copy)) copy.push(cut(member, path, budget, depth + 1));
    else copy[shortName] = cut(member, path, budget, depth + 1);
  }
  return copy;
}

/**
 * A copy of an entry within ENTRY_MAX_BYTES: long strings cut, surplus members dropped, each cut
 * listed in `truncated` with the original size. Nothing of the original is referenced afterwards
 * (a slice of a string can keep the whole string alive), hence the JSON round trip.
 */
export function boundEntry<T extends object>(entry: T): T & { truncated?: string[] } {
  const cuts: string[] = [];
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(entry)) {
    copy[field] = cut(value, field, { left: SECTION_BYTES[field] ?? OTHER_FIELD_BYTES, cuts }, 0);
  }
  if (cuts.length > 0)
    copy.truncated =
      cuts.length > MAX_CUTS_LISTED
        ? [...cuts.slice(0, MAX_CUTS_LISTED), `and ${cuts.length - MAX_CUTS_LISTED} more cuts`]
        : cuts;
  return JSON.parse(JSON.stringify(copy)) as T & { truncated?: string[] };
}
