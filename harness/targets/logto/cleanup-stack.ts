/**
 * Cleanup steps, run side by side when drained (none waits for another: each removes a thing of its own,
 * and a step that must not overlap a change of a shared setting queues itself, as the connector's deletion
 * does); each failure is logged, none stops the others.
 */
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
    const steps = this.#steps.splice(0);
    await Promise.all(
      steps.map((step) =>
        Promise.resolve()
          .then(step.run)
          .catch((error: unknown) => this.#log(`cleanup: could not ${step.what}: ${(error as Error).message}`)),
      ),
    );
  }
}
