import { exportJWK, generateKeyPair } from 'jose';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFixture, parseFixture, startMockIdp, type Fixture, type FixtureInput } from '../../mock-idp/index.ts';
import { loadSigningKeys } from '../../mock-idp/server/keys.ts';
import { createMemoryStore } from '../../mock-idp/server/memory-adapter.ts';
import { paths } from '../../mock-idp/server/paths.ts';
import { createProvider } from '../../mock-idp/server/provider.ts';
import { UserDirectory } from '../../mock-idp/server/users.ts';

// The mock answers discovery and JWKS from documents it computes itself (before oidc-provider has
// loaded, and whatever Host a request names). They must be what oidc-provider itself renders.

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

/** oidc-provider alone, configured as the mock configures it, asked with the issuer's Host. */
async function renderedByOidcProvider(issuer: string, fixture: Fixture, jwks: Array<Record<string, unknown>>) {
  const provider = createProvider(
    issuer,
    fixture,
    new UserDirectory(fixture),
    jwks,
    paths(fixture.userinfo.path),
    createMemoryStore(),
  );
  const handle = provider.callback();
  const server = createServer((request, response) => void handle(request, response));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const get = (path: string) =>
    new Promise<unknown>((resolve, reject) => {
      const call = request({ host: '127.0.0.1', port, path, headers: { host: new URL(issuer).host } }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.once('end', () => resolve(JSON.parse(body)));
      });
      call.once('error', reject).end();
    });
  return { discovery: await get('/.well-known/openid-configuration'), jwks: await get('/jwks') };
}

async function servedByMock(input: FixtureInput | Fixture) {
  const idp = await startMockIdp(input);
  try {
    const get = async (path: string) => (await fetch(`${idp.issuer}${path}`)).json() as Promise<unknown>;
    return { issuer: idp.issuer, discovery: await get('/.well-known/openid-configuration'), jwks: await get('/jwks') };
  } finally {
    await idp.stop();
  }
}

const providerFixtures = (await readdir('fixtures/scenarios/providers', { recursive: true }))
  .filter((name) => /(^|\/)idp\/[^/]+\.(ya?ml|json)$/.test(name) && !name.endsWith('/facts.yaml'))
  .map((name) => `fixtures/scenarios/providers/${name}`);
const shipped = [
  'fixtures/default.yaml',
  ...(await readdir('fixtures/idp'))
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .map((name) => `fixtures/idp/${name}`),
  ...providerFixtures,
];

describe('discovery is what oidc-provider renders for the issuer', () => {
  for (const file of shipped) {
    it(file, async () => {
      const fixture = await loadFixture(file);
      const served = await servedByMock(fixture);
      const keys = await loadSigningKeys(fixture.keys);
      expect(served.discovery).toEqual(
        (await renderedByOidcProvider(served.issuer, fixture, keys.jwks as Array<Record<string, unknown>>)).discovery,
      );
    });
  }

  it('with scopes that leave out openid, and claims no standard profile has', async () => {
    const input: FixtureInput = {
      clients: [
        {
          clientId: 'c',
          clientSecret: 'static-metadata-secret-0123456789',
          tokenEndpointAuthMethod: 'client_secret_post',
        },
      ],
      users: [{ id: 'u', profile: { id: 7 }, claims: { org: 'acme', roles: ['admin'] } }],
      scopes: ['read:user', 'profile'],
      userinfo: { path: '/api/me' },
    };
    const served = await servedByMock(input);
    const fixture = parseFixture(input);
    const keys = await loadSigningKeys(undefined);
    expect(served.discovery).toEqual(
      (await renderedByOidcProvider(served.issuer, fixture, keys.jwks as Array<Record<string, unknown>>)).discovery,
    );
  });
});

describe('JWKS is what oidc-provider publishes for the keys', () => {
  it('generated keys', async () => {
    const fixture = parseFixture({
      clients: [{ clientId: 'c', tokenEndpointAuthMethod: 'none' }],
      users: [{ id: 'u', profile: {} }],
    });
    const keys = await loadSigningKeys(undefined);
    const { publicJwks } = await import('../../mock-idp/server/static-metadata.ts');
    expect(publicJwks(keys.jwks as Array<Record<string, unknown>>)).toEqual(
      (await renderedByOidcProvider('http://127.0.0.1:1', fixture, keys.jwks as Array<Record<string, unknown>>)).jwks,
    );
  });

  for (const [what, withNames] of [
    ['fixture keys with kid and alg', true],
    ['fixture keys without kid or alg (oidc-provider derives them)', false],
  ] as const) {
    it(what, async () => {
      const pair = async (alg: 'RS256' | 'ES256') => {
        const jwk = (await exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)) as Record<
          string,
          unknown
        >;
        return withNames ? { ...jwk, kid: `fixture-${alg}`, alg } : jwk;
      };
      const input: FixtureInput = {
        clients: [{ clientId: 'c', tokenEndpointAuthMethod: 'none' }],
        users: [{ id: 'u', profile: {} }],
        keys: [await pair('RS256'), await pair('ES256')],
      };
      const served = await servedByMock(input);
      expect(served.jwks).toEqual(
        (await renderedByOidcProvider(served.issuer, parseFixture(input), input.keys as Array<Record<string, unknown>>))
          .jwks,
      );
    });
  }
});
