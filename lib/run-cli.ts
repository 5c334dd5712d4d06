import type { Command } from 'commander';
import { maskText } from './mask.ts';
import { formatProblem, isUserError } from './user-error.ts';

/** Parses argv; a user mistake is printed as file:line field: message (no stack) with exit code 2. */
export async function runCli(program: Command): Promise<void> {
  try {
    await program.parseAsync();
  } catch (error) {
    if (!isUserError(error)) {
      // A crash prints as node would print it, through the masker: its message may quote a secret.
      console.error(maskText(error instanceof Error ? (error.stack ?? String(error)) : String(error)));
      process.exitCode = 1;
      return;
    }
    for (const problem of error.problems) console.error(maskText(formatProblem(problem)));
    process.exitCode = 2;
  }
}
