import type { FixtureInput } from '../mock-idp/fixture/schema.ts';

export const BENCH_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

/** The fixture every mock-idp benchmark serves: the clients the measured endpoints need. */
export const benchFixture: FixtureInput = {
  clients: [
    { clientId: 'basic', clientSecret: BENCH_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
    { clientId: 'jwt', clientSecret: BENCH_SECRET, tokenEndpointAuthMethod: 'client_secret_jwt' },
  ],
  users: [{ id: 'alice', profile: { sub: 'alice', name: 'Alice', email: 'alice@example.com' } }],
  defaultUser: 'alice',
};
