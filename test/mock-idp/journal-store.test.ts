import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../mock-idp/journal.ts';
import { JournalStore } from '../../mock-idp/server/journal-store.ts';

type Draft = Omit<JournalEntry, 'seq'>;

/** A store of `count` entries whose drafts say when they are built. */
function storeOf(count: number) {
  const store = new JournalStore();
  const built: number[] = [];
  for (let index = 1; index <= count; index += 1) {
    store.add(() => {
      built.push(index);
      return { endpoint: 'token', method: 'POST', path: `/token/${index}` } as unknown as Draft;
    }, 100);
  }
  return { store, built };
}

describe('the journal store read from a seq on', () => {
  it('gives the entries after the seq, oldest first, building none of the earlier ones', () => {
    const { store, built } = storeOf(1000);
    expect(store.lastSeq()).toBe(1000);
    const slice = store.entriesAfter(997);
    expect(slice.map((entry) => entry.seq)).toEqual([998, 999, 1000]);
    expect(slice.map((entry) => entry.path)).toEqual(['/token/998', '/token/999', '/token/1000']);
    // A run's read of its slice costs its own entries, not the thousand before it.
    expect(built).toEqual([998, 999, 1000]);
    expect(store.entriesAfter(1000)).toEqual([]);
    // Built once: the whole journal afterwards holds the same entry objects.
    expect(store.entries().at(-1)).toBe(slice.at(-1));
    expect(store.entriesAfter(0)).toHaveLength(1000);
  });

  it('says 0 with nothing kept, and a slice after a clear holds only the entries since', () => {
    const { store } = storeOf(3);
    store.clear();
    expect(store.lastSeq()).toBe(0);
    store.add(() => ({ endpoint: 'userinfo' }) as unknown as Draft, 10);
    expect(store.lastSeq()).toBe(4);
    expect(store.entriesAfter(0).map((entry) => entry.seq)).toEqual([4]);
  });
});
