import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import type { Expectation, LinkInput } from './schema.ts';

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
  /** Account linking through the Account API, in place of a social sign-in. */
  link?: LinkInput;
  expect: Expectation;
  /** What loading did that the user should know (a bare config wrapped, real URLs pointed at the fixture's IdP). */
  notes?: string[];
  /** The provider library entry whose hosts the config's real endpoints named (before they were pointed at a fixture). */
  provider?: string;
}
