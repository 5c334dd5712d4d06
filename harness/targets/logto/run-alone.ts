import type { Scenario } from '../../model.ts';
import { MAX_EXPIRY_WAIT_SECONDS } from './token-use/plan.ts';

/**
 * Whether a scenario races its stored token's expiry on the Logto target: one whose access token
 * dies within seconds must get from the IdP's token answer to the first Account API read before it
 * expires, and scenarios running beside it on two shared cores slow every Logto call (at -p 4 under
 * load the read came after the 4-s token's expiry, and Logto's refresh answered in its place). That
 * stretch runs alone, whatever -p says (raceWindow); its waits for the expiry do not. Pure.
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

/** The stretch of a scenario that runs alone: entered before its sign-in, left after its first Account API read. */
export interface RaceWindow {
  enter(): Promise<void>;
  /** Idempotent: the scenario's end leaves it too, whatever happened. */
  leave(): void;
}

/**
 * A racing scenario holds the run's lock by itself only from its sign-in to its first read of the
 * stored token; before (prediction, IdP, connector) and after (the waits for the expiry, the reads
 * that follow, the second sign-in) it runs beside the others, which hold the lock shared.
 */
export function raceWindow(lock: ScenarioLock): RaceWindow {
  let release: (() => void) | undefined;
  let left = false;
  return {
    async enter() {
      if (release || left) return;
      const granted = await lock.acquire(true);
      // Left while it waited (the scenario ended): the lock goes straight back.
      if (left) granted();
      else release = granted;
    },
    leave() {
      left = true;
      release?.();
      release = undefined;
    },
  };
}
