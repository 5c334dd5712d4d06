import { CommanderError, type Command } from 'commander';
import { maskText } from './mask.ts';
import { formatProblem, isUserError } from './user-error.ts';

/** Exit codes both CLIs document: 0 ok, 1 a check failed, 2 bad input (files or options). */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

const allCommands = (command: Command): Command[] => [command, ...command.commands.flatMap(allCommands)];

/**
 * Parses argv; a user mistake (a bad file, a bad option) is printed as file:line field: message
 * (no stack) with exit code 2. Commander exits 1 on its own option errors, which the CLIs document
 * as "a check failed": it throws instead, and the code is set here.
 */
export async function runCli(program: Command): Promise<void> {
  // `… | head` closes the pipe early: the reader has what it wanted. The run goes on (its report
  // files and exit code still count); what it would print is dropped, never a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  for (const command of allCommands(program)) {
    command.exitOverride();
    // Commander quotes the bad argument in its message, and an argument may hold a secret (a URL's password).
    command.configureOutput({ outputError: (text, write) => write(maskText(text)) });
  }
  try {
    await program.parseAsync();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message already; --help and --version end with exit code 0.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
      return;
    }
    if (!isUserError(error)) {
      // A crash prints as node would print it, through the masker: its message may quote a secret.
      console.error(maskText(error instanceof Error ? (error.stack ?? String(error)) : String(error)));
      process.exitCode = EXIT.failed;
      return;
    }
    for (const problem of error.problems) console.error(maskText(formatProblem(problem)));
    process.exitCode = EXIT.badInput;
  }
}
