/**
 * The free ports of the IdP container's slots. A freed port goes to the back, so a port is reused as
 * late as possible (a new IdP on a URL another scenario's connector named a moment ago is no help to
 * anyone reading a log); a take with none free waits for the next one given back.
 */
export class SlotPool {
  readonly #free: number[];
  readonly #waiting: Array<(port: number) => void> = [];

  constructor(ports: readonly number[]) {
    this.#free = [...ports];
  }

  take(): Promise<number> {
    const port = this.#free.shift();
    if (port !== undefined) return Promise.resolve(port);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(port: number): void {
    const next = this.#waiting.shift();
    if (next) next(port);
    else this.#free.push(port);
  }
}
