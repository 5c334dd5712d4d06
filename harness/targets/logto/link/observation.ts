import type { AccountCall } from '../../../logto-api/account-client.ts';
import type { IdentityWithSecret, UserRecord } from '../../../logto-api/management-client.ts';
import type { LogtoFailure } from '../observation.ts';
import type { LinkOutcome } from './link-flow.ts';
import type { LinkStep } from './steps.ts';

/** The stored token read back through the Account API, and what the IdP's userinfo said to it. */
export interface TokenReadBack {
  call: AccountCall;
  idpUserinfo?: { status: number; sub?: unknown };
}

/** What Logto did and stored when a signed-in user linked (and replaced, unlinked) the scenario's connector. */
export interface LinkObservation {
  connectorTarget: string;
  /** The password user before the link. */
  before: UserRecord;
  link: LinkOutcome;
  /** The user and identity after the link (Management API). */
  user?: UserRecord;
  identity?: IdentityWithSecret;
  tokenRead?: TokenReadBack;
  /** What reached the IdP during the link: the authorize request's scope, the token answer's scope. */
  idp?: { authorizeScope?: string; tokenAnswerScope?: string; journal: { after: number; until: number } };
  /** `action: link`: the same target linked a second time. */
  again?: LinkOutcome;
  replace?: { outcome: LinkOutcome; identity?: IdentityWithSecret };
  unlink?: { call: AccountCall; user?: UserRecord; identity?: IdentityWithSecret; tokenRead?: AccountCall };
  /** `linkingOnly`: a social sign-in with the connector, which is not on the sign-in experience. */
  socialSignIn?: { failure?: LogtoFailure };
  /** Every Account API call, in order (masked). */
  calls: AccountCall[];
  /** The same calls with the IdP journal's range around each, the browser's trips and the token probe: the diagram's. */
  steps: LinkStep[];
}
