/**
 * Secrets never leave the process unmasked: reports, logs and the journal show enough to tell
 * two values apart (first 4 characters and the length) and nothing that could be replayed.
 */
export function mask(value: string): string {
  if (value.length <= 8) return `***(${value.length})`;
  return `${value.slice(0, 4)}…(${value.length})`;
}

// Names, not substrings: `tokenEndpoint` or `atToken` are not secrets, `client_secret` and `id_token` are.
const SECRET_KEY = /^(.*secret|password|.*_token|id_token_hint|(access|refresh|id)Token|token|.*assertion|authorization|cookie|set-cookie|code_verifier|codeVerifier)$/i;

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key) && key !== 'client_assertion_type';

/** Deep copy of `value` with every secret-looking field masked. */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, typeof item === 'string' && isSecretKey(key) ? mask(item) : maskSecrets(item)]),
    ) as T;
  }
  return value;
}
