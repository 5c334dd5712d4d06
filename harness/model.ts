import type { Fixture } from '../mock-idp/fixture/schema.ts';
import type { Expectation, ProfileField } from './scenario/schema.ts';

export type { ProfileField };

/** A scenario after loading: one shape whatever the file said, the fixture resolved. */
export interface Scenario {
  /** The file it came from, and its line (for reports). */
  file: string;
  line?: number;
  name: string;
  description?: string;
  knownBad: boolean;
  connector: 'oauth2' | 'oidc';
  /** As the admin wrote it, `{{issuer}}` not yet substituted. */
  config: Record<string, unknown>;
  syncProfile: boolean;
  enableTokenStorage: boolean;
  idp: { kind: 'fixture'; fixture: Fixture; source: string } | { kind: 'url'; url: string };
  user?: string;
  secondSignIn?: { profile: Record<string, unknown> };
  expect: Expectation;
  /** What loading did that the user should know (a bare config wrapped, real URLs pointed at the fixture's IdP). */
  notes?: string[];
  /** The provider library entry whose hosts the config's real endpoints named (before they were pointed at a fixture). */
  provider?: string;
}

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

/** Where a scenario runs: the connector code in-process, or a real Logto. */
export interface Target {
  name: string;
  /**
   * Called once with every scenario before any runs: load what they need, and throw a UserError
   * (exit 2, no scenario runs) when something the user must fix is missing.
   */
  prepare?(scenarios: Scenario[]): Promise<void>;
  run(scenario: Scenario, context: RunContext): Promise<ScenarioResult>;
  /** Called once after all scenarios (clean up shared resources). */
  close?(): Promise<void>;
}
