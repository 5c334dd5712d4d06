import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp, type MockIdp } from '../../mock-idp/index.ts';
import { SECRET, exchange, authorize, quirkFixture } from '../helpers/raw-flow.ts';
import { chromiumFor, launchChromium } from '../helpers/chromium.ts';

const hasChromium = chromiumFor('journal page browser test');

describe('GET /_journal content negotiation', () => {
  it('answers JSON to fetch, curl-like and JSON clients, the page only to a browser', async () => {
    const idp = await startMockIdp(quirkFixture());
    try {
      const url = `${idp.issuer}/_journal`;
      for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html;q=0.5']) {
        const response = await fetch(url, accept ? { headers: { accept } } : {});
        expect(response.headers.get('content-type'), `Accept: ${accept}`).toMatch(/^application\/json/);
        expect(Array.isArray(await response.json())).toBe(true);
      }
      const page = await fetch(url, {
        headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
      });
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await page.text()).toContain('Mock IdP journal');
    } finally {
      await idp.stop();
    }
  });
});

describe.skipIf(!hasChromium)('the journal page in headless Chromium', () => {
  let idp: MockIdp;
  let browser: Browser;

  beforeAll(async () => {
    idp = await startMockIdp(quirkFixture());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.stop();
  });

  it('follows a live sign-in without reloading, filters by endpoint, and keeps JSON for fetch', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const requested: string[] = [];
    await page.route('**/*', async (route) => {
      requested.push(route.request().url());
      await route.continue();
    });
    let navigations = 0;
    page.on('framenavigated', () => {
      navigations += 1;
    });

    await page.goto(`${idp.issuer}/_journal`);
    await expect(page.locator('#count').textContent()).resolves.toContain('waiting');
    expect(navigations).toBe(1);

    // A sign-in by an independent client while the page is open.
    const callback = await authorize(idp);
    const tokens = (await exchange(idp, callback.searchParams.get('code')!)).json() as {
      access_token: string;
      id_token: string;
    };
    await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } });

    await page.locator('.entry[data-endpoint="userinfo"]').waitFor({ timeout: 10_000 });
    expect(navigations).toBe(1);
    const seen = await page
      .locator('.entry')
      .evaluateAll((groups) => groups.map((group) => (group as HTMLElement).dataset.endpoint));
    expect(seen[0]).toBe('authorize');
    expect(seen).toEqual(expect.arrayContaining(['authorize', 'token', 'userinfo']));
    const tokenAnswer = page.locator('.entry[data-endpoint="token"] .arrow.answer');
    await expect(tokenAnswer.getAttribute('data-status')).resolves.toBe('200');
    await expect(page.locator('.entry[data-endpoint="token"] .arrow.request').textContent()).resolves.toContain(
      'client-auth=client_secret_basic',
    );

    // Secrets stay masked in the DOM.
    const content = await page.content();
    for (const secret of [SECRET, tokens.access_token, tokens.id_token, callback.searchParams.get('code')!])
      expect(content).not.toContain(secret);

    // An error answer is drawn red.
    await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=nope',
    });
    await page.locator('.entry[data-endpoint="token"] .arrow.answer.failing').waitFor({ timeout: 10_000 });

    await page.locator('#endpoint').selectOption('token');
    const visible = await page
      .locator('.entry:not([hidden])')
      .evaluateAll((groups) => groups.map((group) => (group as HTMLElement).dataset.endpoint));
    expect(visible.length).toBe(2);
    expect(new Set(visible)).toEqual(new Set(['token']));
    expect(new URL(page.url()).searchParams.get('endpoint')).toBe('token');

    const artifacts = await mkdtemp(path.join(tmpdir(), 'journal-page-'));
    const screenshot = path.join(artifacts, 'journal-page.png');
    await page.locator('#endpoint').selectOption('');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`journal page screenshot: ${screenshot}`);

    // JSON stays the answer for every client that is not a browser navigation, the page's own fetch included.
    const fromPage = await page.evaluate(async () => {
      const plain = await fetch('/_journal');
      const json = await fetch('/_journal?endpoint=token', { headers: { accept: 'application/json' } });
      return { plain: plain.headers.get('content-type'), body: (await json.json()) as Array<{ endpoint: string }> };
    });
    expect(fromPage.plain).toMatch(/^application\/json/);
    expect(fromPage.body.map((entry) => entry.endpoint)).toEqual(['token', 'token']);

    expect(errors).toEqual([]);
    for (const url of requested) expect(new URL(url).origin).toBe(idp.issuer);
    expect(requested.filter((url) => !new URL(url).pathname.startsWith('/_journal'))).toEqual([]);
  });
});
