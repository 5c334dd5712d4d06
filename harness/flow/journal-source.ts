import type { MockIdp } from '../../mock-idp/index.ts';
import type { Journal, JournalEntry } from '../../mock-idp/journal.ts';

/** Where a run reads what the IdP saw: the embedded IdP's journal, or a running mock-idp's `/_journal`. */
export interface JournalSource {
  /** The seq of the newest entry (0: none): a run's slice is what comes after it. */
  lastSeq(): Promise<number>;
  /** The entries after `seq`, oldest first (0: all it kept). */
  readAfter(seq: number): Promise<readonly JournalEntry[]>;
}

/** A journal in this thread: a run reads only its own slice, however many runs the IdP served before. */
export const storeJournal = (store: Journal): JournalSource => ({
  lastSeq: async () => store.lastSeq(),
  readAfter: async (seq) => store.entriesAfter(seq),
});

export const localJournal = (idp: MockIdp): JournalSource => storeJournal(idp.journal);

const probes = new Map<string, Promise<JournalSource | undefined>>();

/**
 * An IdP given by URL that is a mock-idp (`npx mock-idp serve …`, e.g. in a container) answers
 * `GET /_journal`: then the journal checks work against it too. Any other IdP: no journal.
 */
export function remoteJournal(issuer: string, signal?: AbortSignal): Promise<JournalSource | undefined> {
  let probe = probes.get(issuer);
  if (!probe) {
    const url = `${issuer}/_journal`;
    const readAfter = async (seq: number): Promise<readonly JournalEntry[]> => {
      const at = seq > 0 ? `${url}?since=${seq}` : url;
      const response = await fetch(at, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
      const body: unknown = response.ok ? await response.json() : undefined;
      if (!Array.isArray(body)) throw new Error(`${url} answered ${response.status} without a journal`);
      return body as JournalEntry[];
    };
    const read = () => readAfter(0);
    const lastSeq = async () => (await read()).at(-1)?.seq ?? 0;
    probe = read().then(
      () => ({ lastSeq, readAfter }),
      () => undefined,
    );
    probes.set(issuer, probe);
  }
  return probe;
}

/** One run at a time per external mock IdP, so each run's journal slice is its own. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#tails.set(
      key,
      previous.then(() => tail),
    );
    await previous;
    try {
      return await task();
    } finally {
      release();
    }
  }
}
