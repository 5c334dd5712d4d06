import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { hopToRedirect, REDIRECT_URI } from '../helpers/browser-hops.ts';

/** Who signs in without a page (defaultUser, login_hint), the page otherwise, and logout with the session cookie. */

const SECRET = 'session-secret-0123456789abcdef';
const users = [
  { id: 'alice', profile: { sub: 'alice', name: 'Alice Example', email: 'alice@example.com' } },
  { id: 'bob', profile: { sub: 'bob', name: 'Bob Builder', email: 'bob@example.com' } },
];

let withDefault: MockIdp;
let withoutDefault: MockIdp;
beforeAll(async () => {
  const clients = [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' as const }];
  [withDefault, withoutDefault] = await Promise.all([
    startMockIdp({ clients, users, defaultUser: 'alice' }),
    startMockIdp({ description: 'Two people to pick from', clients, users }),
  ]);
});
afterAll(() => Promise.all([withDefault.stop(), withoutDefault.stop()]));

/** fetch with a cookie jar and no automatic redirects, as a browser tab would carry the IdP's session. */
function browser() {
  const jar = new Map<string, string>();
  const send = async (url: URL | string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
      },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  };
  /** Follows redirects until a page answers (or the redirect URI is reached): returns that URL and response. */
  const follow = async (start: URL | string) => {
    let url = new URL(start);
    for (let hop = 0; hop < 10; hop += 1) {
      if (url.href.startsWith(REDIRECT_URI)) return { url, response: undefined };
      const response = await send(url);
      const location = response.headers.get('location');
      if (!location) return { url, response };
      url = new URL(location, url);
    }
    throw new Error('too many redirects');
  };
  return { jar, send, follow };
}

const configOf = (idp: MockIdp) =>
  client.discovery(new URL(idp.issuer), 'c', { redirect_uris: [REDIRECT_URI] }, client.ClientSecretBasic(SECRET), {
    execute: [client.allowInsecureRequests],
  });

async function signInAs(idp: MockIdp, extra: Record<string, string> = {}) {
  const config = await configOf(idp);
  const callback = await hopToRedirect(
    client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid profile', ...extra }),
    REDIRECT_URI,
  );
  const tokens = await client.authorizationCodeGrant(config, callback);
  return {
    sub: decodeJwt(tokens.id_token!).sub,
    userinfo: await client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck),
  };
}

describe('headless login', () => {
  it('signs the default user in without a page', async () => {
    expect(await signInAs(withDefault)).toMatchObject({ sub: 'alice', userinfo: { name: 'Alice Example' } });
  });

  it('login_hint picks another user over the default', async () => {
    expect(await signInAs(withDefault, { login_hint: 'bob' })).toMatchObject({
      sub: 'bob',
      userinfo: { name: 'Bob Builder' },
    });
  });

  it('login_hint signs in headlessly when the fixture has no default user', async () => {
    expect(await signInAs(withoutDefault, { login_hint: 'bob' })).toMatchObject({
      sub: 'bob',
      userinfo: { email: 'bob@example.com' },
    });
  });

  it('the login step is journaled as `login`', () => {
    const logins = withDefault.journal.entries().filter((entry) => entry.endpoint === 'login');
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((entry) => entry.response.status < 400)).toBe(true);
  });
});

describe('login page (no default user, no hint)', () => {
  it('stops at an HTML page listing every user and the description; submitting a user finishes the sign-in', async () => {
    const tab = browser();
    const url =
      `${withoutDefault.endpoints.authorization}?response_type=code&client_id=c` +
      `&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&state=pick`;
    const { url: pageUrl, response } = await tab.follow(url);
    expect(pageUrl.pathname).toMatch(/^\/interaction\//);
    expect(response?.status).toBe(200);
    expect(response?.headers.get('content-type')).toContain('text/html');
    const html = await response!.text();
    for (const user of users) {
      expect(html).toContain(`name="user" value="${user.id}"`);
      expect(html).toContain(user.profile.name);
    }
    expect(html).toContain('Two people to pick from');
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const chosen = await tab.send(new URL(action, withoutDefault.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=bob',
    });
    const { url: callback } = await tab.follow(new URL(chosen.headers.get('location')!, withoutDefault.issuer));
    expect(callback.searchParams.get('state')).toBe('pick');
    const tokens = await client.authorizationCodeGrant(await configOf(withoutDefault), callback, {
      expectedState: 'pick',
    });
    expect(decodeJwt(tokens.id_token!).sub).toBe('bob');
  });
});

describe('end session', () => {
  it('logs out with the session cookie and lands on post_logout_redirect_uri with the state', async () => {
    const { jar, send, follow } = browser();
    const config = await configOf(withDefault);
    const { url } = await follow(client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid' }));
    const tokens = await client.authorizationCodeGrant(config, url);
    expect(jar.size).toBeGreaterThan(0);

    const logout = await send(
      client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: REDIRECT_URI,
        state: 'bye',
      }),
    );
    expect(logout.status).toBe(200);
    const html = await logout.text();
    // The page auto-submits its confirmation form; do what the browser would.
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const fields = Object.fromEntries(
      [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]),
    );
    expect(action).toBeTruthy();
    const confirm = await send(new URL(action!, withDefault.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, logout: 'yes' }),
    });
    expect([302, 303]).toContain(confirm.status);
    const { url: landing } = await follow(new URL(confirm.headers.get('location')!, withDefault.issuer));
    expect(landing.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(landing.searchParams.get('state')).toBe('bye');

    const endSession = withDefault.journal.entries().filter((entry) => entry.endpoint === 'end_session');
    expect(endSession.map((entry) => entry.response.status)).toEqual(expect.arrayContaining([200]));
    expect(endSession.every((entry) => entry.response.status < 400)).toBe(true);
  });
});
