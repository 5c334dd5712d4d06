import { Command } from 'commander';
import { EXIT } from '../../lib/run-cli.ts';
import { ensureWritableFolder } from '../../lib/writable-folder.ts';
import { addOptions } from './add-options.ts';
import { outputOptions, wantsColor, type OutputFlags } from './output-options.ts';

async function mergeReportFiles(files: string[], flags: OutputFlags): Promise<void> {
  if (flags.reporter.length > 0) await ensureWritableFolder(flags.outDir);
  // Loaded by the command, not at the CLI's start (which every other command and --help pay for).
  const [{ mergeReports }, { readJsonReport }, { summarize }, { renderTerminal }, { writeReports }] = await Promise.all(
    [
      import('../report/merge.ts'),
      import('../report/read-json-report.ts'),
      import('../report/summary.ts'),
      import('../report/terminal.ts'),
      import('./write-reports.ts'),
    ],
  );
  const reports = [];
  for (const file of files) reports.push(await readJsonReport(file));
  const { target, results, unreadFiles: unread } = mergeReports(reports);
  console.log(
    renderTerminal(results, { color: wantsColor(flags), verbose: Boolean(flags.verbose), quiet: Boolean(flags.quiet) }),
  );
  for (const file of await writeReports(results, { ...flags, target, unreadFiles: unread }))
    console.log(`wrote ${file}`);
  const summary = summarize(results);
  process.exitCode = summary.failed + summary.errors > 0 ? EXIT.failed : EXIT.ok;
  if (unread.length > 0) {
    const one = unread.length === 1;
    const which = `${unread.length} file${one ? '' : 's'} could not be read by ${one ? 'its shard' : 'their shards'}`;
    console.error(`${which} (the shard's output says why; the others ran): ${unread.join(', ')}`);
    process.exitCode = EXIT.badInput;
  }
}

const MERGE_HELP = `
The scenarios come out as one unsharded run prints and reports them: the same verdicts, counts and
exit status. The reports must be those of every shard 1/n to n/n of one run, each once, written by this
version; a scenario in two reports is refused.

Example (three CI jobs, each with its shard's JSON report in shard-<i>/):
  $ connector-harness merge-reports shard-1/connector-harness.json shard-2/connector-harness.json \\
      shard-3/connector-harness.json -r junit -r html -o reports

Exit status: 0 all passed, 1 a check failed, 2 bad input (a file that is no report of this version, a
shard missing or given twice, a scenario in two reports).`;

/** `connector-harness merge-reports`: the JSON reports of a run's shards (run --shard i/n) as one run. */
export function makeMergeReportsCommand(): Command {
  const command = new Command('merge-reports')
    .description(
      "the JSON reports of a run's shards (run --shard i/n -r json) as one run: its summary, and with -r its reports",
    )
    .argument('<reports...>', 'the JSON reports (connector-harness.json) of every shard');
  return addOptions(
    command,
    outputOptions({
      reporter: "also write the whole run's report file: json, junit or html (repeatable)",
      verbose: 'show evidence for passing checks too',
      quiet: true,
    }),
  )
    .addHelpText('after', MERGE_HELP)
    .action(mergeReportFiles);
}
