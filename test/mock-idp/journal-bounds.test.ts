import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { ENTRY_MAX_BYTES, JOURNAL_MAX_BYTES } from '../../mock-idp/server/journal-bounds.ts';

/**
 * The journal lives as long as `serve` does: it must stay within a byte budget however large the
 * requests (12k POSTs of 60 KB once held 816 MiB), say what it cut and how large it was, and give
 * its memory back when cleared.
 */

let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp({
    clients: [
      { clientId: 'c', clientSecret: 'bounds-secret-0123456789abcdef', tokenEndpointAuthMethod: 'client_secret_post' },
    ],
    users: [{ id: 'alice', profile: { sub: 'alice' } }],
  });
});
afterAll(() => idp.stop());
beforeEach(() => idp.journal.clear());

const post = async (form: Record<string, string>, headers: Record<string, string> = {}, url = idp.endpoints.token) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  await response.arrayBuffer();
  return response.status;
};

// Parameters of 2,000 characters: no value is cut, so the entries are as large as an entry can stay whole.
const wideForm = (index: number, fields = 7) => ({
  grant_type: 'authorization_code',
  client_id: 'c',
  n: String(index),
  ...Object.fromEntries(
    Array.from({ length: fields }, (_, field) => [`field${field}`, String(field % 10).repeat(2000)]),
  ),
});

describe('journal bounds', () => {
  it('cuts a 30 KB parameter and a long header, saying what was cut and its original size', async () => {
    expect(
      await post(
        {
          grant_type: 'authorization_code',
          client_id: 'c',
          client_secret: 'x'.repeat(30_000),
          note: 'n'.repeat(30_000),
        },
        { 'user-agent': 'u'.repeat(8000) },
      ),
    ).toBe(400);
    const served = (await (await fetch(`${idp.issuer}/_journal?endpoint=token`)).json()) as Array<
      Record<string, unknown>
    >;
    for (const entry of [idp.journal.entries().at(-1)!, served.at(-1)!] as Array<{
      params: Record<string, string>;
      headers: Record<string, string>;
      truncated?: string[];
      response: { status: number };
    }>) {
      expect(entry.response.status).toBe(400);
      // A secret keeps its real length in the mask, cut or not.
      expect(entry.params.client_secret).toBe('xxxx…(30000)');
      expect(entry.params.note!.startsWith('nnnn')).toBe(true);
      expect(entry.params.note!.length).toBeLessThan(2100);
      expect(entry.headers['user-agent']!.length).toBeLessThan(2100);
      expect(entry.truncated).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^params\.note: 30000 characters/),
          expect.stringMatching(/^headers\.user-agent: 8000 characters/),
        ]),
      );
    }
    expect(idp.journal.bytes()).toBeGreaterThan(0);
    expect(idp.journal.bytes()).toBeLessThanOrEqual(ENTRY_MAX_BYTES);
  });

  it('keeps small entries whole', async () => {
    await post({ grant_type: 'authorization_code', client_id: 'c', code: 'abc', note: 'short' });
    const entry = idp.journal.entries().at(-1)!;
    expect(entry.params.note).toBe('short');
    expect(entry.truncated).toBeUndefined();
    expect(entry.clientClosed).toBeUndefined();
  });

  it('stays under its byte cap after many large POSTs, dropping the oldest entries', async () => {
    await post(wideForm(0), {}, idp.endpoints.userinfo);
    const perEntry = idp.journal.bytes();
    expect(perEntry).toBeGreaterThan(ENTRY_MAX_BYTES / 2);
    expect(perEntry).toBeLessThanOrEqual(ENTRY_MAX_BYTES);
    const requests = Math.ceil((1.5 * JOURNAL_MAX_BYTES) / perEntry);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        // To userinfo, which refuses them fastest: the journal keeps the same from any endpoint.
        while (next < requests) await post(wideForm((next += 1)), {}, idp.endpoints.userinfo);
      }),
    );
    const entries = idp.journal.entries();
    expect(idp.journal.bytes()).toBeLessThanOrEqual(JOURNAL_MAX_BYTES);
    expect(idp.journal.bytes()).toBeGreaterThan(JOURNAL_MAX_BYTES / 2);
    expect(entries.length).toBeLessThan(requests);
    // The newest survive, in order.
    expect(Number(entries.at(-1)!.params.n)).toBeGreaterThan(requests - 8);
    const seqs = entries.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }, 120_000);

  it('cuts a 60 KB body of many parameters down to the budget of one entry', async () => {
    await post(wideForm(1, 30));
    const entry = idp.journal.entries().at(-1)!;
    expect(idp.journal.bytes()).toBeLessThanOrEqual(ENTRY_MAX_BYTES);
    // The status and the client auth the journal is read for are kept whatever the parameters cost.
    expect(entry.response.status).toBe(401);
    expect(entry.clientAuth).toMatchObject({ method: 'none', clientId: 'c', expected: 'client_secret_post' });
    expect(entry.truncated).toEqual(
      expect.arrayContaining([expect.stringMatching(/^params: 33 members, the first \d+ kept$/)]),
    );
  });

  it('clear() and DELETE /_journal return the accounting to zero; seq keeps counting', async () => {
    await post(wideForm(1));
    const before = idp.journal.entries().at(-1)!.seq;
    expect(idp.journal.bytes()).toBeGreaterThan(0);
    idp.journal.clear();
    expect(idp.journal.bytes()).toBe(0);
    expect(idp.journal.entries()).toEqual([]);
    await post(wideForm(2));
    expect(idp.journal.entries().at(-1)!.seq).toBeGreaterThan(before);
    expect((await fetch(`${idp.issuer}/_journal`, { method: 'DELETE' })).status).toBe(204);
    expect(idp.journal.bytes()).toBe(0);
  });
});
