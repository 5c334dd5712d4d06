import type { Scenario } from '../../model.ts';
import { MAX_EXPIRY_WAIT_SECONDS } from './token-use/plan.ts';

/**
 * Whether a scenario runs alone on the Logto target, whatever -p says: one whose stored access
 * token dies within seconds must get from the IdP's token answer to the first Account API read
 * before it expires, and scenarios running beside it on two shared cores slow every Logto call
 * (at -p 4 under load the read came after the 4-s token's expiry, and Logto's refresh answered in
 * its place). Pure.
 */
export const runsAlone = (scenario: Scenario): boolean =>
  Boolean(scenario.enableTokenStorage) &&
  scenario.idp.kind === 'fixture' &&
  scenario.idp.fixture.accessTokenTtlSeconds <= MAX_EXPIRY_WAIT_SECONDS;

/**
 * A readers-writer lock over the scenarios of a run: most share it, one that runs alone holds it by
 * itself. A scenario waiting to run alone goes before any that asks later, so it is never starved.
 */
export class ScenarioLock {
  #shared = 0;
  #exclusive = false;
  readonly #waiting: Array<{ alone: boolean; start: () => void }> = [];

  /** Resolves with the release once the scenario may run. */
  async acquire(alone: boolean): Promise<() => void> {
    if (this.#waiting.length === 0 && this.#free(alone)) this.#take(alone);
    else await new Promise<void>((start) => this.#waiting.push({ alone, start }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (alone) this.#exclusive = false;
      else this.#shared -= 1;
      this.#wake();
    };
  }

  #free(alone: boolean): boolean {
    return alone ? !this.#exclusive && this.#shared === 0 : !this.#exclusive;
  }

  #take(alone: boolean): void {
    if (alone) this.#exclusive = true;
    else this.#shared += 1;
  }

  #wake(): void {
    while (this.#waiting.length > 0 && this.#free(this.#waiting[0]!.alone)) {
      const next = this.#waiting.shift()!;
      this.#take(next.alone);
      next.start();
    }
  }
}
