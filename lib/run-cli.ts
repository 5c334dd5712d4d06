import { CommanderError, type Command } from 'commander';
import { EXIT_ON_SIGNAL, interruption, isInterrupted, watchInterruptSignals } from './interruption.ts';
import { maskText } from './mask.ts';
import { formatProblem, isUserError } from './user-error.ts';

/** Exit codes both CLIs document: 0 ok, 1 a check failed, 2 bad input (files or options), 130/143 SIGINT/SIGTERM. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130, terminated: 143 } as const;

const allCommands = (command: Command): Command[] => [command, ...command.commands.flatMap(allCommands)];

/**
 * Every write to stdout and stderr goes through maskText: the one masking path for what any command prints (its
 * report, its progress, a note, an error, a crash), whatever module wrote it. The secrets it knows are those
 * loading a file, a record input or a tenant remembered (rememberSecrets), and those its patterns name.
 */
export function maskStandardStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && (typeof rest[0] !== 'string' || /^utf-?8$/i.test(rest[0])))
        return write(maskText(chunk), ...rest);
      // Bytes are text here (nothing writes binary to a terminal): masked as UTF-8, their encoding argument dropped.
      if (chunk instanceof Uint8Array)
        return write(maskText(Buffer.from(chunk).toString('utf8')), ...rest.filter((item) => typeof item !== 'string'));
      return write(chunk, ...rest);
    };
  }
}

/**
 * Parses argv; a user mistake (a bad file, a bad option) is printed as file:line field: message
 * (no stack) with exit code 2. Commander exits 1 on its own option errors, which the CLIs document
 * as "a check failed": it throws instead, and the code is set here.
 */
export async function runCli(program: Command): Promise<void> {
  maskStandardStreams();
  // `… | head` closes the pipe early: the reader has what it wanted. The run goes on (its report
  // files and exit code still count); what it would print is dropped, never a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  for (const command of allCommands(program)) command.exitOverride();
  watchInterruptSignals();
  try {
    await program.parseAsync();
  } catch (error) {
    if (isInterrupted(error) || interruption.received()) {
      // What the command stopped in the middle of is no failure of its own: one line, no stack.
      console.error(isInterrupted(error) ? error.message : `interrupted (${interruption.received()})`);
      return;
    }
    if (error instanceof CommanderError) {
      // Commander has printed its message already; --help and --version end with exit code 0.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
      return;
    }
    if (!isUserError(error)) {
      // A crash prints as node would print it (masked on its way out: its message may quote a secret).
      console.error(error instanceof Error ? (error.stack ?? String(error)) : String(error));
      process.exitCode = EXIT.failed;
      return;
    }
    for (const problem of error.problems) console.error(formatProblem(problem));
    process.exitCode = EXIT.badInput;
  } finally {
    // Whatever the command concluded, an interrupted run says so in its exit code (130 Ctrl-C, 143 SIGTERM).
    const signal = interruption.received();
    if (signal) process.exitCode = EXIT_ON_SIGNAL[signal];
  }
}
