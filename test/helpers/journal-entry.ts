import type { JournalEntry } from '../../mock-idp/journal.ts';

/** A JSON journal entry for hop tests; an error status answers invalid_client unless a body is given. */
export const journalEntry = (
  seq: number,
  endpoint: JournalEntry['endpoint'],
  method: string,
  path: string,
  status: number,
  params: Record<string, string> = {},
  body: unknown = status >= 400 ? { error: 'invalid_client' } : { ok: true },
): JournalEntry => ({
  seq,
  at: new Date(0).toISOString(),
  endpoint,
  method,
  path,
  params,
  headers: {},
  response: { status, contentType: 'application/json', body },
  durationMs: 1,
});
