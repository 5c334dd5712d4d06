import type { TokenRequestSeen } from './token-use/idp-journal.ts';
import type { TokenUse } from './token-use/use-stored-token.ts';
import type { IdentityWithSecret, UserRecord } from '../../logto-api/management-client.ts';

/** A Logto API answer that stopped the sign-in, with the step it came from. */
export interface LogtoFailure {
  step: string;
  status?: number;
  code: string;
  message: string;
}

/** What Logto itself did and stored for one scenario. */
export interface LogtoObservation {
  /** The connector's `metadata.target`, the name Logto keys its identities by. */
  connectorTarget: string;
  connectorId: string;
  failure?: LogtoFailure;
  user?: UserRecord;
  identity?: IdentityWithSecret;
  /** What the application got: its ID token's claims. */
  app?: { claims: Record<string, unknown> };
  /** The token request Logto's connector sent, as the mock IdP's journal recorded it. */
  idpToken?: TokenRequestSeen;
  /** Token storage: Logto using the stored token through its Account API (reads, refreshes). */
  tokenUse?: TokenUse;
  /** The second sign-in, after the IdP changed the user's name/avatar. */
  second?: { changed: { name?: string; avatar?: string }; user?: UserRecord; failure?: LogtoFailure };
}
