import { EXIT } from '../../lib/run-cli.ts';
import { formatProblem, type Problem } from '../../lib/user-error.ts';
import type { Scenario } from '../model.ts';

/** A scenario's file, and its line when the file holds more than one. */
export const where = (scenario: Scenario) =>
  `${scenario.file}${scenario.line && scenario.line > 1 ? `:${scenario.line}` : ''}`;

export const unreadFiles = (files: string[], others: string) =>
  `${files.length} file${files.length === 1 ? '' : 's'} could not be read (see above; ${others}): ${files.join(', ')}`;

/** Files that did not load, after what the others gave: their problems, and exit 2. */
export function reportUnread(problems: Problem[], files: string[]): void {
  if (files.length === 0) return;
  for (const problem of problems) console.error(formatProblem(problem));
  console.error(unreadFiles(files, 'the others are listed'));
  process.exitCode = EXIT.badInput;
}
