import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';

const SECRET = 'bad-input-secret-0123456789abcdef';
let idp: MockIdp;

beforeAll(async () => {
  idp = await startMockIdp({
    clients: [
      {
        clientId: 'c',
        clientSecret: SECRET,
        tokenEndpointAuthMethod: 'client_secret_basic',
        redirectUris: [REDIRECT_URI],
      },
      { clientId: 'j', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_jwt' },
    ],
    users: [{ id: 'alice', profile: { sub: 'alice' } }],
    defaultUser: 'alice',
  });
});
afterAll(() => idp.stop());

// After every bad request the server must still serve.
afterEach(async () => {
  expect((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status).toBe(200);
});

// RFC 6749 §5.2 and §4.1.2.1, RFC 6750 (invalid_token) and RFC 7591 (invalid_redirect_uri, oidc-provider's answer to an unregistered one).
const RFC6749_ERRORS = [
  'invalid_redirect_uri',
  'unsupported_response_type',
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_token',
];

function expectOAuthError(response: { status: number; contentType: string | null; text: string }, error?: string) {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.contentType).toContain('application/json');
  const body = JSON.parse(response.text) as { error: string; error_description?: string };
  expect(RFC6749_ERRORS).toContain(body.error);
  if (error) expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  return body;
}

const token = (form: Record<string, string>, headers: Record<string, string> = { authorization: basic('c', SECRET) }) =>
  postForm(idp.endpoints.token, form, headers);

async function freshCode(clientId = 'c'): Promise<string> {
  const url = new URL(idp.endpoints.authorization);
  for (const [key, value] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
  }))
    url.searchParams.set(key, value);
  return (await hopToRedirect(url, REDIRECT_URI)).searchParams.get('code')!;
}

const assertion = (claims: Record<string, unknown>, secret = SECRET, alg = 'HS256') =>
  new SignJWT({ jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg })
    .setIssuer('j')
    .setSubject('j')
    .setAudience(idp.endpoints.token)
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(new TextEncoder().encode(secret));

describe('token endpoint rejects bad input with RFC 6749 errors', () => {
  it('missing grant_type', async () => expectOAuthError(await token({ code: 'x' }), 'invalid_request'));
  it('unknown grant_type', async () =>
    expectOAuthError(await token({ grant_type: 'password' }), 'unsupported_grant_type'));
  it('missing code', async () =>
    expectOAuthError(await token({ grant_type: 'authorization_code', redirect_uri: REDIRECT_URI }), 'invalid_request'));
  it('malformed form body', async () => {
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('c', SECRET) },
      body: '%%%&&&=',
    });
    expectOAuthError({
      status: response.status,
      contentType: response.headers.get('content-type'),
      text: await response.text(),
    });
  });
  it('broken JSON body', async () => {
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type": ',
    });
    const body = expectOAuthError(
      { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() },
      'invalid_request',
    );
    expect(body.error_description).toContain('JSON');
  });
  it('huge body', async () => {
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=authorization_code&code=${'x'.repeat(2 * 1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
  it('wrong secret', async () =>
    expectOAuthError(
      await token(
        { grant_type: 'authorization_code', code: await freshCode(), redirect_uri: REDIRECT_URI },
        { authorization: basic('c', 'wrong') },
      ),
      'invalid_client',
    ));
  it('unknown client', async () =>
    expectOAuthError(
      await token(
        { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI },
        { authorization: basic('nobody', 'x') },
      ),
      'invalid_client',
    ));
  it('wrong redirect_uri at token', async () =>
    expectOAuthError(
      await token({
        grant_type: 'authorization_code',
        code: await freshCode(),
        redirect_uri: 'http://elsewhere.test/cb',
      }),
      'invalid_grant',
    ));
  it('replayed code', async () => {
    const code = await freshCode();
    expect((await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).status).toBe(200);
    expectOAuthError(
      await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
      'invalid_grant',
    );
  });
  it('a method the client is not registered for, naming both', async () => {
    const body = expectOAuthError(
      await token(
        {
          grant_type: 'authorization_code',
          code: 'x',
          redirect_uri: REDIRECT_URI,
          client_id: 'c',
          client_secret: SECRET,
        },
        {},
      ),
      'invalid_client',
    );
    expect(body.error_description).toContain('client_secret_basic');
    expect(body.error_description).toContain('client_secret_post');
  });
});

describe('client assertions', () => {
  const withAssertion = async (value: string) =>
    token(
      {
        grant_type: 'authorization_code',
        code: await freshCode('j'),
        redirect_uri: REDIRECT_URI,
        client_id: 'j',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: value,
      },
      {},
    );

  it('expired assertion', async () => {
    const expired = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('j')
      .setSubject('j')
      .setAudience(idp.endpoints.token)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(new TextEncoder().encode(SECRET));
    expectOAuthError(await withAssertion(expired), 'invalid_client');
    const entry = idp.journal
      .entries()
      .filter((candidate) => candidate.endpoint === 'token')
      .at(-1)!;
    expect(entry.clientAuth?.assertion?.verified).toBe(false);
    expect(entry.clientAuth?.assertion?.error).toMatch(/exp/);
  });
  it('forged assertion (signed with another secret)', async () => {
    expectOAuthError(await withAssertion(await assertion({}, 'not-the-secret-0123456789abcdef')), 'invalid_client');
    const entry = idp.journal
      .entries()
      .filter((candidate) => candidate.endpoint === 'token')
      .at(-1)!;
    expect(entry.clientAuth?.assertion?.verified).toBe(false);
    expect(entry.clientAuth?.assertion?.error).toMatch(/signature/);
  });
  it('replayed jti', async () => {
    const jti = crypto.randomUUID();
    const once = await assertion({ jti });
    expect((await withAssertion(once)).status).toBe(200);
    expectOAuthError(await withAssertion(once), 'invalid_client');
  });
  it('not a JWT at all', async () => {
    const body = expectOAuthError(await withAssertion('not.a.jwt'));
    expect(['invalid_request', 'invalid_client']).toContain(body.error);
  });
});

describe('authorization endpoint and userinfo', () => {
  it('unknown client at authorize answers JSON, not a page', async () => {
    const response = await fetch(
      `${idp.endpoints.authorization}?response_type=code&client_id=nobody&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
    );
    expectOAuthError(
      { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() },
      'invalid_client',
    );
  });
  it('unregistered redirect_uri is not redirected to', async () => {
    const response = await fetch(
      `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent('http://evil.test/cb')}&scope=openid`,
      { redirect: 'manual' },
    );
    expect(response.headers.get('location')).toBeNull();
    expectOAuthError(
      { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() },
      'invalid_redirect_uri',
    );
  });
  it('unknown access token at userinfo → 401 invalid_token with WWW-Authenticate', async () => {
    const response = await fetch(idp.endpoints.userinfo, { headers: { authorization: 'Bearer nope' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
  });
  it('no token at userinfo → 401 saying where the token is read from', async () => {
    const response = await fetch(idp.endpoints.userinfo);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error_description: string }).error_description).toContain(
      'Authorization header',
    );
  });
});

describe('more bad input, same rules', () => {
  const raw = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, { redirect: 'manual', ...init });
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  };

  it('a code issued to another client is invalid_grant', async () => {
    const code = await freshCode('j');
    expectOAuthError(
      await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
      'invalid_grant',
    );
  });
  it('missing redirect_uri at the token endpoint', async () => {
    expectOAuthError(await token({ grant_type: 'authorization_code', code: await freshCode() }), 'invalid_request');
  });
  it('an unsupported content-type at the token endpoint', async () => {
    expectOAuthError(
      await raw(idp.endpoints.token, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: basic('c', SECRET) },
        body: 'grant_type=authorization_code',
      }),
      'invalid_request',
    );
  });
  it('a well-formed JSON body at the token endpoint (RFC 6749 wants a form) is refused as a request error', async () => {
    expectOAuthError(
      await raw(idp.endpoints.token, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic('c', SECRET) },
        body: JSON.stringify({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI }),
      }),
    );
  });
  it('an unknown refresh token', async () =>
    expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: 'never-issued' }), 'invalid_grant'));
  it('GET at the token endpoint answers RFC 6749 JSON, not a plain-text 404', async () => {
    expectOAuthError(await raw(`${idp.endpoints.token}?grant_type=authorization_code&code=x`), 'invalid_request');
  });
  it('a huge body at userinfo', async () => {
    const response = await raw(idp.endpoints.userinfo, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${'x'.repeat(2 * 1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ error: 'invalid_request' });
  });
  it('broken JSON at userinfo', async () => {
    const response = await raw(idp.endpoints.userinfo, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: '{"a":',
    });
    expectOAuthError(response, 'invalid_request');
  });
  it('a malformed Authorization header at userinfo', async () => {
    const response = await raw(idp.endpoints.userinfo, { headers: { authorization: 'Bearer' } });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toMatchObject({ error: 'invalid_token' });
  });
  it('a malformed Basic header at the token endpoint', async () => {
    expectOAuthError(
      await token(
        { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI },
        { authorization: 'Basic !!!not-base64' },
      ),
    );
  });
  it('revocation without client authentication', async () => {
    expectOAuthError(await postForm(idp.endpoints.revocation, { token: 'x' }));
  });
  it('an unknown interaction (stale sign-in page)', async () => {
    expectOAuthError(await raw(`${idp.issuer}/interaction/does-not-exist`), 'invalid_request');
  });
  it('a login form naming no user of the fixture', async () => {
    // Start a real interaction without the default user (login_hint names nobody), then submit a stranger.
    const start = await fetch(
      `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&login_hint=nobody`,
      { redirect: 'manual' },
    );
    const cookie = start.headers
      .getSetCookie()
      .map((header) => header.split(';')[0])
      .join('; ');
    const page = new URL(start.headers.get('location')!, idp.issuer);
    expect((await fetch(page, { headers: { cookie } })).status).toBe(200);
    const response = await postForm(`${page.href}/login`, { user: 'mallory' }, { cookie });
    const body = expectOAuthError(response, 'invalid_request');
    expect(body.error_description).toContain('alice');
  });
  it('an authorization request with an unsupported response_type is redirected back with an error', async () => {
    const location = (
      await fetch(
        `${idp.endpoints.authorization}?response_type=token&client_id=c&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&state=s`,
        { redirect: 'manual' },
      )
    ).headers.get('location');
    const callback = new URL(location!);
    expect(callback.href.startsWith(REDIRECT_URI)).toBe(true);
    // response_type=token defaults to the fragment response mode; read whichever carries the answer.
    const answer = callback.searchParams.has('error')
      ? callback.searchParams
      : new URLSearchParams(callback.hash.slice(1));
    expect(answer.get('error')).toMatch(/^(unsupported_response_type|invalid_request)$/);
    expect(answer.get('state')).toBe('s');
  });
});
