import type { Observation } from '../observation.ts';
import type { CheckResult } from '../model.ts';
import type { Expectation } from '../scenario/schema.ts';
import type { FollowResult } from '../follow-redirects.ts';
import type { Placeholders } from './anonymize.ts';
import type { Exchange } from './exchange.ts';

/** Everything the live run left behind that a fixture can be written from. */
export interface Recording {
  /** The connector config as given, endpoints at the real IdP (never written as is). */
  config: Record<string, unknown>;
  connector: 'oauth2' | 'oidc';
  enableTokenStorage: boolean;
  authorizationUri?: string;
  exchanges: Exchange[];
  observation: Observation;
  /**
   * The live observation's checks under other expectations: the recorded scenario's own, not the
   * input's (an input expecting a profile field would otherwise leave a failing check to catch
   * that the replay, expecting only what was seen, never runs).
   */
  judge(expect: Expectation): CheckResult[];
  recordedAt: Date;
  /** The real IdP's host, named in the comments. */
  host: string;
  /** Where the browser stopped when the IdP never sent it back (the IdP's answer to the authorization request). */
  authorizeStop?: FollowResult['stoppedAt'];
}

export const RECORDED_USER = 'recorded-user';
export const RECORDED_CLIENT_ID = 'recorded-client';
export const RECORDED_CLIENT_SECRET = 'recorded-client-secret';
/** Where the scenario finds the fixture: a folder named idp/ is skipped when `run` walks a folder. */
export const FIXTURE_FILE = 'idp/fixture.yaml';
export const SCENARIO_FILE = 'scenario.yaml';

/**
 * What every section of the fixture is written from: the exchanges by their part in the sign-in,
 * and the one anonymiser (placeholders are numbered in the order values meet it, so sections are
 * written in a fixed order), with the notes each section adds.
 */
export interface WritingContext {
  recording: Recording;
  placeholders: Placeholders;
  /** Every live secret and what identifies this run at the real IdP (live-secrets.ts). */
  secrets: Set<string>;
  /** Free text written as is (a header, a redirect's description): every secret and replaced value cut out. */
  scrub: (text: string) => string;
  notes: string[];
  tokenCalls: Exchange[];
  codeExchange?: Exchange;
  refresh?: Exchange;
  /** The last userinfo request. */
  userinfo?: Exchange;
  /** The code exchange's answer, when it was a token (not an error). */
  tokenBody?: Record<string, unknown>;
}
