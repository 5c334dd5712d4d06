import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { postForm, basic, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { chromiumFor, launchChromium } from '../helpers/chromium.ts';

const hasChromium = chromiumFor('login page browser test');

describe.skipIf(!hasChromium)('interactive login page in headless Chromium', () => {
  let idp: MockIdp;
  let browser: Browser;

  beforeAll(async () => {
    idp = await startMockIdp({
      description: 'Pick anyone',
      clients: [
        { clientId: 'web', clientSecret: 'web-secret-0123456789', tokenEndpointAuthMethod: 'client_secret_basic' },
      ],
      users: [
        { id: 'alice', profile: { sub: 'alice', name: 'Alice Example', email: 'alice@example.com' } },
        { id: 'bob', profile: { sub: 'bob', name: 'Bob <script>alert(1)</script>', email: 'bob@example.com' } },
      ],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.stop();
  });

  it('lists the fixture users; clicking one lands on the redirect URI with a code that exchanges', async () => {
    const page = await browser.newPage();
    // The app's redirect URI does not exist: capture the navigation to it instead of loading it.
    let landed: URL | undefined;
    await page.route(`${REDIRECT_URI}**`, async (route) => {
      landed = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>app</p>' });
    });
    await page.goto(
      `${idp.endpoints.authorization}?response_type=code&client_id=web&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid%20profile&state=xyz`,
    );
    await expect(page.getByRole('heading', { name: 'Sign in to the mock IdP' }).isVisible()).resolves.toBe(true);
    // One button per fixture user; the free-form sign-in has its own (debugger-page.test.ts).
    const buttons = page.locator('button[name="user"]');
    await expect(buttons.count()).resolves.toBe(2);
    // Names are escaped, never executed.
    await expect(page.getByText('Bob <script>alert(1)</script>').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: '/tmp/mock-idp-login.png' });

    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);
    expect(landed?.searchParams.get('state')).toBe('xyz');
    const code = landed?.searchParams.get('code');
    expect(code).toBeTruthy();

    const tokens = await postForm(
      idp.endpoints.token,
      { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI },
      { authorization: basic('web', 'web-secret-0123456789') },
    );
    expect(tokens.status).toBe(200);
    const { access_token: accessToken } = tokens.json() as { access_token: string };
    const userinfo = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(((await userinfo.json()) as { sub: string }).sub).toBe('alice');
  });

  it('shows an error for an unknown login_hint and still lets a person pick', async () => {
    const page = await browser.newPage();
    await page.goto(
      `${idp.endpoints.authorization}?response_type=code&client_id=web&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&login_hint=mallory`,
    );
    await expect(page.getByRole('alert').textContent()).resolves.toContain('mallory');
    await expect(page.locator('button[name="user"]').count()).resolves.toBe(2);
  });
});
