import type { Fixture, FixtureInput } from './fixture/schema.ts';
import type { Journal } from './journal.ts';
import type { EndpointPaths } from './server/paths.ts';

export interface StartOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Overrides fixture.issuer: the URL others reach this IdP at (e.g. from a container). */
  issuer?: string;
  /**
   * More names (`idp.lan`, `idp.lan:4000`; any port) under which the journal and users (`/_` routes)
   * answer, besides localhost, the issuer's host and IP addresses. The OAuth endpoints answer any name.
   */
  allowedHosts?: string[];
  /**
   * Show the login page on every sign-in without login_hint, even when the fixture names a
   * defaultUser: for a person picking a user, or signing in as anyone, by hand. Default false.
   */
  loginPage?: boolean;
  /** Where logs go; default: nowhere in-process. The CLI passes a masked console logger. */
  log?: (line: string) => void;
}

export interface MockIdp {
  /** e.g. `http://127.0.0.1:41234`; discovery at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** The endpoints as absolute URLs, as discovery announces them (userinfo honours fixture.userinfo.path). */
  endpoints: EndpointPaths;
  journal: Journal;
  fixture: Fixture;
  /**
   * Replace a user's profile (and claims) while running: a second sign-in sees the change. Throws
   * for an unknown user, or for claim names no user had at start (the id_token could not carry them).
   */
  updateUser(id: string, patch: { profile?: Record<string, unknown>; claims?: Record<string, unknown> }): void;
  stop(): Promise<void>;
}

export type StartMockIdp = (fixture: Fixture | FixtureInput, options?: StartOptions) => Promise<MockIdp>;
