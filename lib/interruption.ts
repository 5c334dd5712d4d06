/**
 * The one owner of SIGINT and SIGTERM in a CLI run. The first signal aborts `interruption.signal`
 * (every command passes it down: a pending request, a callback wait, the scenario loop), so the
 * command stops at once, writes nothing partial, and the CLI exits 130 or 143; a second signal
 * ends the process at once. In library use nothing is installed and the signal never fires.
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

export const interruption = {
  signal: controller.signal,
  /** Which signal arrived first, if any. */
  received: (): InterruptSignal | undefined => received,
};

/** Installs the handlers (the CLI runner calls it once). */
export function watchInterruptSignals(): void {
  const onSignal = (signal: InterruptSignal) => {
    if (received) process.exit(EXIT_ON_SIGNAL[received]);
    received = signal;
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Throws the interruption when `signal` has fired: the point after which nothing may be written. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw isInterrupted(signal.reason) ? signal.reason : new InterruptedError('SIGINT');
}
