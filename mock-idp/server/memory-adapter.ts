import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage, in memory, one store per IdP instance: a mock IdP's state (codes,
 * tokens, sessions) is meant to die with it. Expired entries are dropped on read, and swept now and then.
 */
export interface MemoryStore {
  Adapter: new (name: string) => Adapter;
  /** A live entry of a model (`AccessToken`, …), for the mock's own routes; expired ones are gone. */
  peek(model: string, id: string): AdapterPayload | undefined;
}

export function createMemoryStore(): MemoryStore {
  const store = new Map<string, { payload: AdapterPayload; expiresAt?: number }>();
  const peek = (model: string, id: string): AdapterPayload | undefined => peekKey(`${model}:${id}`);
  const peekKey = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  const userCodes = new Map<string, string>();
  const uids = new Map<string, string>();
  const grants = new Map<string, Set<string>>();

  // Entries nobody reads again (sessions, interactions, replay markers) would otherwise stay for
  // the life of a long `serve`; every so many writes, the expired ones and their indexes go.
  const SWEEP_EVERY = 1_000;
  let writes = 0;
  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of store) if (entry.expiresAt !== undefined && entry.expiresAt <= now) store.delete(key);
    const live = (key: string) => store.has(key);
    for (const [grantId, keys] of grants) {
      for (const key of keys) if (!live(key)) keys.delete(key);
      if (keys.size === 0) grants.delete(grantId);
    }
    for (const index of [userCodes, uids]) for (const [value, key] of index) if (!live(key)) index.delete(value);
  };

  const Adapter = class MemoryAdapter implements Adapter {
    readonly #name: string;

    constructor(name: string) {
      this.#name = name;
    }

    #key(id: string): string {
      return `${this.#name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      writes += 1;
      if (writes % SWEEP_EVERY === 0) sweep();
      const key = this.#key(id);
      store.set(key, { payload, ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}) });
      if (payload.grantId) {
        const keys = grants.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        grants.set(payload.grantId, keys);
      }
      if (payload.userCode) userCodes.set(payload.userCode, key);
      if (payload.uid) uids.set(payload.uid, key);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return peek(this.#name, id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const key = userCodes.get(userCode);
      return key === undefined ? undefined : peekKey(key);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const key = uids.get(uid);
      return key === undefined ? undefined : peekKey(key);
    }

    async consume(id: string): Promise<void> {
      const entry = store.get(this.#key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
  return { Adapter, peek };
}
