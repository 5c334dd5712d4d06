import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from './browser-hops.ts';

export const SECRET = 'quirk-client-secret-0123456789';

/** A one-client, one-user fixture with the given quirks on top. */
export const quirkFixture = (overrides: Partial<FixtureInput> = {}): FixtureInput => ({
  clients: [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }],
  users: [
    {
      id: 'alice',
      profile: {
        sub: 'alice',
        name: 'Alice',
        email: 'alice@example.com',
        email_verified: true,
        phone: '+1555',
        phone_verified: true,
      },
    },
  ],
  defaultUser: 'alice',
  ...overrides,
});

export async function authorize(idp: MockIdp, params: Record<string, string> = {}): Promise<URL> {
  const url = new URL(idp.endpoints.authorization);
  for (const [key, value] of Object.entries({
    response_type: 'code',
    client_id: 'c',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state: 'st',
    ...params,
  }))
    url.searchParams.set(key, value);
  return hopToRedirect(url, REDIRECT_URI);
}

/** Raw token exchange (no client library), so the wire format itself can be asserted. */
export async function exchange(idp: MockIdp, code: string, extra: Record<string, string> = {}) {
  return postForm(
    idp.endpoints.token,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...extra },
    { authorization: basic('c', SECRET) },
  );
}

export async function withIdp<T>(fixture: FixtureInput, run: (idp: MockIdp) => Promise<T>): Promise<T> {
  const idp = await startMockIdp(fixture);
  try {
    return await run(idp);
  } finally {
    await idp.stop();
  }
}

export async function tokensFor(idp: MockIdp, params: Record<string, string> = {}) {
  const callback = await authorize(idp, params);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${callback.href}`);
  return exchange(idp, code);
}
