import { isSecretKey } from '../../lib/mask.ts';
import { secretFormsReplacer } from '../../lib/secret-forms.ts';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const DIGITS = /^\d+$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;
const PHONE = /^\+?[\d\s().-]{7,}$/;
// Strings that carry a type quirk rather than a person: they are kept verbatim.
const KEPT_STRINGS = new Set(['true', 'false', 'null', '']);

// Names a replay reads a profile by (OIDC's standard claims, Logto's profile fields): never renamed.
const STANDARD_NAMES = [
  'sub',
  'id',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
  'avatar',
  'phone',
];
// A field name as code writes one; a URL key is a namespaced claim (Auth0's https://example.com/roles), a name too.
const PLAIN_FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// What a person's value inside a key looks like: words with a space or an @ (a name, an email), or an id with digits.
const looksPersonal = (value: string) => value.length >= 6 && /[\s@]|\d/.test(value);
const slug = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Personal values → placeholders of the same shape: numbers stay numbers (0 stays 0, integers stay
 * integers), strings stay strings of the same kind (an email stays email-shaped, digits stay
 * digits of the same length, a URL stays a URL), booleans, null and nesting are kept. Equal
 * values get equal placeholders, so `sub` and `id` holding the same value still do.
 *
 * Object keys are field names, kept, except where they hold a person (a team named after the user, accounts
 * keyed by email or id): a key equal to a value replaced gets that value's placeholder, a key holding one (its
 * words, in any case or separator) gets it in its place, and a key shaped like an email or a long number gets a
 * placeholder of its shape. The names a replay reads (profileMap's, the standard claims) are kept whatever they hold.
 */
export class Placeholders {
  readonly #memo = new Map<string, unknown>();
  /** Every original replaced (strings and numbers), for scrubbing free text and for tests. */
  readonly originals = new Set<string>();
  readonly #keep: Set<string>;
  readonly #keptDataKeys = new Set<string>();
  #next = 0;

  constructor(options: { keepKeys?: Iterable<string> } = {}) {
    this.#keep = new Set([...STANDARD_NAMES, ...(options.keepKeys ?? [])]);
  }

  /** How many keys that are no plain field name (`x-request-id`, `platform-team`) were kept as sent: a person may hide there. */
  get keptDataKeys(): number {
    return this.#keptDataKeys.size;
  }

  value(value: unknown, key = 'value'): unknown {
    // Values first: a key is compared with every value of the same answer.
    return this.#renameKeys(this.#values(value, key));
  }

  #values(value: unknown, key: string): unknown {
    if (Array.isArray(value)) return value.map((item) => this.#values(item, key));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.#values(item, name)]));
    }
    if (typeof value === 'number')
      return value === 0 || !Number.isFinite(value) ? value : this.#remember(value, () => this.#number(value));
    if (typeof value === 'string') {
      if (KEPT_STRINGS.has(value)) return value;
      if (isSecretKey(key)) return this.#remember(value, (n) => `recorded-secret-${n}`);
      return this.#remember(value, (n) => this.#string(value, key, n));
    }
    return value;
  }

  #renameKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.#renameKeys(item));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [this.key(name), this.#renameKeys(item)]));
    return value;
  }

  /** The key `name` is written as (see the class comment). */
  key(name: string): string {
    if (this.#keep.has(name) || (PLAIN_FIELD_NAME.test(name) && !this.#holdsPersonal(name)) || URL_LIKE.test(name))
      return name;
    const equal =
      this.#memo.get(`string:${name}`) ?? (DIGITS.test(name) ? this.#memo.get(`number:${Number(name)}`) : undefined);
    if (equal !== undefined) return String(equal);
    let renamed = name;
    for (const original of [...this.originals].filter(looksPersonal).sort((a, b) => b.length - a.length)) {
      const words = original.match(/[\p{L}\p{N}]+/gu);
      if (!words) continue;
      const placeholder = String(this.placeholderOf(original) ?? this.placeholderOf(Number(original)));
      // Its words in any case, with any separator between them: `Alice Smith` in `alice-smith-team` or `AliceSmith`.
      const sameWords = new RegExp(words.join('[^\\p{L}\\p{N}]*'), 'giu');
      renamed = renamed.split(original).join(placeholder).replace(sameWords, slug(placeholder));
    }
    if (renamed !== name) return renamed;
    if (EMAIL.test(name) || /^\d{5,}$/.test(name) || PHONE.test(name))
      return String(this.#remember(name, (n) => this.#string(name, 'key', n)));
    this.#keptDataKeys.add(name);
    return name;
  }

  #holdsPersonal(name: string): boolean {
    const lower = name.toLowerCase();
    return [...this.originals].some(
      (original) => looksPersonal(original) && lower.includes(slug(original).replace(/-/g, '')),
    );
  }

  #remember<T extends string | number>(value: T, make: (n: number) => unknown): unknown {
    const memoKey = `${typeof value}:${value}`;
    if (!this.#memo.has(memoKey)) {
      this.#next += 1;
      this.#memo.set(memoKey, make(this.#next));
      this.originals.add(String(value));
    }
    return this.#memo.get(memoKey);
  }

  /** The placeholder an original got, if it was replaced. */
  placeholderOf(value: string | number): unknown {
    return this.#memo.get(`${typeof value}:${value}`);
  }

  #number(value: number): number {
    const sign = value < 0 ? -1 : 1;
    return Number.isInteger(value) ? sign * (1000 + this.#next) : sign * (this.#next + 0.5);
  }

  #string(value: string, key: string, n: number): string {
    if (EMAIL.test(value)) return `user${n}@example.com`;
    if (URL_LIKE.test(value)) return `https://example.com/recorded/${n}`;
    if (DIGITS.test(value)) return String(n).padStart(value.length, '9');
    if (DATE.test(value)) return value.includes('T') ? '2000-01-01T00:00:00Z' : '2000-01-01';
    if (PHONE.test(value)) return `+1555${String(n).padStart(7, '0')}`;
    // The key names the placeholder unless it may hold a person itself (`alice-smith-team`): values are placed before keys.
    const name = (PLAIN_FIELD_NAME.test(key) && !this.#holdsPersonal(key) ? slug(key) : '') || 'value';
    return `recorded-${name}-${n}`;
  }
}

/**
 * Free text (an error description, an HTML body) with every known sensitive value cut out in any encoding it
 * may be quoted in (the masking module's list: URL, form, JSON, HTML, base64 of `id:secret`…), and any email
 * address in it (a person the recorder never saw elsewhere) replaced. Pure.
 */
export function scrubText(text: string, sensitive: Iterable<string>): string {
  const scrubbed = text.replace(/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g, 'user@example.com');
  return secretFormsReplacer([...sensitive].filter((item) => item.length >= 4))(scrubbed, () => REMOVED);
}

/** What a scrubbed value is written as. */
export const REMOVED = '[removed]';
