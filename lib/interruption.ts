/**
 * The one owner of SIGINT and SIGTERM in a CLI run. A command that stops by itself (`stopsAtSignal()`:
 * run, record, mock-idp serve) gets the first signal as an abort of `interruption.signal`, which it
 * passes down (a pending request, a callback wait, the scenario loop), so it stops at once, writes
 * nothing partial, and the CLI exits 130 or 143. Any other command is ended by the first signal at
 * once, with the same line and code; a second signal ends any process at once. In library use
 * nothing is installed and the signal never fires.
 */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

export const EXIT_ON_SIGNAL: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Thrown (or an abort's reason) when the run was interrupted: recognised by its code, never printed as a crash. */
export class InterruptedError extends Error {
  readonly code = 'INTERRUPTED';
  readonly signal: InterruptSignal;

  constructor(signal: InterruptSignal) {
    super(`interrupted (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'})`);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

export const isInterrupted = (error: unknown): error is InterruptedError =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'INTERRUPTED';

const controller = new AbortController();
let received: InterruptSignal | undefined;
let stopsByItself = false;

export const interruption = {
  signal: controller.signal,
  /** Which signal arrived first, if any. */
  received: (): InterruptSignal | undefined => received,
};

/**
 * The running command stops by itself at the signal: it passes the returned signal down and tidies up
 * (a container stack, Logto's test connectors, a listening server). A command that does not call this has
 * nothing to tidy: going on after the signal would only make the user wait (validate) or write what an
 * interrupted command must not (audit's reports and exports), so the signal ends it at once.
 */
export function stopsAtSignal(): AbortSignal {
  stopsByItself = true;
  return controller.signal;
}

/** Installs the handlers (the CLI runner calls it once). */
export function watchInterruptSignals(): void {
  const onSignal = (signal: InterruptSignal) => {
    if (received) process.exit(EXIT_ON_SIGNAL[received]);
    received = signal;
    const interrupted = new InterruptedError(signal);
    if (!stopsByItself) {
      // Written synchronously (stderr is a pipe, a file or a terminal): the line is out before the exit.
      process.stderr.write(`${interrupted.message}\n`);
      process.exit(EXIT_ON_SIGNAL[signal]);
    }
    controller.abort(interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Throws the interruption when `signal` has fired: the point after which nothing may be written. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw isInterrupted(signal.reason) ? signal.reason : new InterruptedError('SIGINT');
}
