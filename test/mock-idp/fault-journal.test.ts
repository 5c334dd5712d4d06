import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';

// A fault answers before client authentication runs; the journal still says how the client authenticated.
let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp(
    {
      clients: [
        {
          clientId: 'faulty',
          clientSecret: 'faulty-secret-0123456789',
          tokenEndpointAuthMethod: 'client_secret_basic',
        },
      ],
      users: [{ id: 'alice', profile: { id: 'alice' } }],
      faults: [{ endpoint: 'token', status: 200, body: { error: 'invalid_client' } }],
    },
    { port: 0 },
  );
});
afterAll(() => idp?.stop());

it('records the client auth method of a token request a fault answered', async () => {
  const response = await fetch(idp.endpoints.token, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('faulty:faulty-secret-0123456789').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=authorization_code&code=x&redirect_uri=http%3A%2F%2Flocalhost%2Fcb',
  });
  expect(response.status).toBe(200);
  const entry = idp.journal.entries().find((candidate) => candidate.endpoint === 'token');
  expect(entry?.fault).toContain('status 200');
  expect(entry?.clientAuth).toEqual({ method: 'client_secret_basic', clientId: 'faulty' });
});
