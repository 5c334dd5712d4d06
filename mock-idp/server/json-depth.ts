// As fixture files (lib/structured-file.ts): deeper values would only reach the users' code
// (and JSON.stringify at userinfo) to exhaust the stack there.
export const MAX_DEPTH = 64;

/** Without recursion: the value may be nested far deeper than the stack allows. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return false;
}
