/** Runs cleanup steps in reverse order; each failure is logged, none stops the others. */
export class CleanupStack {
  readonly #steps: Array<{ what: string; run: () => Promise<unknown> }> = [];
  readonly #log: (line: string) => void;
  constructor(log: (line: string) => void) {
    this.#log = log;
  }
  push(what: string, run: () => Promise<unknown>) {
    this.#steps.push({ what, run });
  }
  async drain() {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      await step
        .run()
        .catch((error: unknown) => this.#log(`cleanup: could not ${step.what}: ${(error as Error).message}`));
    }
  }
}
