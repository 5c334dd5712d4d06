import { UserError } from '../../lib/user-error.ts';
import type { ScenarioResult } from '../model.ts';
import type { JsonReport } from './read-json-report.ts';

export interface MergedRun {
  /** The targets the reports ran on, in order: one, unless reports of different targets were merged. */
  target: string;
  /** Every scenario of every report: the shards in their order, which is the unsharded run's order of the files. */
  results: ScenarioResult[];
  /** Scenario files a shard could not read: the run exits 2, as an unsharded run would. */
  unreadFiles: string[];
}

const where = (result: ScenarioResult) => `${result.file}${result.line && result.line > 1 ? `:${result.line}` : ''}`;

/**
 * The reports of one run's shards as that run's results. Reports of shards must be all n of them, each once: a shard
 * whose job died before writing its report would otherwise leave a merged run that looks whole and green. A scenario
 * in two reports is refused too: its verdict would count twice. Pure.
 */
export function mergeReports(reports: JsonReport[]): MergedRun {
  const sharded = reports.filter((report) => report.shard);
  if (sharded.length > 0 && sharded.length < reports.length) {
    const whole = reports.find((report) => !report.shard)!;
    throw new UserError({
      file: whole.file,
      message: `the report of a whole run, merged with reports of shards (${sharded[0]!.file})`,
      hint: "merge the reports of one run's shards, every --shard i/n of one n",
    });
  }
  const ordered = sharded.length > 0 ? orderShards(reports) : reports;
  const seen = new Map<string, string>();
  for (const report of ordered)
    for (const result of report.results) {
      const key = `${where(result)}\n${result.name}`;
      const other = seen.get(key);
      if (other)
        throw new UserError({
          file: report.file,
          message: `scenario "${result.name}" (${where(result)}) is in ${other} too`,
          hint: 'each scenario must come from one report: the same report given twice, or shards of two runs?',
        });
      seen.set(key, report.file);
    }
  return {
    target: [...new Set(ordered.map((report) => report.target))].join(', '),
    results: ordered.flatMap((report) => report.results),
    unreadFiles: ordered.flatMap((report) => report.unreadFiles),
  };
}

/** The reports by shard index, once each of 1..n. */
function orderShards(reports: JsonReport[]): JsonReport[] {
  const total = reports[0]!.shard!.total;
  const byIndex = new Map<number, JsonReport>();
  for (const report of reports) {
    const { index, total: itsTotal } = report.shard!;
    if (itsTotal !== total)
      throw new UserError({
        file: report.file,
        message: `shard ${index}/${itsTotal}, but ${reports[0]!.file} is a shard of ${total}`,
        hint: 'merge the reports of one run: every --shard i/n of the same n',
      });
    const twin = byIndex.get(index);
    if (twin)
      throw new UserError({
        file: report.file,
        message: `shard ${index}/${total} again (${twin.file} is that shard too)`,
        hint: 'give each shard report once',
      });
    byIndex.set(index, report);
  }
  const missing = Array.from({ length: total }, (_, at) => at + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0)
    throw new UserError({
      message: `shard${missing.length === 1 ? '' : 's'} ${missing.map((index) => `${index}/${total}`).join(', ')} missing: the run is not whole`,
      hint: `give the JSON report of every shard 1/${total} to ${total}/${total} (a shard whose job failed before writing it: rerun that job)`,
    });
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, report]) => report);
}
