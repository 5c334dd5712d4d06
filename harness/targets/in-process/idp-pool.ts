import { startMockIdp, type MockIdp } from '../../../mock-idp/index.ts';
import type { Fixture } from '../../../mock-idp/fixture/schema.ts';

/**
 * Started IdPs, reused across scenarios with the same fixture. A scenario leases an IdP for its
 * whole run, so its journal slice is its own even with --parallel.
 */
export class IdpPool {
  readonly #idle = new Map<Fixture, MockIdp[]>();
  readonly #all: MockIdp[] = [];

  async lease(fixture: Fixture): Promise<MockIdp> {
    const idle = this.#idle.get(fixture);
    const reused = idle?.pop();
    if (reused) return reused;
    const idp = await startMockIdp(fixture, { port: 0 });
    this.#all.push(idp);
    return idp;
  }

  release(fixture: Fixture, idp: MockIdp): void {
    const idle = this.#idle.get(fixture) ?? [];
    idle.push(idp);
    this.#idle.set(fixture, idle);
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((idp) => idp.stop()));
    this.#all.length = 0;
    this.#idle.clear();
  }
}
