import type { Middleware, ParameterizedContext } from 'koa';
import type { ClientAuthRecord } from '../journal.ts';

/**
 * What the mock IdP's middlewares hand each other on `ctx.state`, typed once (oidc-provider keeps
 * its own on `ctx.oidc`). recordJournal sets `journal` and readRequestBody the rest, before any
 * endpoint's pipeline runs.
 */
export interface MockIdpState {
  /** Query and body parameters merged (body wins), as received. */
  params: Record<string, string>;
  /** The body as text (absent without one), for routes that take a JSON document. */
  rawBody?: string;
  /** Hands oidc-provider this text as the body instead (absent without a body). */
  replayBody?: (text: string) => void;
  /** What the journal entry records besides the request and the response. */
  journal: JournalState;
}

export type MockIdpContext = ParameterizedContext<MockIdpState>;
export type MockIdpMiddleware = Middleware<MockIdpState>;
/** The middlewares that run before the state is complete: they are the ones that complete it. */
export type OuterMiddleware = Middleware<Partial<MockIdpState>>;

/** What the journal entry of a request records besides the request and the response (record-journal.ts). */
export interface JournalState {
  /** The parameters as the client sent them, kept when a middleware adjusts them (replay-params.ts). */
  sent?: Record<string, string>;
  clientAuth?: ClientAuthRecord;
  fault?: string;
  errorDetail?: string;
}
