/**
 * Writes `value` at a dot path (`data.user.name`), the way the connector's getSafe reads it; a path
 * whose parents are missing is left alone. Mutates `target`.
 */
export function setAtPath(target: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: unknown = target;
  for (const key of keys.slice(0, -1))
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  if (node && typeof node === 'object') (node as Record<string, unknown>)[keys.at(-1)!] = value;
}
