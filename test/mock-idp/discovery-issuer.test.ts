import * as client from 'openid-client';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { freePort } from '../../lib/free-port.ts';

const fixture = {
  clients: [
    {
      clientId: 'c',
      clientSecret: 'discovery-secret-0123456789abcdef',
      tokenEndpointAuthMethod: 'client_secret_basic' as const,
    },
  ],
  users: [{ id: 'alice', profile: { sub: 'alice' } }],
  defaultUser: 'alice',
};

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  revocation_endpoint: string;
  end_session_endpoint: string;
  pushed_authorization_request_endpoint?: string;
}

/** A raw GET with whatever Host headers a hostile or misconfigured client sends (fetch forbids setting Host). */
function getWithHeaders(url: string, headers: Record<string, string>) {
  const { hostname, port, pathname } = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const call = request({ host: hostname, port, path: pathname, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    call.once('error', reject).end();
  });
}

const discoveryAt = async (base: string) =>
  (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as Discovery;

/** Every URL discovery announces, checked against the issuer it must start with. */
function expectEndpointsUnder(document: Discovery, issuer: string) {
  expect(document.issuer).toBe(issuer);
  for (const [name, value] of Object.entries(document)) {
    if (name.endsWith('_endpoint') || name === 'jwks_uri')
      expect(`${name}: ${value as string}`).toBe(`${name}: ${issuer}${new URL(value as string).pathname}`);
  }
  expect(document.token_endpoint).toBe(`${issuer}/token`);
  expect(document.jwks_uri).toBe(`${issuer}/jwks`);
}

let idp: MockIdp | undefined;
afterEach(async () => {
  await idp?.stop();
  idp = undefined;
});

describe('discovery announces the issuer, whatever Host a request carried', () => {
  for (const [what, headers] of [
    ['a foreign Host', { host: 'attacker.example:6666' }],
    ['a foreign X-Forwarded-Host', { 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'https' }],
  ] as const) {
    it(`${what} on the first discovery request does not change what later clients see`, async () => {
      idp = await startMockIdp(fixture, { port: 0 });
      const first = await getWithHeaders(`${idp.issuer}/.well-known/openid-configuration`, headers);
      expect(first.status).toBe(200);
      expectEndpointsUnder(JSON.parse(first.body) as Discovery, idp.issuer);
      expectEndpointsUnder(await discoveryAt(idp.issuer), idp.issuer);
    });
  }

  it("with an issuer option, discovery announces that issuer's endpoints (as in the Docker setup)", async () => {
    const port = await freePort();
    idp = await startMockIdp(fixture, { port, issuer: 'http://host.docker.internal:4100' });
    // Reached the way the Docker setup's IdP container is reached from the host: by its local port.
    const document = await discoveryAt(`http://127.0.0.1:${port}`);
    expectEndpointsUnder(document, 'http://host.docker.internal:4100');
    expect((await discoveryAt(`http://127.0.0.1:${port}`)).userinfo_endpoint).toBe(
      'http://host.docker.internal:4100/userinfo',
    );
    expect(idp.endpoints.token).toBe(document.token_endpoint);
  });

  it("a discovery-based client (openid-client) gets the issuer's endpoints after a foreign-Host request", async () => {
    idp = await startMockIdp(fixture, { port: 0 });
    await getWithHeaders(`${idp.issuer}/.well-known/openid-configuration`, { host: 'attacker.example' });
    const config = await client.discovery(new URL(idp.issuer), 'c', 'discovery-secret-0123456789abcdef', undefined, {
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().token_endpoint).toBe(`${idp.issuer}/token`);
    expect(config.serverMetadata().userinfo_endpoint).toBe(`${idp.issuer}/userinfo`);
  });
});
