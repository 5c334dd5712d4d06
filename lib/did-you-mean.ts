/** "Did you mean …?": the known name a mistyped word most likely is. */

/** Edit distance, for "did you mean": a typo is a letter or two away. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known name a word most likely means (same letters in another case, or a small typo), if any. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const same = known.find((candidate) => candidate.toLowerCase() === lower);
  if (same) return same;
  const scored = known
    .map((candidate) => ({ candidate, cost: distance(lower, candidate.toLowerCase()) }))
    .filter(({ cost, candidate }) => cost <= Math.min(2, Math.max(1, Math.floor(candidate.length / 4))))
    .sort((a, b) => a.cost - b.cost);
  return scored[0]?.candidate;
}
