/**
 * The connector config as Logto stores it: the Management API drops empty strings, objects and
 * arrays, null and undefined, recursively (clean-deep) before saving, and every connector call,
 * the refresh path included, reads that stored form. Pure.
 */
export function storedConfig<T>(value: T): T {
  if (Array.isArray(value))
    return value.map((item: unknown) => storedConfig(item)).filter((item) => !isEmpty(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [key, storedConfig(item)] as const)
        .filter(([, item]) => !isEmpty(item)),
    ) as T;
  }
  return value;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (typeof value === 'number' && Number.isNaN(value)) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}
