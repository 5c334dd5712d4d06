import { isSecretKey } from '../../lib/mask.ts';
import { secretFormsReplacer } from '../../lib/secret-forms.ts';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const DIGITS = /^\d+$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;
const PHONE = /^\+?[\d\s().-]{7,}$/;
// Strings that carry a type quirk rather than a person: they are kept verbatim.
const KEPT_STRINGS = new Set(['true', 'false', 'null', '']);

/**
 * Personal values → placeholders of the same shape: numbers stay numbers (0 stays 0, integers stay
 * integers), strings stay strings of the same kind (an email stays email-shaped, digits stay
 * digits of the same length, a URL stays a URL), booleans, null, nesting and keys are kept. Equal
 * values get equal placeholders, so `sub` and `id` holding the same value still do.
 */
export class Placeholders {
  readonly #memo = new Map<string, unknown>();
  /** Every original replaced (strings and numbers), for scrubbing free text and for tests. */
  readonly originals = new Set<string>();
  #next = 0;

  value(value: unknown, key = 'value'): unknown {
    if (Array.isArray(value)) return value.map((item) => this.value(item, key));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.value(item, name)]));
    }
    if (typeof value === 'number') return value === 0 || !Number.isFinite(value) ? value : this.#remember(value, () => this.#number(value));
    if (typeof value === 'string') {
      if (KEPT_STRINGS.has(value)) return value;
      if (isSecretKey(key)) return this.#remember(value, (n) => `recorded-secret-${n}`);
      return this.#remember(value, (n) => this.#string(value, key, n));
    }
    return value;
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
    const name = key.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'value';
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
