import type { Journal, JournalEntry } from '../journal.ts';
import { JOURNAL_MAX_BYTES } from './journal-bounds.ts';

const MAX_ENTRIES = 10_000;
const TRIM_BATCH = 1_000;

type Draft = Omit<JournalEntry, 'seq'>;
interface Slot {
  seq: number;
  bytes: number;
  draft?: () => Draft;
  entry?: JournalEntry;
}

function built(slot: Slot): JournalEntry {
  if (!slot.entry) {
    slot.entry = { seq: slot.seq, ...slot.draft!() };
    // Built once: the capture behind the draft can go.
    slot.draft = undefined;
  }
  return slot.entry;
}

/**
 * In-memory and bounded, by entries and by bytes (a long `serve` session must not grow without
 * end). Entries are built, masked, only when read: recording stays off the hot path of every request.
 */
export class JournalStore implements Journal {
  #slots: Slot[] = [];
  #seq = 0;
  #bytes = 0;

  /** `bytes`: the approximate size of what `draft` holds on to (see journal-bounds.ts). */
  add(draft: () => Draft, bytes: number): number {
    this.#seq += 1;
    this.#slots.push({ seq: this.#seq, bytes, draft });
    this.#bytes += bytes;
    // Trimmed in batches: shifting a 10,000-slot array on every request would cost more than the request.
    if (this.#slots.length > MAX_ENTRIES + TRIM_BATCH) this.#drop(this.#slots.length - MAX_ENTRIES);
    if (this.#bytes > JOURNAL_MAX_BYTES) {
      let count = 0;
      for (let freed = 0; this.#bytes - freed > JOURNAL_MAX_BYTES * 0.9 && count < this.#slots.length - 1; count += 1)
        freed += this.#slots[count]!.bytes;
      this.#drop(count);
    }
    return this.#seq;
  }

  #drop(count: number): void {
    for (const slot of this.#slots.splice(0, count)) this.#bytes -= slot.bytes;
  }

  entries(): readonly JournalEntry[] {
    return this.#slots.map(built);
  }

  /**
   * The entries after `seq`, found from the end: a harness run reads its own slice, and an IdP that served a
   * thousand scenarios before it must not cost it a pass over (and a build of) all of theirs.
   */
  entriesAfter(seq: number): readonly JournalEntry[] {
    let first = this.#slots.length;
    while (first > 0 && this.#slots[first - 1]!.seq > seq) first -= 1;
    return this.#slots.slice(first).map(built);
  }

  /** The seq of the newest entry kept (0: none), without building any. */
  lastSeq(): number {
    return this.#slots.at(-1)?.seq ?? 0;
  }

  bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#slots = [];
    this.#bytes = 0;
  }
}
