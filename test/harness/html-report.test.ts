import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { isSecretKey } from '../../lib/mask.ts';
import { chromiumFor, launchChromium } from '../helpers/chromium.ts';

const execute = promisify(execFile);
const CLI = path.resolve('bin/connector-harness.js');
const hasChromium = chromiumFor('HTML report browser test');

/** Every string under a secret-like name in the shipped scenarios: the client secrets the report must never show. */
async function shippedSecrets(): Promise<string[]> {
  const secrets = new Set<string>();
  const walk = (value: unknown, secret: boolean): void => {
    if (typeof value === 'string' && secret && value.length >= 8) secrets.add(value);
    else if (Array.isArray(value)) for (const item of value) walk(item, secret);
    else if (value && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) walk(item, secret || isSecretKey(key));
  };
  for (const scenario of await loadScenarios(['fixtures/scenarios']))
    walk([scenario.config, scenario.idp.kind === 'fixture' ? scenario.idp.fixture.clients : []], false);
  return [...secrets];
}

describe.skipIf(!hasChromium)('the HTML report of the shipped suite, opened from disk in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let file: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'html-report-'));
    const { stdout } = await execute(process.execPath, [CLI, 'run', 'fixtures/scenarios', '-r', 'html', '-o', out], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    file = path.join(out, 'connector-harness.html');
    expect(stdout).toContain(`wrote ${file}`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    // Anything but the file itself is answered with an error, so a stray request cannot pass unseen.
    await page.route('**/*', (route) =>
      route.request().url() === pathToFileURL(file).href ? route.continue() : route.abort(),
    );
    await page.goto(pathToFileURL(file).href);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console error and no request but the file itself', () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
  });

  it('has a summary row and a sequence diagram for every scenario', async () => {
    const scenarios = await loadScenarios(['fixtures/scenarios']);
    await expect(page.locator('table.summary tbody tr').count()).resolves.toBe(scenarios.length);
    const sections = page.locator('section.scenario');
    await expect(sections.count()).resolves.toBe(scenarios.length);
    const arrows = await sections.evaluateAll((all) =>
      all.map((section) => section.querySelectorAll('.seq .arrow').length),
    );
    for (const count of arrows) expect(count).toBeGreaterThanOrEqual(6);
    // Every known-bad scenario says what was caught, and marks exactly one hop with its note.
    const knownBad = await page.locator('section.scenario:has(.caught)').evaluateAll((all) =>
      all.map((section) => ({
        notes: section.querySelectorAll('.seq .note').length,
        failing: new Set(
          [...section.querySelectorAll('.seq .arrow.failing')].map((arrow) => (arrow as HTMLElement).dataset.request),
        ).size,
      })),
    );
    expect(knownBad.length).toBe(scenarios.filter((scenario) => scenario.knownBad).length);
    for (const marks of knownBad) expect(marks).toEqual({ notes: 1, failing: 1 });
    await expect(page.locator('section.scenario:not(:has(.caught)) .arrow.failing').count()).resolves.toBe(0);
  });

  it.each([
    {
      scenario: 'config uses client_secret_post, the IdP expects client_secret_basic',
      request: 'POST /token',
      status: '401',
      check: 'Token endpoint auth method',
    },
    {
      scenario: 'userinfo answers an HTTP error; the connector loses its body',
      request: 'GET /userinfo',
      status: '403',
      check: 'Userinfo',
    },
    {
      // The report leads with the check that names the cause (the id_token's audience), not the sign-in's 500.
      scenario: 'OIDC id_token issued for another audience',
      request: 'POST /token',
      status: '200',
      check: 'id_token verification',
    },
    {
      scenario: 'token storage without tokenEndpointAuthMethod',
      request: 'getAccessTokenByRefreshToken(): no request reached the IdP',
      status: undefined,
      check: 'Refresh from the stored config',
    },
  ])('marks the hop that went wrong in "$scenario": $request', async ({ scenario, request, status, check }) => {
    const section = page.locator(`section.scenario[data-scenario="${scenario}"]`);
    const failing = await section
      .locator('.arrow.failing')
      .evaluateAll((all) => all.map((arrow) => ({ ...(arrow as HTMLElement).dataset })));
    expect(failing.map((arrow) => arrow.request)).toEqual(status ? [request, request] : [request]);
    expect(failing.find((arrow) => arrow.kind === 'answer')?.status).toBe(status);
    // The failing arrow is drawn red.
    await expect(
      section
        .locator('.arrow.failing')
        .first()
        .evaluate((arrow) => getComputedStyle(arrow, '::before').borderBottomColor),
    ).resolves.toBe('rgb(207, 34, 46)');
    await expect(section.locator('.seq .note').textContent()).resolves.toContain(check);
  });

  it('keeps secrets masked in the DOM', async () => {
    const content = `${await page.content()}\n${await page.locator('body').innerText()}`;
    const secrets = await shippedSecrets();
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(content, secret).not.toContain(secret);
    expect(content).toMatch(/client_secret=[\w-]{4}…\(\d+\)/);
    // Token-like values: JWTs, authorization codes, access and refresh tokens appear only masked.
    expect(content).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(content).not.toMatch(/\bcode=(?![\w.~+/=-]{0,4}…\(\d+\)|\*\*\*\(\d+\))[\w-]{12,}/);
    expect(content).not.toMatch(
      /"(access_token|refresh_token|id_token)": ?"(?![\w.~+/=-]{0,4}…\(\d+\)|\*\*\*\(\d+\))[^"]{12,}"/,
    );
  });

  it('keeps evidence folded until asked', async () => {
    const details = page.locator(
      'section.scenario[data-scenario="userinfo email that is not a string"] li.fail details',
    );
    await expect(details.locator('pre').isVisible()).resolves.toBe(false);
    await details.locator('summary').click();
    await expect(details.locator('pre').textContent()).resolves.toContain('rawUserinfo');
  });

  it('saves a screenshot of a representative scenario as a test artifact', async () => {
    const shot = path.join(path.dirname(file), 'wrong-auth-method.png');
    // A page of its own: after a click elsewhere Chromium's headless frames may never settle for the stability wait.
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await fresh.goto(pathToFileURL(file).href);
    await fresh
      .locator('section.scenario[data-scenario="config uses client_secret_post, the IdP expects client_secret_basic"]')
      .screenshot({ path: shot });
    expect((await readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
    console.log(`HTML report: ${file}\nscreenshot: ${shot}`);
  }, 60_000);
});

describe.skipIf(!hasChromium)('a failed scenario on an 800 px window', () => {
  it('leads with the cause and its fix, its hop drawn beside it, before the whole flow', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'html-cause-'));
    // The shipped known-bad auth-method scenario, as a normal scenario: it fails.
    const source = await readFile('fixtures/scenarios/known-bad/wrong-auth-method.yaml', 'utf8');
    const scenario = path.join(out, 'auth-method.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      scenario,
      source
        .replace(/^knownBad: true\n/m, '')
        .replace('../idp/standard.yaml', path.resolve('fixtures/scenarios/idp/standard.yaml')),
    );
    await execute(process.execPath, [CLI, 'run', scenario, '-r', 'html', '-r', 'junit', '-o', out], {
      env: { ...process.env, NO_COLOR: '1' },
    }).catch((error: { code?: number }) => expect(error.code).toBe(1));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 700 } });
      await page.goto(`${pathToFileURL(path.join(out, 'connector-harness.html')).href}#s1`);
      const cause = page.locator('section.scenario .cause');
      await expect(cause.locator('p').textContent()).resolves.toContain(
        'set "tokenEndpointAuthMethod": "client_secret_basic"',
      );
      // The callout and the cause's own hop, red: inside the first screen once the scenario is opened.
      await expect(cause.locator('.note').count()).resolves.toBe(0);
      for (const element of [cause.locator('p'), cause.locator('.arrow.failing').first()]) {
        const box = await element.boundingBox();
        expect(box).not.toBeNull();
        expect(box!.y + box!.height).toBeLessThanOrEqual(700);
      }
      await page.screenshot({ path: path.join(out, 'cause-800.png') });
    } finally {
      await browser.close();
    }
    // JUnit leads with the same cause and fix.
    const junit = await readFile(path.join(out, 'connector-harness.junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<failure message="Token endpoint auth method: [^"]*→ set &quot;tokenEndpointAuthMethod&quot;: &quot;client_secret_basic&quot;/,
    );
  }, 120_000);
});
