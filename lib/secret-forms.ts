/**
 * Every way a known value (a client secret, a token) may come back quoted in someone else's text: an IdP's error
 * that echoes the request form, the decoded Basic credentials, a JSON or HTML page. The one list of encodings that
 * masking (lib/mask.ts) and record's scrubbing (harness/record/anonymize.ts) both use.
 *
 * - Character by character, so any mix is found (encodeURI leaves `/` alone, a form encodes it; some encoders
 *   write lower-case hex): each character but letters and digits (which no encoder changes) as itself,
 *   percent-encoded in either case (also twice: `%252F`),
 *   a space as `+`, JSON-escaped (`\/`, `\"`, `\u00fc`, under any run of backslashes: JSON inside JSON), or as
 *   an HTML entity (`&quot;`, `&#x2F;`); and two of those stacked.
 * - base64 and base64url of any text holding the value (verbatim or form-encoded), such as `id:secret` in a Basic
 *   header: found by the characters the value alone decides, whatever comes before or after it; the whole base64
 *   run around them is replaced.
 */

// The base64 a value decides alone is about 4/3 of its length, less up to 3 characters; shorter parts would be found in words.
const MIN_BASE64_PART = 8;
const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

const JSON_SHORT: Record<string, string> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };
const HTML_NAMED: Record<string, string[]> = {
  '&': ['amp'],
  '"': ['quot'],
  "'": ['apos', '#39'],
  '<': ['lt'],
  '>': ['gt'],
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const anyCaseHex = (hex: string) =>
  [...hex].map((digit) => (/[a-f]/i.test(digit) ? `[${digit.toLowerCase()}${digit.toUpperCase()}]` : digit)).join('');
const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/*
 * Two encodings stacked in either order are found too (HTML of JSON `\&quot;`, HTML twice `&amp;#x2F;`, a percent-
 * encoded entity `%26quot%3B`, percent-encoded JSON `%5C%2F`): a character's percent form may be percent-encoded
 * again, its entity's `&` and `;` may be, and any form may follow a run of backslashes, literal or percent-encoded.
 * Runs are bounded, so a long run of backslashes or `%25` in a text is not scanned again from each of its characters.
 */
const percent = (hexDigits: string) => `%(?:25){0,3}${anyCaseHex(hexDigits)}`;
const BACKSLASH = `(?:\\\\|${percent('5c')})`;
const SEMICOLON = `(?:;|${percent('3b')})`;
const ENTITY_START = `(?:&|${percent('26')})(?:amp${SEMICOLON}){0,2}`;

const charPatterns = new Map<string, string>();

/** A regular expression source matching `char` (one code point) in any of the encodings above. */
function charPattern(char: string): string {
  // No encoder writes a letter or a digit other than as itself: kept literal, they make a value's pattern fast to rule out.
  if (/^[A-Za-z0-9]$/.test(char)) return char;
  const known = charPatterns.get(char);
  if (known) return known;
  const codePoint = char.codePointAt(0)!;
  const entities = [`#0*${codePoint}`, `#[xX]0*${anyCaseHex(hex(codePoint, 1))}`, ...(HTML_NAMED[char] ?? [])];
  const plain = [
    escapeRegExp(char),
    ...(char === ' ' ? ['\\+', percent('2b')] : []),
    [...Buffer.from(char, 'utf8')].map((byte) => percent(hex(byte, 2))).join(''),
    `${ENTITY_START}(?:${entities.join('|')})${SEMICOLON}`,
  ];
  const units = codePoint > 0xffff ? [char.charCodeAt(0), char.charCodeAt(1)] : [codePoint];
  const escaped = [
    units.map((unit) => `u${anyCaseHex(hex(unit, 4))}`).join(`${BACKSLASH}{1,8}`),
    ...(JSON_SHORT[char] ? [JSON_SHORT[char]] : []),
  ];
  const pattern = `(?:${BACKSLASH}{0,8}(?:${plain.join('|')})|${BACKSLASH}{1,8}(?:${escaped.join('|')}))`;
  charPatterns.set(char, pattern);
  return pattern;
}

/** The base64 (and base64url) characters `value` decides alone at each of the three offsets it may start at in the encoded text. */
function base64Parts(value: string): string[] {
  const parts = new Set<string>();
  for (const text of new Set([
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
  ])) {
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < 3; offset += 1) {
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(2)]).toString('base64');
      const part = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
      if (part.length < MIN_BASE64_PART) continue;
      parts.add(part);
      parts.add(part.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...parts];
}

export type SecretReplacer = (text: string, replacement: (value: string) => string) => string;

/**
 * A function that replaces every encoding of each of `values` in a text by `replacement(value)`; the longest value
 * first, so a token that holds a shorter value is replaced whole. Made once for a set of values, used on many texts.
 */
export function secretFormsReplacer(values: Iterable<string>): SecretReplacer {
  const ordered = [...new Set(values)].filter(Boolean).sort((a, b) => b.length - a.length);
  const forms = ordered.map((value) => ({
    value,
    pattern: new RegExp([...value].map(charPattern).join(''), 'g'),
    // Its longest run of letters and digits, which every encoding keeps as it is: a text without it is not searched.
    anchor: (value.match(/[A-Za-z0-9]+/g) ?? []).reduce(
      (longest, run) => (run.length > longest.length ? run : longest),
      '',
    ),
  }));
  const parts = ordered.flatMap((value) => base64Parts(value).map((part) => ({ part, value })));
  return (text, replacement) => {
    let out = text;
    for (const { value, pattern, anchor } of forms)
      if (out.includes(anchor)) out = out.replace(pattern, () => replacement(value));
    return parts.length > 0 ? replaceBase64Runs(out, parts, replacement) : out;
  };
}

/** Each base64 run holding one of `parts`, from its first character to its padding, replaced. */
function replaceBase64Runs(
  text: string,
  parts: Array<{ part: string; value: string }>,
  replacement: (value: string) => string,
): string {
  const runs: Array<{ start: number; end: number; value: string }> = [];
  for (const { part, value } of parts) {
    // The next search starts after the run: a text of one long run is walked once per part.
    for (let at = text.indexOf(part), end: number; at !== -1; at = text.indexOf(part, end)) {
      let start = at;
      end = at + part.length;
      while (start > 0 && BASE64_CHAR.test(text[start - 1]!)) start -= 1;
      while (end < text.length && BASE64_CHAR.test(text[end]!)) end += 1;
      while (text[end] === '=') end += 1;
      runs.push({ start, end, value });
    }
  }
  if (runs.length === 0) return text;
  runs.sort((a, b) => a.start - b.start);
  let out = '';
  let done = 0;
  for (const run of runs) {
    if (run.start < done) continue;
    out += text.slice(done, run.start) + replacement(run.value);
    done = run.end;
  }
  return out + text.slice(done);
}
