import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import { loadSigningKeys } from '../../mock-idp/server/keys.ts';
import { pipelines } from '../../mock-idp/server/pipelines.ts';
import { UserDirectory } from '../../mock-idp/server/users.ts';

/** The generated signing keys every fixture without `keys` gets. */
export const keys = await loadSigningKeys(undefined);

/** A fixture's per-endpoint pipelines as the server builds them, without a server. */
export const pipelinesOf = (fixture: Fixture) =>
  pipelines({
    fixture,
    keys,
    users: new UserDirectory(fixture),
    authorizeError: () => {},
    tokenAudiences: () => [],
    scopeOf: () => undefined,
  });
