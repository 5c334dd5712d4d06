/** How a config names the embedded IdP's URL. */
export const ISSUER_PLACEHOLDER = '{{issuer}}';

/** `{{issuer}}` in any string of the config → the IdP's URL (known only once it listens). Pure. */
export function substituteIssuer<T>(value: T, issuer: string): T {
  if (typeof value === 'string') return value.replaceAll(ISSUER_PLACEHOLDER, issuer) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => substituteIssuer(item, issuer)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteIssuer(item, issuer)])) as T;
  }
  return value;
}
