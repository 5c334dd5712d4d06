import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountClient } from '../../harness/logto-api/account-client.ts';
import { mask } from '../../lib/mask.ts';
import type { Hop, ScenarioResult } from '../../harness/model.ts';
import { flatten } from '../../harness/report/html/failing-hop.ts';
import { renderHtml } from '../../harness/report/html/page.ts';
import { linkHops } from '../../harness/targets/logto/link/hops.ts';
import { LinkSteps, type LinkStep } from '../../harness/targets/logto/link/steps.ts';
import { chromiumFor, launchChromium } from '../helpers/chromium.ts';
import { journalEntry as entry } from '../helpers/journal-entry.ts';

// Values as they are before any masking: none may reach the page.
const RAW = {
  password: 'link-password-0123456789-Aa1',
  record: 'verification-record-0123456789abcdef',
  social: 'social-record-0123456789abcdef',
  code: 'idp-code-0123456789abcdef',
  access: 'at-linked-0123456789abcdef',
  secret: 'client-secret-0123456789',
};
const TARGET = 'harness-link-1';

// The link's IdP traffic: the browser at authorize and the login page (1–2), Logto's connector
// exchanging the code and reading userinfo inside …/social/verify (3–4), the app's userinfo call with the stored token (5).
const JOURNAL = [
  entry(1, 'authorize', 'GET', '/authorize', 303, { response_type: 'code', scope: 'openid profile' }),
  entry(2, 'login', 'GET', '/interaction/x', 303),
  entry(
    3,
    'token',
    'POST',
    '/token',
    200,
    // The mock's journal masks the code when it records it.
    { grant_type: 'authorization_code', code: mask(RAW.code), client_secret: RAW.secret },
    { access_token: RAW.access, token_type: 'Bearer' },
  ),
  entry(4, 'userinfo', 'GET', '/userinfo', 200, {}, { sub: 'alice' }),
  entry(5, 'userinfo', 'GET', '/userinfo', 200, {}, { sub: 'alice' }),
];

// As LinkSteps records them (their bodies masked by the AccountClient).
const STEPS: LinkStep[] = [
  {
    kind: 'account',
    call: { request: 'POST /api/verifications/password', status: 201, body: { verificationRecordId: 'veri…(36)' } },
    sent: { password: '***(28)' },
    journal: { after: 0, until: 0 },
  },
  {
    kind: 'account',
    call: {
      request: 'POST /api/verifications/social',
      status: 200,
      body: { authorizationUri: 'http://idp/authorize' },
    },
    sent: { connectorId: 'c1', redirectUri: 'http://localhost:3000/harness/link-callback' },
    journal: { after: 0, until: 0 },
  },
  { kind: 'browser', journal: { after: 0, until: 2 } },
  {
    kind: 'account',
    call: { request: 'POST /api/verifications/social/verify', status: 200 },
    sent: { 'connectorData.code': 'idp-…(25)' },
    journal: { after: 2, until: 4 },
  },
  {
    kind: 'account',
    call: { request: 'POST /api/my-account/identities', status: 204 },
    sent: { 'logto-verification-id': 'veri…(36)' },
    journal: { after: 4, until: 4 },
  },
  {
    kind: 'account',
    call: {
      request: `GET /api/my-account/identities/${TARGET}/access-token`,
      status: 200,
      body: { access_token: 'at-l…(26)' },
    },
    journal: { after: 4, until: 4 },
  },
  { kind: 'probe', journal: { after: 4, until: 5 } },
];

const route = (hop: Hop) =>
  `${hop.role} ${hop.from}→${hop.to} ${hop.request}${hop.response?.status ? ` ${hop.response.status}` : ''}`;
const IN_ORDER = [
  'link app→logto POST /api/verifications/password 201',
  'link app→logto POST /api/verifications/social 200',
  'authorize browser→idp GET /authorize 303',
  'idp-page browser→idp GET /interaction/x 303',
  'link app→logto POST /api/verifications/social/verify 200',
  'code-exchange connector→idp POST /token 200',
  'userinfo connector→idp GET /userinfo 200',
  'link app→logto POST /api/my-account/identities 204',
  `token-read app→logto GET /api/my-account/identities/${TARGET}/access-token 200`,
  'token-probe app→idp GET /userinfo 200',
];

function linkingPage(): string {
  const result: ScenarioResult = {
    name: 'link a social identity with token storage',
    file: 'link.yaml',
    target: 'logto',
    knownBad: false,
    status: 'passed',
    checks: [{ id: 'logto.link', title: 'Link through the Account API', status: 'pass', message: 'linked' }],
    hops: linkHops(STEPS, JOURNAL),
    durationMs: 1000,
  };
  return renderHtml([result], { target: 'logto', generatedAt: 'now' });
}
const drawnRequests = (html: string) =>
  [...html.matchAll(/data-request="([^"]*)" data-kind="request"/g)].map(([, request]) => request);

describe('a link through the Account API in the sequence diagram', () => {
  it('draws each Account API call from the app to Logto, the connector’s IdP calls inside verify, the browser at the IdP', () => {
    expect(flatten(linkHops(STEPS, JOURNAL)).map(route)).toEqual(IN_ORDER);
  });

  it('the HTML report shows the link hops in order, with no secret of the link', () => {
    const html = linkingPage();
    expect(drawnRequests(html)).toEqual(IN_ORDER.map((line) => line.split(' ').slice(2, -1).join(' ')));
    for (const raw of Object.values(RAW)) expect(html).not.toContain(raw);
  });

  it('a refused link draws Logto’s code and message on the answer', () => {
    const refused = linkHops(
      [
        {
          kind: 'account',
          call: {
            request: 'POST /api/my-account/identities',
            status: 422,
            code: 'user.identity_already_in_use',
            body: {
              code: 'user.identity_already_in_use',
              message: 'The social account has been associated with an existing account.',
            },
          },
          journal: { after: 0, until: 0 },
        },
      ],
      [],
    );
    expect(refused[0]?.response).toEqual({
      status: 422,
      summary: 'user.identity_already_in_use: The social account has been associated with an existing account.',
    });
  });
});

describe('LinkSteps: each Account API call with the IdP journal around it', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ verificationRecordId: RAW.social, authorizationUri: 'http://idp/authorize' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('keeps the journal range, and masks the password, the IdP’s code and the verification record it sent', async () => {
    let seq = 0;
    const steps = new LinkSteps(new AccountClient(endpoint, 'user-token'), () => Promise.resolve(seq));
    await steps.call('POST', '/api/verifications/password', { password: RAW.password });
    await steps.atIdp('browser', () => Promise.resolve((seq = 2)));
    await steps.call('POST', '/api/verifications/social/verify', {
      verificationRecordId: RAW.social,
      connectorData: { code: RAW.code, state: 's1' },
    });
    await steps.call(
      'POST',
      '/api/my-account/identities',
      { newIdentifierVerificationRecordId: RAW.social },
      RAW.record,
    );
    await expect(steps.atIdp('probe', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(steps.steps.map((step) => [step.kind, 'journal' in step ? step.journal : undefined])).toEqual([
      ['account', { after: 0, until: 0 }],
      ['browser', { after: 0, until: 2 }],
      ['account', { after: 2, until: 2 }],
      ['account', { after: 2, until: 2 }],
      ['probe', { after: 2, until: 2 }],
    ]);
    expect(steps.steps[2]).toMatchObject({ sent: { 'connectorData.code': 'idp-…(25)', 'connectorData.state': 's1' } });
    const text = JSON.stringify(steps.steps);
    for (const raw of [RAW.password, RAW.code, RAW.social, RAW.record]) expect(text).not.toContain(raw);
  });
});

describe.skipIf(!chromiumFor('link hops browser test'))('the link hops in headless Chromium', () => {
  it('shows them as arrows in order between the app, the browser, Logto and the IdP', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'link-hops-')), 'report.html');
    await writeFile(file, linkingPage());
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(pathToFileURL(file).href);
      const scenario = page.locator('section.scenario').first();
      const heads = await scenario.locator('.seq .heads b').allTextContents();
      expect(heads).toEqual(['App (signed-in user)', 'Browser', 'Logto', 'Logto connector', 'IdP']);
      const requests = await scenario
        .locator('.seq .arrow[data-kind="request"]')
        .evaluateAll((arrows) => arrows.map((arrow) => arrow.getAttribute('data-request')));
      expect(requests).toEqual(IN_ORDER.map((line) => line.split(' ').slice(2, -1).join(' ')));
      await expect(scenario.locator('.seq .arrow[data-kind="request"]').first().isVisible()).resolves.toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
