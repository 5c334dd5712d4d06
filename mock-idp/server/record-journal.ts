import { answerThrown } from './error-boundary.ts';
import { endpointFor, type EndpointPaths } from './paths.ts';
import { record, type Capture } from './capture.ts';
import type { JournalStore } from './journal-store.ts';
import type { JournalState, OuterMiddleware } from './state.ts';

export const logLine = (seq: number, capture: Capture) =>
  `${seq} ${capture.method} ${capture.path} → ${capture.status}` +
  `${capture.journal.clientAuth ? ` (client auth: ${capture.journal.clientAuth.method})` : ''}` +
  `${capture.journal.errorDetail ? ` (${capture.journal.errorDetail})` : ''}` +
  `${capture.journal.fault ? ` [fault: ${capture.journal.fault}]` : ''}`;

/** The log of an IdP started without one (`--quiet`, in-process): its request lines are never even formatted. */
export const noLog = (_line: string): void => {};

/** Journals a request, and logs its line where someone reads the log. */
export function journalRequest(store: JournalStore, capture: Capture, log: (line: string) => void): void {
  const seq = record(store, capture);
  if (log !== noLog) log(logLine(seq, capture));
}

/** Records every request with its response, secrets masked, so tests can assert what a connector sent. */
export const recordJournal =
  (store: JournalStore, endpoints: EndpointPaths, log: (line: string) => void): OuterMiddleware =>
  async (ctx, next) => {
    const started = performance.now();
    const journal: JournalState = {};
    ctx.state.journal = journal;
    const { headers } = ctx.req;
    try {
      await next();
    } catch (error) {
      // Answered here, not only at the boundary outside: the journal records the status the client got.
      answerThrown(ctx, error, log);
    } finally {
      const endpoint = endpointFor(ctx.path, endpoints);
      if (endpoint !== 'admin') {
        const capture: Capture = {
          endpoint,
          method: ctx.method,
          path: ctx.path,
          // Set by readRequestBody, which runs unless something before it threw.
          params: ctx.state.params ?? {},
          headers,
          status: ctx.status,
          body: ctx.body,
          contentType: ctx.response.get('content-type') || undefined,
          location: ctx.response.get('location') || undefined,
          journal,
          // Not writable yet not ended by us: the client's socket is gone.
          ...(ctx.writable || ctx.res.writableEnded ? {} : { clientClosed: true }),
          at: new Date(),
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        };
        journalRequest(store, capture, log);
      }
    }
  };
