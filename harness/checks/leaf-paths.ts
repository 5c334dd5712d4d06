/** Every leaf of a JSON value with its dot path (`data.user.emails.0.value`). Pure. */
export function leafPaths(value: unknown, prefix = ''): Array<{ path: string; value: unknown }> {
  if (value && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((item, index) => [String(index), item] as const)
      : Object.entries(value);
    return entries.flatMap(([key, item]) => leafPaths(item, prefix ? `${prefix}.${key}` : key));
  }
  return prefix ? [{ path: prefix, value }] : [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

const lastSegment = (path: string) =>
  path
    .split('.')
    .filter((segment) => !/^\d+$/.test(segment))
    .at(-1) ?? path;

/**
 * The leaf path a user most likely meant: one holding the expected value, else the one whose
 * last name is closest to the missed path's. Pure.
 */
export function nearestPath(raw: unknown, missed: string, expectedValue?: string): string | undefined {
  const leaves = leafPaths(raw).filter((leaf) => leaf.value !== null && typeof leaf.value !== 'object');
  if (expectedValue !== undefined) {
    const holding = leaves.find((leaf) => String(leaf.value) === expectedValue);
    if (holding) return holding.path;
  }
  const wanted = lastSegment(missed).toLowerCase();
  let best: { path: string; score: number } | undefined;
  for (const leaf of leaves) {
    const name = lastSegment(leaf.path).toLowerCase();
    const score =
      name.includes(wanted) || wanted.includes(name)
        ? 0.5
        : distance(name, wanted) / Math.max(name.length, wanted.length);
    if (!best || score < best.score) best = { path: leaf.path, score };
  }
  return best && best.score <= 0.5 ? best.path : undefined;
}
