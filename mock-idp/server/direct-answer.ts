import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointName } from '../fixture/schema.ts';
import type { JournalStore } from './journal-store.ts';
import type { Capture } from './capture.ts';
import { journalRequest } from './record-journal.ts';

/** The path of a raw request URL; cheap, for deciding whether a fast path takes a request. */
export const pathOf = (url: string): string => {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
};

/** The query parameters of a raw request URL. */
export const queryOf = (url: string): Record<string, string> => {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? {} : Object.fromEntries(new URLSearchParams(url.slice(queryAt + 1)));
};

export interface DirectAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Answers a bodiless request straight from the HTTP server, past the koa stack, and journals it
 * the way the koa journal middleware would.
 */
export function answerDirectly(
  request: IncomingMessage,
  response: ServerResponse,
  endpoint: EndpointName,
  query: Record<string, string>,
  answer: DirectAnswer,
  journal: { store: JournalStore; log: (line: string) => void; started: number },
): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
  const capture: Capture = {
    endpoint,
    method: request.method ?? 'GET',
    path: pathOf(request.url ?? '/'),
    params: query,
    headers: request.headers,
    status: answer.status,
    body: answer.body,
    contentType: answer.headers['content-type'],
    journal: {},
    at: new Date(),
    durationMs: Math.round((performance.now() - journal.started) * 100) / 100,
  };
  journalRequest(journal.store, capture, journal.log);
}
