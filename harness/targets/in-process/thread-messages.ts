import type { Fixture } from '../../../mock-idp/fixture/schema.ts';
import type { Problem } from '../../../lib/user-error.ts';
import type { ConnectorKind, ConnectorSource } from '../../connectors/load.ts';
import type { Observed, Scenario } from '../../model.ts';

/** One target's share of the thread: its own connector source and its own pool of mock IdPs. */
export interface SessionData {
  source: ConnectorSource;
  /** The connector kinds the run needs: loaded before the session takes scenarios. */
  kinds: ConnectorKind[];
  /** A fixture of the run, whose IdP starts before the session takes scenarios (the first loads oidc-provider). */
  warmUp?: Fixture;
}

export type ToThread =
  | ({ type: 'open'; session: number } & SessionData)
  | { type: 'observe'; session: number; id: number; scenario: Scenario }
  | { type: 'abort'; id: number }
  | { type: 'close'; session: number };

export type FromThread =
  | { type: 'opened'; session: number }
  | { type: 'observed'; session: number; id: number; observed: Observed; idpsStarted: number }
  // A UserError (problems) stops the whole run on either thread; anything else is that scenario's crash.
  | { type: 'failed'; session: number; id: number; message: string; problems?: Problem[]; idpsStarted: number }
  | { type: 'closed'; session: number };
