import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { REDIRECT_URI } from '../helpers/browser-hops.ts';
import { chromiumFor, launchChromium } from '../helpers/chromium.ts';

const hasChromium = chromiumFor('debugger page browser test');
const SECRET = 'debugger-client-secret-0123456789';

/**
 * The debugger a developer uses by hand (issue #23 item 7): the login page signs in as any id with
 * claims typed as JSON, and the journal page shows the token and userinfo answers as they happen.
 */
describe.skipIf(!hasChromium)('the debugger pages in headless Chromium', () => {
  let idp: MockIdp;
  let browser: Browser;

  beforeAll(async () => {
    idp = await startMockIdp({
      clients: [{ clientId: 'web', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }],
      users: [{ id: 'alice', profile: { sub: 'alice', name: 'Alice Example', email: 'alice@example.com' } }],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.stop();
  });

  /** A page whose navigations to the app's (nonexistent) redirect URI are captured, not loaded. */
  async function appPage(): Promise<{ page: Page; landed: () => URL | undefined; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    let landed: URL | undefined;
    await page.route(`${REDIRECT_URI}**`, async (route) => {
      landed = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>app</p>' });
    });
    return { page, landed: () => landed, errors };
  }

  /** Submits the "sign in as anyone" form; the status the IdP answered the POST with. */
  async function signInAs(page: Page, id: string, claims: string): Promise<number> {
    await page.getByLabel('User id').fill(id);
    await page.getByLabel('Claims (a JSON object)').fill(claims);
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in with these claims' }).click(),
    ]);
    return answer.status();
  }

  it('signs in as any id with typed claims: an independent client sees them in userinfo and the id_token', async () => {
    const config = await client.discovery(
      new URL(idp.issuer),
      'web',
      { redirect_uris: [REDIRECT_URI] },
      client.ClientSecretBasic(SECRET),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });

    const journal = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await journal.goto(`${idp.issuer}/_journal`);
    await expect(journal.locator('#last-userinfo .meta').textContent()).resolves.toBe('none yet');

    const { page, landed, errors } = await appPage();
    await page.goto(authorizationUrl.href);
    await expect(page.getByRole('heading', { name: 'Or sign in as anyone' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'the journal (live)' }).getAttribute('href')).resolves.toBe(
      '/_journal',
    );
    const artifacts = await mkdtemp(path.join(tmpdir(), 'debugger-page-'));
    await page.screenshot({ path: path.join(artifacts, 'login-page.png'), fullPage: true });

    // Claim names no fixture user has (oidc-provider's list is fixed at start), nested values, markup.
    const claims = {
      email: 'carol@example.com',
      email_verified: true,
      department: 'R&D <b>',
      groups: ['admins', 'ops'],
      org: { id: 42, region: 'eu' },
    };
    expect(await signInAs(page, 'carol-42', JSON.stringify(claims, null, 2))).toBe(303);
    await page.waitForURL(`${REDIRECT_URI}**`);
    const callback = landed()!;
    expect(callback.searchParams.get('state')).toBe(state);

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
    });
    expect(tokens.claims()).toMatchObject({ ...claims, sub: 'carol-42', nonce, aud: 'web', iss: idp.issuer });
    // Re-signed with the IdP's published key: a client that verifies signatures accepts it.
    const verified = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(idp.endpoints.jwks)), {
      issuer: idp.issuer,
      audience: 'web',
    });
    expect(verified.payload).toMatchObject(claims);
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'carol-42');
    expect(userinfo).toEqual({ sub: 'carol-42', ...claims });

    // The journal page follows the flow without a reload: the last answers in full, masked.
    await journal.locator('#last-userinfo[data-seq]').waitFor({ timeout: 10_000 });
    await expect(journal.locator('#last-userinfo pre').textContent()).resolves.toContain('"department": "R&D <b>"');
    const tokenAnswer = await journal.locator('#last-token pre').textContent();
    expect(JSON.parse(tokenAnswer!)).toMatchObject({
      token_type: 'Bearer',
      access_token: expect.stringMatching(/…\(\d+\)$/),
    });
    await expect(journal.locator('#last-token .meta').textContent()).resolves.toContain('200 application/json');
    const login = journal.locator('.entry[data-endpoint="login"]', { hasText: '/login-as' });
    await expect(login.locator('.arrow.request').textContent()).resolves.toContain('id=carol-42');
    const content = await journal.content();
    for (const secret of [SECRET, tokens.access_token, tokens.id_token!, callback.searchParams.get('code')!, verifier])
      expect(content).not.toContain(secret);
    // Every entry unfolds to the whole (masked) entry.
    const tokenEntry = journal.locator('.entry[data-endpoint="token"]').first();
    await tokenEntry.locator('details.full summary').click();
    await expect(tokenEntry.locator('details.full pre').textContent()).resolves.toContain('"clientAuth"');
    await journal.screenshot({ path: path.join(artifacts, 'journal-page.png'), fullPage: true });
    console.log(`debugger screenshots: ${artifacts}`);

    // A later request moves the last answer along.
    await fetch(idp.endpoints.userinfo, { headers: { authorization: 'Bearer nope' } });
    await journal.locator('#last-userinfo.failing').waitFor({ timeout: 10_000 });
    await expect(journal.locator('#last-userinfo pre').textContent()).resolves.toContain('invalid_token');

    expect(errors).toEqual([]);
  }, 90_000);

  it('refuses bad claims on the page, keeps what was typed, and signs in once they are fixed', async () => {
    const { page, landed } = await appPage();
    await page.goto(
      `${idp.endpoints.authorization}?response_type=code&client_id=web&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&state=s1`,
    );

    expect(await signInAs(page, 'dave', '{"email": dave@example.com}')).toBe(400);
    const alert = page.locator('#free-form-problem');
    await expect(alert.textContent()).resolves.toMatch(/^the claims are not JSON: .+Type a JSON object/);
    await expect(page.getByLabel('Claims (a JSON object)').inputValue()).resolves.toBe('{"email": dave@example.com}');
    await expect(page.getByLabel('User id').inputValue()).resolves.toBe('dave');

    expect(await signInAs(page, 'dave', '["admins"]')).toBe(400);
    await expect(alert.textContent()).resolves.toContain('the claims are an array, not a JSON object');

    expect(await signInAs(page, 'dave', '{"sub": "someone-else"}')).toBe(400);
    await expect(alert.textContent()).resolves.toContain('the id is the sub');

    expect(await signInAs(page, 'alice', '{}')).toBe(400);
    await expect(alert.textContent()).resolves.toContain('"alice" is a user of this fixture');

    // The same sign-in session goes on once the claims are fixed.
    expect(await signInAs(page, 'dave', '{"email": "dave@example.com"}')).toBe(303);
    await page.waitForURL(`${REDIRECT_URI}**`);
    expect(landed()?.searchParams.get('state')).toBe('s1');
    expect(landed()?.searchParams.get('code')).toBeTruthy();
  }, 90_000);
});
