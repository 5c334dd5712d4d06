import type { JournalEntry } from '../mock-idp/journal.ts';
import type { Scenario } from './model.ts';

/** What a sign-in that stops at the IdP (no redirect back) shows: Logto never hears of it. */
export const NEVER_BACK_AT_LOGTO = 'none (the browser never got back to Logto)';

/** A connector error as Logto would surface it. */
export interface ObservedError {
  /** Which step threw: the connector call, or the browser-like redirect following. */
  stage: 'authorization-uri' | 'idp-redirect' | 'sign-in' | 'refresh';
  /** The Logto error code a user would see, e.g. `connector.invalid_response`. */
  logtoCode: string;
  /** The HTTP status Logto answers with (absent when the browser never got back to Logto). */
  logtoStatus?: number;
  /** The ConnectorError code, e.g. `invalid_response`; absent when something else threw. */
  connectorCode?: string;
  message: string;
  /** The ConnectorError's data (a zod error, the IdP body the connector kept, …). */
  data?: unknown;
  /** The `code` of what was thrown when it is no ConnectorError, e.g. jose's `ERR_JWKS_NO_MATCHING_KEY`. */
  errorCode?: string;
  /** Why the sign-in stopped, when the harness knows: `unreachable`, the browser could not reach the IdP. */
  cause?: 'unreachable';
}

/** Everything one run of the real connector produced; the checks read only this. */
export interface Observation {
  scenario: Scenario;
  /** The config the connector was given (placeholders substituted). */
  config: Record<string, unknown>;
  connectorVersion: string;
  /** The issuer of the IdP the run talked to. */
  issuer: string;
  redirectUri: string;
  state: string;
  authorizationUri?: string;
  /** The query the IdP sent back to the redirect URI (code, state, or error). */
  callback?: Record<string, string>;
  /** Which connector call Logto would make. */
  signInPath: 'getTokenResponseAndUserInfo' | 'getUserInfo';
  tokenResponse?: Record<string, unknown>;
  userInfo?: Record<string, unknown>;
  refresh?: { attempted: boolean; response?: Record<string, unknown>; error?: ObservedError };
  error?: ObservedError;
  /** The IdP's journal for this run (empty for an external IdP that is not a mock-idp). */
  journal: JournalEntry[];
  /** False when the IdP keeps no journal the harness can read: the checks of what it saw are skipped. */
  journalAvailable?: boolean;
}
