/** A plain object (not null, not an array): what a parsed JSON or YAML mapping is. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  Boolean(value) && typeof value === 'object' && !Array.isArray(value);
