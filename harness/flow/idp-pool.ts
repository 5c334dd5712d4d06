import { parseFixture, startValidatedMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import type { Fixture } from '../../mock-idp/fixture/schema.ts';

/** Canonical JSON (sorted keys): two scenario files naming the same fixture, or inlining equal ones, get one key. Pure. */
export function fixtureKey(fixture: Fixture): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return JSON.stringify(canonical(fixture));
}

// Each fixture content validated once in this thread, for every IdP started from it: the schema took a sixth of a
// start, and a fixture object reaches the second thread as a copy per scenario. Nothing in an IdP writes to its fixture.
const validatedFixtures = new Map<string, Fixture>();

function validated(key: string, fixture: Fixture): Fixture {
  let valid = validatedFixtures.get(key);
  if (!valid) {
    valid = parseFixture(fixture);
    validatedFixtures.set(key, valid);
  }
  return valid;
}

/**
 * Started IdPs, reused across scenarios whose fixtures are equal (by content, not by object). A
 * scenario leases an IdP for its whole run, so its journal slice is its own even with --parallel.
 * At most `perFixture` run per distinct fixture; more concurrent scenarios wait for one to be released.
 */
export class IdpPool {
  readonly #idle = new Map<string, MockIdp[]>();
  readonly #waiting = new Map<string, Array<(idp: MockIdp) => void>>();
  readonly #count = new Map<string, number>();
  readonly #keys = new WeakMap<Fixture, string>();
  readonly #all: Array<Promise<MockIdp>> = [];
  readonly #perFixture: number;

  constructor(options: { perFixture?: number } = {}) {
    this.#perFixture = Math.max(1, options.perFixture ?? 2);
  }

  #key(fixture: Fixture): string {
    let key = this.#keys.get(fixture);
    if (key === undefined) {
      key = fixtureKey(fixture);
      this.#keys.set(fixture, key);
    }
    return key;
  }

  async lease(fixture: Fixture): Promise<MockIdp> {
    const key = this.#key(fixture);
    const reused = this.#idle.get(key)?.pop();
    if (reused) return reused;
    const count = this.#count.get(key) ?? 0;
    if (count >= this.#perFixture) {
      return new Promise<MockIdp>((resolve) => {
        const queue = this.#waiting.get(key) ?? [];
        queue.push(resolve);
        this.#waiting.set(key, queue);
      });
    }
    this.#count.set(key, count + 1);
    const starting = Promise.resolve().then(() => startValidatedMockIdp(validated(key, fixture), { port: 0 }));
    this.#all.push(starting);
    try {
      return await starting;
    } catch (error) {
      this.#count.set(key, (this.#count.get(key) ?? 1) - 1);
      throw error;
    }
  }

  release(fixture: Fixture, idp: MockIdp): void {
    const key = this.#key(fixture);
    const next = this.#waiting.get(key)?.shift();
    if (next) {
      next(idp);
      return;
    }
    const idle = this.#idle.get(key) ?? [];
    idle.push(idp);
    this.#idle.set(key, idle);
  }

  /** How many IdPs this run started (tests and the bench read it). */
  get started(): number {
    return this.#all.length;
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.#all);
    await Promise.all(all.flatMap((started) => (started.status === 'fulfilled' ? [started.value.stop()] : [])));
    this.#all.length = 0;
    this.#idle.clear();
    this.#count.clear();
  }
}
