/**
 * Secrets never leave the process unmasked: reports, logs and the journal show enough to tell
 * two values apart (first 4 characters and the length) and nothing that could be replayed.
 */
import { secretFormsReplacer, type SecretReplacer } from './secret-forms.ts';

// What mask() produces. Masking it again would print the mask's own length, not the secret's.
const MASKED = /^(?:[A-Za-z0-9._~+/=-]{0,4}…|\*\*\*)\(\d+\)$/;
// The shown prefix must not end the value early when the mask sits inside a URL, form or JSON text.
const SAFE_PREFIX = /^[A-Za-z0-9._~+/=-]{4}$/;

export function mask(value: string): string {
  if (MASKED.test(value)) return value;
  const prefix = value.slice(0, 4);
  if (value.length <= 8 || !SAFE_PREFIX.test(prefix)) return `***(${value.length})`;
  return `${prefix}…(${value.length})`;
}

/*
 * The one rule for what names a secret: masking, record's placeholders and audit --export's ${env:…} references all
 * ask it. A name is a secret when its LAST word says so (secret, token, key, assertion, verifier…, e.g. `partner_key`,
 * `x-auth-token`, `signingSecret`), or when it holds `password` anywhere. A name that only starts or goes on with
 * such a word is configuration: `tokenEndpoint`, `token_type`, `tokenEndpointAuthMethod`, `id_token_signed_response_alg`,
 * `clientSecretJwtSigningAlgorithm`, `keyId`, `keys`. A public key is no secret.
 */
const SECRET_KEY = new RegExp(
  `^(?:${[
    '.*secret|.*pass(?:word|wd|phrase).*|pwd|credentials?',
    '.*[_.-]token|token|id_token_hint|.*[_.-]key|apikey|.*assertion|code_verifier',
    'authorization|proxy-authorization|cookie|set-cookie',
  ].join('|')})$`,
  'i',
);
// camelCase names are matched case-sensitively, so `atToken` (where a value was seen) stays readable.
const SECRET_CAMEL_KEY = /^[A-Za-z][A-Za-z0-9]*[a-z0-9](?:Token|Secret|Key|Assertion|Verifier|Credentials?)$/;
const NOT_SECRET = /^(?:client_assertion_type|atToken|public[_.-]?key|publicKey)$/i;

export const isSecretKey = (key: string): boolean =>
  !NOT_SECRET.test(key) && (SECRET_KEY.test(key) || SECRET_CAMEL_KEY.test(key));

// A private JWK's private members (RFC 7518 §6.2.2, §6.3.2, §6.4.1): names too short for any name rule, so the object
// is recognised by its `kty` (a fixture's `keys:` signs id_tokens with them).
const PRIVATE_JWK_MEMBER = /^(?:d|p|q|dp|dq|qi|k|oth)$/;
const isJwk = (value: object): boolean => typeof (value as { kty?: unknown }).kty === 'string';
const isSecretMember = (owner: object, key: string): boolean =>
  isSecretKey(key) || (PRIVATE_JWK_MEMBER.test(key) && isJwk(owner));

/** Deep copy of `value` with every secret-looking field masked. */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => maskSecrets(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        typeof item === 'string' && isSecretMember(value, key) ? mask(item) : maskSecrets(item),
      ]),
    ) as T;
  }
  return value;
}

/*
 * Secrets inside free text: what an error message quotes (an IdP's form or JSON body, an
 * authorization URL, a header), whatever produced it. Applied where text leaves the process.
 */

// Secret values the run was given (client secrets, secret-like customConfig values): masked
// wherever they appear, in any encoding (lib/secret-forms.ts), even under a name no pattern knows.
// Shorter ones would mask words.
export const MIN_KNOWN_SECRET = 8;
const knownSecrets = new Set<string>();
// Made once per change of the set, as maskText runs on every string a command prints.
let knownForms: SecretReplacer | undefined;

const maskKnownSecrets = (text: string): string => (knownForms ??= secretFormsReplacer(knownSecrets))(text, mask);

/*
 * Under a secret's name, what is no secret all the same: a map of field names (a fixture's `renameFields:
 * { access_token: accessToken }` names where a token goes, it holds none), and a public part of a token or key
 * (a fixture's `idToken: { audience: some-other-client }` is the aud claim every id_token shows).
 */
const NAME_MAP = /^(?:renameFields|omitFields|profileMap)$/;
const PUBLIC_PART = /^(?:aud|audience|iss|issuer|sub|subject|alg|algorithms?|kid|kty|typ|use|crv)$/;

/** The strings under a secret-like key of each source (at any depth), and each source that is a string itself. */
export function secretValuesOf(...sources: unknown[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown, secret: boolean): void => {
    if (typeof value === 'string') {
      if (secret) found.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, secret);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value))
        if (!NAME_MAP.test(key)) walk(item, (secret && !PUBLIC_PART.test(key)) || isSecretMember(value, key));
    }
  };
  for (const source of sources) walk(source, typeof source === 'string');
  return found;
}

/** Remembers secret values for maskText: every string under a secret-like key of `source`, and the strings given. */
export function rememberSecrets(...sources: unknown[]): void {
  for (const value of secretValuesOf(...sources))
    if (value.length >= MIN_KNOWN_SECRET && !MASKED.test(value)) knownSecrets.add(value);
  knownForms = undefined;
}

/** Forgets every remembered secret (tests). */
export function forgetSecrets(): void {
  knownSecrets.clear();
  knownForms = undefined;
}

// name=value in a query or form string. The value ends where URL/form/prose syntax resumes.
const PARAM =
  /(?<![A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]*)=((?:[A-Za-z0-9._~+/=-]{0,4}…|\*\*\*)\(\d+\)|[^&\s"'`<>#,;:()[\]{}|\\]+)/g;
// "name":"value" in JSON, also JSON quoted inside a JSON string (\"name\":\"value\"), and JS-style name: 'value'.
const JSON_PAIR = /((\\{0,7})["']?)(?<![A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]*)(\2["']?\s*[:=]\s*\2["'])([^"'\\]*)/g;
// An Authorization header value (RFC 9110 auth-scheme + credentials).
const AUTH_SCHEME = /\b(Bearer|Basic|DPoP|Negotiate)([ \t]+)([A-Za-z0-9._~+/-]+=*)/gi;
// A password in a URL's authority (scheme://user:password@host).
// (A scheme is short: bounded, so a long dotted word is not scanned again from each of its letters.)
const URL_PASSWORD = /\b([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s/?#@:]*:)([^\s/?#@]+)@/g;
// A JWS/JWT in compact form (the signature may be empty: alg none).
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

// `SECRET=…` in a help text's example stands for a value, it is none.
const ELLIPSIS = /^(?:…|\.{3})$/;

const decodeParam = (value: string): string => {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
};

// An authorization code is a secret only as a URL or form parameter; `code` elsewhere is an error code.
const isSecretParam = (name: string, text: string, offset: number, length: number): boolean =>
  isSecretKey(name) ||
  (name === 'code' && (/[?&#]/.test(text[offset - 1] ?? '') || text[offset + length] === '&' || offset === 0));

// Credentials, not prose: "Basic credentials" or "Bearer token" stay, "Bearer 2YotnFZFEjr1zCsicMWpAA" goes.
const looksLikeCredential = (value: string): boolean =>
  value.length >= 8 && (/[0-9+/=._~-]/.test(value) || value.length >= 20);

/** `text` with every secret it quotes masked (see mask()); idempotent, and words that are not secrets stay. */
export function maskText(text: string): string {
  let out = text;
  if (text.length >= MIN_KNOWN_SECRET && knownSecrets.size > 0) out = maskKnownSecrets(out);
  out = out.replace(JWT, (jwt) => mask(jwt));
  out = out.replace(PARAM, (match, name: string, value: string, offset: number, whole: string) =>
    // Not decoded when already masked: a `+` in the shown prefix would turn into a space.
    isSecretParam(name, whole, offset, match.length) && !MASKED.test(value) && !ELLIPSIS.test(value)
      ? `${name}=${mask(decodeParam(value))}`
      : match,
  );
  out = out.replace(
    JSON_PAIR,
    (match, open: string, _escape: string, name: string, separator: string, value: string) =>
      value && isSecretKey(name) ? `${open}${name}${separator}${mask(value)}` : match,
  );
  out = out.replace(URL_PASSWORD, (_match, head: string, password: string) => `${head}${mask(password)}@`);
  out = out.replace(AUTH_SCHEME, (match, scheme: string, space: string, value: string) =>
    looksLikeCredential(value) ? `${scheme}${space}${mask(value)}` : match,
  );
  return out;
}

/** Deep copy of `value` for output: secret-like fields masked, and every string through maskText. */
export function maskForOutput<T>(value: T): T {
  if (typeof value === 'string') return maskText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskForOutput(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        typeof item === 'string' && isSecretMember(value, key) ? mask(item) : maskForOutput(item),
      ]),
    ) as T;
  }
  return value;
}
