/**
 * The "real" IdPs record is tested against: servers no one here wrote (oauth2-mock-server) and
 * quirky mock-idp fixtures, each on 127.0.0.1, port 0. Never the network.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OAuth2Server } from 'oauth2-mock-server';
import { startMockIdp, parseFixture, type MockIdp } from '../../../mock-idp/index.ts';
import type { FixtureInput } from '../../../mock-idp/fixture/schema.ts';

export interface RealIdp {
  /** Connector config with the IdP's real endpoint URLs. */
  config: Record<string, unknown>;
  /** The personal values the IdP holds (must not be written). */
  personal: string[];
  /** Secrets the test itself knows (client secret…); the tokens come from the proxy's exchanges. */
  secrets: string[];
  stop(): Promise<void>;
}

export const CLIENT_SECRET = 'live-client-secret-5b9e0c1d2f';
export const CLIENT_ID = 'live-client-id-7f3a';

export const JANE = { sub: 'jane-3141', name: 'Jane Roe-Livingston', email: 'jane.roe@corp-mail.example', numericId: 583231 };

/** A mock-idp playing a real provider with the given quirks. */
export async function quirkyMockIdp(overrides: Partial<FixtureInput>, config: Record<string, unknown>): Promise<RealIdp> {
  const fixture: FixtureInput = {
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_post' }],
    users: [{ id: JANE.sub, profile: { sub: JANE.sub, id: JANE.numericId, name: JANE.name, email: JANE.email, picture: 'https://cdn.corp-mail.example/jane.png' } }],
    defaultUser: JANE.sub,
    ...overrides,
  };
  const idp: MockIdp = await startMockIdp(parseFixture(fixture), { port: 0 });
  return {
    config: {
      authorizationEndpoint: `${idp.issuer}/authorize`,
      tokenEndpoint: `${idp.issuer}/token`,
      userInfoEndpoint: `${idp.issuer}${fixture.userinfo?.path ?? '/userinfo'}`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tokenEndpointAuthMethod: 'client_secret_post',
      ...config,
    },
    personal: [JANE.sub, JANE.name, JANE.email, String(JANE.numericId), 'https://cdn.corp-mail.example/jane.png'],
    secrets: [CLIENT_SECRET],
    stop: () => idp.stop(),
  };
}

export const NESTED = { id: 90817263, name: 'Kwame Mensah-Oduro', email: 'kwame.mensah@example-org.test', seats: 17 };

/** oauth2-mock-server (not ours) with a nested, numeric userinfo. */
export async function oauth2MockServer(): Promise<RealIdp> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  server.service.on('beforeUserinfo', (response: { body: unknown }) => {
    response.body = { data: { id: NESTED.id, profile: { name: NESTED.name, emails: [{ value: NESTED.email, primary: true }] }, plan: { seats: NESTED.seats, ratio: 0.75, active: true } } };
  });
  const issuer = server.issuer.url!.replace(/\/$/, '');
  return {
    config: {
      authorizationEndpoint: `${issuer}/authorize`,
      tokenEndpoint: `${issuer}/token`,
      userInfoEndpoint: `${issuer}/userinfo`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tokenEndpointAuthMethod: 'client_secret_basic',
      tokenEndpointResponseType: 'json',
      scope: 'openid profile',
      profileMap: { id: 'data.id', name: 'data.profile.name', email: 'data.profile.emails.0.value' },
    },
    personal: [String(NESTED.id), NESTED.name, NESTED.email, 'johndoe'],
    secrets: [CLIENT_SECRET],
    stop: () => server.stop(),
  };
}

export async function writeConfig(config: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'record-config-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}
