import { Option } from 'commander';
import { collectReporter, type ReporterName } from '../run-flags.ts';

const OUTPUT_GROUP = 'Reports and output:';

/** What the options below give a command's action. */
export interface OutputFlags {
  reporter: ReporterName[];
  outDir: string;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
}

/** The report files and terminal output of the commands that report results (run, merge-reports, audit). */
export function outputOptions(help: { reporter?: string; verbose: string; quiet: boolean }): Option[] {
  return [
    new Option('-r, --reporter <format>', help.reporter ?? 'also write a report file: json, junit or html (repeatable)')
      .argParser(collectReporter)
      .default([]),
    new Option('-o, --out-dir <dir>', 'where report files go').default('reports'),
    new Option('-v, --verbose', help.verbose),
    ...(help.quiet
      ? [new Option('-q, --quiet', 'print only the scenarios that did not pass, and the closing line')]
      : []),
    new Option('--no-color', 'plain output'),
  ].map((option) => option.helpGroup(OUTPUT_GROUP));
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export const wantsColor = (flags: Pick<OutputFlags, 'color'>): boolean =>
  flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR;
