import type { Journal, JournalEntry } from '../journal.ts';

const MAX_ENTRIES = 10_000;
const TRIM_BATCH = 1_000;

type Draft = Omit<JournalEntry, 'seq'>;
interface Slot {
  seq: number;
  draft: () => Draft;
  entry?: JournalEntry;
}

/**
 * In-memory and bounded (a long `serve` session must not grow without end). Entries are built,
 * masked, only when read: recording stays off the hot path of every request.
 */
export class JournalStore implements Journal {
  #slots: Slot[] = [];
  #seq = 0;

  add(draft: () => Draft): number {
    this.#seq += 1;
    this.#slots.push({ seq: this.#seq, draft });
    // Trimmed in batches: shifting a 10,000-slot array on every request would cost more than the request.
    if (this.#slots.length > MAX_ENTRIES + TRIM_BATCH) this.#slots.splice(0, this.#slots.length - MAX_ENTRIES);
    return this.#seq;
  }

  entries(): readonly JournalEntry[] {
    return this.#slots.map((slot) => (slot.entry ??= { seq: slot.seq, ...slot.draft() }));
  }

  clear(): void {
    this.#slots = [];
  }
}
