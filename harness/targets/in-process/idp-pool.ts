import { startMockIdp, type MockIdp } from '../../../mock-idp/index.ts';
import type { Fixture } from '../../../mock-idp/fixture/schema.ts';

/** Canonical JSON (sorted keys): two scenario files naming the same fixture, or inlining equal ones, get one key. Pure. */
export function fixtureKey(fixture: Fixture): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
    }
    return value;
  };
  return JSON.stringify(canonical(fixture));
}

/**
 * Started IdPs, reused across scenarios whose fixtures are equal (by content, not by object). A
 * scenario leases an IdP for its whole run, so its journal slice is its own even with --parallel:
 * at most `parallel` IdPs per distinct fixture.
 */
export class IdpPool {
  readonly #idle = new Map<string, MockIdp[]>();
  readonly #keys = new WeakMap<Fixture, string>();
  readonly #all: Array<Promise<MockIdp>> = [];

  #key(fixture: Fixture): string {
    let key = this.#keys.get(fixture);
    if (key === undefined) {
      key = fixtureKey(fixture);
      this.#keys.set(fixture, key);
    }
    return key;
  }

  async lease(fixture: Fixture): Promise<MockIdp> {
    const reused = this.#idle.get(this.#key(fixture))?.pop();
    if (reused) return reused;
    const starting = startMockIdp(fixture, { port: 0 });
    this.#all.push(starting);
    return starting;
  }

  release(fixture: Fixture, idp: MockIdp): void {
    const key = this.#key(fixture);
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
    await Promise.all(all.map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)));
    this.#all.length = 0;
    this.#idle.clear();
  }
}
