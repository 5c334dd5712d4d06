import type { Scenario } from './scenario/scenario.ts';

export type { ProfileField } from './scenario/schema.ts';
export type { Scenario };

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  /** Stable id, e.g. `profile.email`, `customConfig.audience`, `auth.method`, `token.response-type`. */
  id: string;
  title: string;
  status: CheckStatus;
  /** One line a user reads first. */
  message: string;
  /** What the check looked at (raw userinfo, the path read, journal excerpts…), secrets masked. */
  evidence?: Record<string, unknown>;
  /** The exact fix, when there is one. */
  hint?: string;
  /**
   * Set when no setting of the generic connector can fix what failed: why (in the connector's terms),
   * and the ways out (Logto's dedicated connector, a proxy, a custom connector).
   */
  unfixable?: { reason: string; waysOut: string[] };
}

export interface ScenarioResult {
  name: string;
  file: string;
  /** Where the scenario starts in its file (a `scenarios:` list holds several). */
  line?: number;
  target: string;
  knownBad: boolean;
  /** passed: every check passed (a known-bad scenario passes when it was caught as expected). */
  status: 'passed' | 'failed' | 'error';
  checks: CheckResult[];
  /** The Logto error a user would see, when the connector threw. */
  error?: { code: string; message: string; idpResponse?: unknown; /** Logto's HTTP status for it. */ status?: number };
  /** The connector package version that ran (in-process target). */
  connectorVersion?: string;
  /** The sign-in as a sequence of requests and answers, for the HTML report's diagram (secrets masked). */
  hops?: Hop[];
  durationMs: number;
}

/**
 * A participant of the sign-in: a lane of the sequence diagram. `app` is the signed-in user's
 * application calling Logto with the user's access token (the Logto target's Account API reads),
 * apart from the browser, which only carries cookies and redirects.
 */
export type Lane = 'app' | 'browser' | 'logto' | 'connector' | 'idp';

/** What a hop is in the sign-in; a failing check names the hop it is about by this. */
export type HopRole =
  | 'start'
  | 'authorize'
  | 'idp-page'
  | 'callback'
  | 'code-exchange'
  | 'userinfo'
  | 'jwks'
  | 'refresh'
  | 'experience'
  /** An Account API call of a link (verifications, my-account/identities), from the app to Logto. */
  | 'link'
  /** The stored token read through Logto's Account API: before expiry, after it, after the second expiry. */
  | 'token-read'
  | 'token-read-expired'
  | 'token-read-expired-again'
  /** The app trying the token Logto handed back at the IdP's userinfo. */
  | 'token-probe'
  | 'other';

/** One request and its answer between two participants; secrets masked. */
export interface Hop {
  role: HopRole;
  from: Lane;
  to: Lane;
  /** `GET /authorize`, `getAuthorizationUri()`, `POST /api/experience/submit`. */
  request: string;
  /** The parameters that matter: query or form, and how the client authenticated. */
  params?: Record<string, string>;
  /** Absent when no answer came: the request never left, or nothing called back. */
  response?: { status?: number; contentType?: string; summary: string };
  /** What happened on the caller's side, when the request never left (the connector threw first). */
  note?: string;
  /** The IdP journal entry this hop is, when it is one. */
  seq?: number;
  /** Requests made while this one was open (the connector's token and userinfo calls during the callback). */
  calls?: Hop[];
}

export interface RunContext {
  /** Progress lines for long work (the reporter decides how to show them). */
  progress(message: string): void;
  signal?: AbortSignal;
}

/**
 * What a target saw of one scenario: the checks over its observation, the error a user would see,
 * the sign-in as hops, the connector version that ran. A target says what it saw; it never judges
 * (harness/result.ts builds the ScenarioResult).
 */
export interface Observed {
  checks: CheckResult[];
  error?: ScenarioResult['error'];
  hops?: Hop[];
  connectorVersion?: string;
}

/** Where a scenario runs: the connector code in-process, or a real Logto. */
export interface Target {
  name: string;
  /**
   * Called once with every scenario before any runs: load what they need, and throw a UserError
   * (exit 2, no scenario runs) when something the user must fix is missing.
   */
  prepare?(scenarios: Scenario[]): Promise<void>;
  /** Runs one scenario and says what it saw; a UserError stops the whole run (exit 2). */
  observe(scenario: Scenario, context: RunContext): Promise<Observed>;
  /** Called once after all scenarios (clean up shared resources). */
  close?(): Promise<void>;
}
