import { InvalidArgumentError } from 'commander';

/** One part of a run split over several machines: the index-th of total, both counted from 1. */
export interface Shard {
  index: number;
  total: number;
}

export const SHARD_HELP =
  'run only part i of n of the scenario files: sorted by path, cut into n runs of consecutive files whose sizes ' +
  'differ by at most one; every file falls in exactly one part, the same on every machine';

/** `--shard i/n`: whole numbers, 1 ≤ i ≤ n. */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('give i/n, two whole numbers: 1/3 is the first of three parts');
  const [index, total] = [Number(match[1]), Number(match[2])];
  if (total < 1) throw new InvalidArgumentError('n, the number of parts, is at least 1');
  if (index < 1 || index > total)
    throw new InvalidArgumentError(`i counts the parts from 1 to n: 1/${total} to ${total}/${total}`);
  return { index, total };
}

// Separators made one so a Windows runner and a Linux runner of one matrix sort alike; code units, not the locale.
const sortKey = (file: string) => file.replaceAll('\\', '/');
const byPath = (a: string, b: string) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0);

/**
 * The files of one shard. Pure and independent of the order the files were found in: they are sorted by path (a
 * file named twice counts once), then shard i of n takes the consecutive files from ⌊(i-1)·N/n⌋ to ⌊i·N/n⌋, so the
 * n shards hold every file exactly once and their sizes differ by at most one. A shard may be empty when n > N.
 */
export function filesOfShard(files: readonly string[], shard: Shard): string[] {
  const sorted = [...new Set(files)].sort(byPath);
  const start = Math.floor(((shard.index - 1) * sorted.length) / shard.total);
  const end = Math.floor((shard.index * sorted.length) / shard.total);
  return sorted.slice(start, end);
}
