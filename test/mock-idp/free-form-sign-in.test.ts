import * as client from 'openid-client';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { parseFreeFormSignIn } from '../../mock-idp/server/free-form-sign-in.ts';
import { REDIRECT_URI } from '../helpers/browser-hops.ts';
import { MOCK_IDP_CLI, runCli } from '../helpers/spawn-cli.ts';

/** The login page's "sign in as anyone" over plain HTTP: its checks, its answers, and what it leaves alone. */

const SECRET = 'free-form-secret-0123456789abcdef';
const fixture = (overrides: Partial<FixtureInput> = {}): FixtureInput => ({
  clients: [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }],
  users: [{ id: 'alice', profile: { sub: 'alice', name: 'Alice', email: 'alice@example.com' } }],
  ...overrides,
});

describe('parseFreeFormSignIn', () => {
  it.each([
    [{ id: '  ', claims: '{}' }, 'id', 'the user id is empty'],
    [{ id: 'a\tb', claims: '{}' }, 'id', 'control character'],
    [{ id: 'x'.repeat(256), claims: '{}' }, 'id', '256 characters long; 255 at most'],
    [{ id: 'carol', claims: '{"a": }' }, 'claims', 'the claims are not JSON: '],
    [{ id: 'carol', claims: 'null' }, 'claims', 'the claims are null, not a JSON object'],
    [{ id: 'carol', claims: '[1]' }, 'claims', 'the claims are an array, not a JSON object'],
    [{ id: 'carol', claims: '"carol"' }, 'claims', 'the claims are a string, not a JSON object'],
    [{ id: 'carol', claims: '42' }, 'claims', 'the claims are a number, not a JSON object'],
    [{ id: 'carol', claims: `${'{"a":'.repeat(70)}1${'}'.repeat(70)}` }, 'claims', 'nested more than 64 levels'],
    [{ id: 'carol', claims: '{"sub": "dave"}' }, 'claims', 'the claims say sub "dave" but the user id is "carol"'],
    [{ id: 'carol', claims: '{"sub": 7}' }, 'claims', 'the claims say sub 7'],
  ])('refuses %j: %s', (form, field, problem) => {
    const parsed = parseFreeFormSignIn(form);
    expect(parsed).toMatchObject({ ok: false, field });
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });

  it('takes an id with no claims, the sub repeated, and trims the id', () => {
    expect(parseFreeFormSignIn({ id: ' carol ' })).toEqual({ ok: true, id: 'carol', claims: {} });
    expect(parseFreeFormSignIn({ id: 'carol', claims: ' {"sub": "carol", "n": [1]} ' })).toEqual({
      ok: true,
      id: 'carol',
      claims: { sub: 'carol', n: [1] },
    });
  });
});

/** A browser tab's cookie jar over fetch, stopping at the login page or the redirect URI. */
function tab(idp: MockIdp) {
  const jar = new Map<string, string>();
  const send = async (url: URL | string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  };
  const follow = async (start: URL | string) => {
    let url = new URL(start, idp.issuer);
    for (let hop = 0; hop < 10; hop += 1) {
      if (url.href.startsWith(REDIRECT_URI)) return { url, response: undefined };
      const response = await send(url);
      const location = response.headers.get('location');
      if (!location) return { url, response };
      url = new URL(location, url);
    }
    throw new Error('too many redirects');
  };
  const signInAs = (page: URL, form: Record<string, string>) =>
    send(new URL(`${page.pathname}/login-as`, idp.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  return { send, follow, signInAs };
}

async function loginPage(idp: MockIdp, scope = 'openid profile email') {
  const browser = tab(idp);
  const config = await client.discovery(
    new URL(idp.issuer),
    'c',
    { redirect_uris: [REDIRECT_URI] },
    client.ClientSecretBasic(SECRET),
    { execute: [client.allowInsecureRequests] },
  );
  const nonce = client.randomNonce();
  const authorization = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    nonce,
    state: 'st',
    ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  const { url: page, response } = await browser.follow(authorization);
  expect(page.pathname).toMatch(/^\/interaction\/[^/]+$/);
  expect(response?.status).toBe(200);
  return { browser, config, nonce, page, html: await response!.text() };
}

/** Signs in as anyone over HTTP and exchanges the code with openid-client. */
async function freeFormTokens(idp: MockIdp, id: string, claims: Record<string, unknown>, scope?: string) {
  const { browser, config, nonce, page } = await loginPage(idp, scope);
  const answer = await browser.signInAs(page, { id, claims: JSON.stringify(claims) });
  expect(answer.status).toBe(303);
  const { url: callback } = await browser.follow(answer.headers.get('location')!);
  const tokens = await client.authorizationCodeGrant(config, callback, { expectedNonce: nonce, expectedState: 'st' });
  return { config, tokens };
}

describe('signing in as anyone, over HTTP', () => {
  it('a refused form is the page again (400, HTML, the problem and the typed text escaped), never a 500', async () => {
    const idp = await startMockIdp(fixture());
    try {
      const { browser, page } = await loginPage(idp);
      const answer = await browser.signInAs(page, { id: 'carol', claims: '{"note": "<script>x</script>",}' });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(answer.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
      const html = await answer.text();
      expect(html).toMatch(/<div class="error" role="alert" id="free-form-problem">the claims are not JSON: /);
      expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
      expect(html).not.toContain('<script>x</script>');
      expect(idp.journal.entries().at(-1)).toMatchObject({ endpoint: 'login', response: { status: 400 } });
      // The sign-in session survives the refusal.
      expect((await browser.signInAs(page, { id: 'carol', claims: '{}' })).status).toBe(303);
    } finally {
      await idp.stop();
    }
  });

  it('the id_token carries the typed claims through the fixture quirks, also after a refresh; a retyped id takes the new claims', async () => {
    const idp = await startMockIdp(fixture({ idToken: { stringBooleans: true } }));
    try {
      const claims = { email: 'carol@example.com', email_verified: true, tenant: { id: 7 } };
      const { config, tokens } = await freeFormTokens(idp, 'carol', claims, 'openid email offline_access');
      const jwks = createRemoteJWKSet(new URL(idp.endpoints.jwks));
      // The claim oidc-provider did not know is added, and the fixture's quirk bends the result.
      const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: idp.issuer, audience: 'c' });
      expect(payload).toMatchObject({
        sub: 'carol',
        email: 'carol@example.com',
        email_verified: 'true',
        tenant: { id: 7 },
      });
      expect(tokens.refresh_token).toBeTruthy();
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(decodeJwt(refreshed.id_token!)).toMatchObject({ sub: 'carol', tenant: { id: 7 } });

      const again = await freeFormTokens(idp, 'carol', { tenant: { id: 8 } });
      expect(await client.fetchUserInfo(again.config, again.tokens.access_token, 'carol')).toEqual({
        sub: 'carol',
        tenant: { id: 8 },
      });
      expect(decodeJwt(again.tokens.id_token!)).toMatchObject({ tenant: { id: 8 } });
      expect(decodeJwt(again.tokens.id_token!).email).toBeUndefined();
    } finally {
      await idp.stop();
    }
  });

  it('fixture users stay as they are: picked by user=<id>, named by login_hint, edited by /_users only', async () => {
    const idp = await startMockIdp(fixture());
    try {
      await freeFormTokens(idp, 'carol', { name: 'Carol' });
      // A free-form id is no fixture user: login_hint does not sign it in headlessly, /_users does not know it.
      const { html } = await loginPage(idp);
      expect(html).toContain('name="user" value="alice"');
      expect(html).not.toContain('value="carol"');
      const put = await fetch(`${idp.issuer}/_users/carol`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"profile": {}}',
      });
      expect(put.status).toBe(404);
      const hinted = tab(idp);
      const { url } = await hinted.follow(
        `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&login_hint=carol`,
      );
      expect(url.pathname).toMatch(/^\/interaction\//);
    } finally {
      await idp.stop();
    }
  });

  it("the page says where typed claims do not reach with this fixture's userinfo and token answer", async () => {
    const idp = await startMockIdp(
      fixture({
        userinfo: { override: { status: 500, body: 'oops' } },
        tokenResponse: { idToken: false },
      }),
    );
    try {
      const { html } = await loginPage(idp);
      expect(html).toContain('This fixture&#39;s userinfo answers a fixed body (HTTP 500), not the claims.');
      expect(html).toContain('Its token answer carries no id_token.');
    } finally {
      await idp.stop();
    }
  });
});

describe('the login page despite a defaultUser (loginPage, mock-idp serve --login-page)', () => {
  const authorizeUrl = (idp: MockIdp, extra = '') =>
    `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid${extra}`;

  it('shows the page instead of signing the defaultUser in; login_hint still signs in without it', async () => {
    const withPage = await startMockIdp(fixture({ defaultUser: 'alice' }), { loginPage: true });
    const without = await startMockIdp(fixture({ defaultUser: 'alice' }));
    try {
      const { url, response } = await tab(withPage).follow(authorizeUrl(withPage));
      expect(url.pathname).toMatch(/^\/interaction\//);
      expect(await response!.text()).toContain('Or sign in as anyone');
      expect((await tab(withPage).follow(authorizeUrl(withPage, '&login_hint=alice'))).url.href).toMatch(
        /^http:\/\/app\.test\/callback\?code=/,
      );
      // Off by default: scripted sign-ins of a fixture with a defaultUser never see a page.
      expect((await tab(without).follow(authorizeUrl(without))).url.href).toMatch(
        /^http:\/\/app\.test\/callback\?code=/,
      );
    } finally {
      await Promise.all([withPage.stop(), without.stop()]);
    }
  });

  it('mock-idp serve --login-page says so and shows the page', async () => {
    let page: string | undefined;
    const run = await runCli(
      MOCK_IDP_CLI,
      ['serve', 'fixtures/default.yaml', '--port', '0', '--quiet', '--login-page'],
      {
        onStdout: (text, child) => {
          const issuer = /issuer\s+(\S+)/.exec(text)?.[1];
          if (!issuer || !text.includes('sign-in') || page !== undefined) return;
          page = '';
          const browser = tab({ issuer } as MockIdp);
          void browser
            .follow(
              `${issuer}/authorize?response_type=code&client_id=logto-oauth2&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid`,
            )
            .then(({ url, response }) => (page = `${url.pathname} ${response?.status}`))
            .finally(() => child.kill('SIGTERM'));
        },
      },
    );
    expect(run.timedOut).toBe(false);
    expect(run.stdout).toMatch(
      /sign-in +a page: pick a user or sign in as anyone \(http:\/\/\S+\/_journal follows it live\)/,
    );
    // The sign-in stops at the page (200), not at the defaultUser's redirect back.
    expect(page).toMatch(/^\/interaction\/\S+ 200$/);
  }, 60_000);
});
