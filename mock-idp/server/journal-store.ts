import type { Journal, JournalEntry } from '../journal.ts';

const MAX_ENTRIES = 10_000;

/** In-memory, bounded: a long `serve` session must not grow without end. */
export class JournalStore implements Journal {
  #entries: JournalEntry[] = [];
  #seq = 0;

  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    this.#seq += 1;
    const full = { seq: this.#seq, ...entry };
    this.#entries.push(full);
    if (this.#entries.length > MAX_ENTRIES) this.#entries.splice(0, this.#entries.length - MAX_ENTRIES);
    return full;
  }

  entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
  }
}
