import type { Command } from 'commander';
import { formatProblem, isUserError } from './user-error.ts';

/** Parses argv; a user mistake is printed as file:line field: message (no stack) with exit code 2. */
export async function runCli(program: Command): Promise<void> {
  try {
    await program.parseAsync();
  } catch (error) {
    if (!isUserError(error)) throw error;
    for (const problem of error.problems) console.error(formatProblem(problem));
    process.exitCode = 2;
  }
}
