/** Two values that should be equal, shown together with what tells them apart. */
export interface SideBySide {
  expected: string;
  actual: string;
  /** The difference in words: a trailing slash, letter case, what one adds or lacks, what stands where. */
  difference: string;
}

const quoted = (text: string) => JSON.stringify(text);

/** What tells `actual` from `expected`, in words: what stands in the one where the other has something else. Pure. */
function differenceOf(expected: string, actual: string): string {
  if (actual === `${expected}/`)
    return 'the actual value has a trailing "/" the expected lacks: that slash is the whole difference';
  if (expected === `${actual}/`)
    return 'the expected value has a trailing "/" the actual lacks: that slash is the whole difference';
  if (expected.toLowerCase() === actual.toLowerCase()) return 'they differ only in letter case';
  if (expected.trim() === actual.trim()) return 'they differ only in whitespace around them';
  let head = 0;
  while (head < expected.length && head < actual.length && expected[head] === actual[head]) head += 1;
  let tail = 0;
  while (
    tail < expected.length - head &&
    tail < actual.length - head &&
    expected[expected.length - 1 - tail] === actual[actual.length - 1 - tail]
  )
    tail += 1;
  const ours = expected.slice(head, expected.length - tail);
  const theirs = actual.slice(head, actual.length - tail);
  const where =
    head === 0 && tail === 0
      ? 'the whole value'
      : head === 0
        ? 'in front'
        : tail === 0
          ? 'at the end'
          : `after ${quoted(expected.slice(0, head))}`;
  if (ours === '') return `the actual value adds ${quoted(theirs)} ${where === 'the whole value' ? '' : where}`.trim();
  if (theirs === '') return `the actual value lacks ${quoted(ours)} ${where === 'the whole value' ? '' : where}`.trim();
  if (where === 'the whole value') return 'they have nothing in common';
  return `${where}: the expected has ${quoted(ours)} where the actual has ${quoted(theirs)}`;
}

/** Expected and actual side by side with the difference marked; undefined when they are equal. Pure. */
export function sideBySide(expected: string, actual: string): SideBySide | undefined {
  if (expected === actual) return undefined;
  return { expected, actual, difference: differenceOf(expected, actual) };
}

/** One line for a message: `expected "a", got "b" (the difference)`. */
export const sideBySideLine = ({ expected, actual, difference }: SideBySide): string =>
  `expected ${quoted(expected)}, got ${quoted(actual)} (${difference})`;
