/**
 * Secrets never leave the process unmasked: reports, logs and the journal show enough to tell
 * two values apart (first 4 characters and the length) and nothing that could be replayed.
 */
export function mask(value: string): string {
  if (value.length <= 8) return `***(${value.length})`;
  return `${value.slice(0, 4)}…(${value.length})`;
}

const SECRET_KEY = /(secret|password|token|assertion|authorization|code_verifier|^code$|cookie)/i;

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key) && !/_type$|token_endpoint|_auth_method$|_alg$/i.test(key);

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
