import { describe, expect, it } from 'vitest';
import type { CheckResult, Hop, ScenarioResult } from '../../harness/model.ts';
import { failingHop } from '../../harness/report/html/failing-hop.ts';
import { renderHtml } from '../../harness/report/html/page.ts';
import { lanesOf } from '../../harness/report/html/sequence.ts';
import type { ExperienceStep } from '../../harness/targets/logto/experience-driver.ts';
import { experienceHops } from '../../harness/targets/logto/hops.ts';
import type { TokenRead, TokenUse } from '../../harness/targets/logto/token-use/use-stored-token.ts';
import { tokenUseHops } from '../../harness/targets/logto/token-use/hops.ts';
import { journalEntry as entry } from '../helpers/journal-entry.ts';

// Token values as they would be before any masking: none may reach the page.
const RAW = {
  access: 'at-before-expiry-0123456789abcdef',
  refreshed: 'at-after-refresh-0123456789abcdef',
  refresh: 'rt-stored-0123456789abcdefghij',
  rotated: 'rt-rotated-0123456789abcdefghij',
  secret: 'client-secret-0123456789',
};

// A sign-in through Logto (1–4), then the Account API reads: before expiry (the app's userinfo
// call 5), after expiry (Logto's refresh 6, the app's userinfo call 7), after the second expiry
// (Logto's refresh 8, refused), then the second sign-in's authorize (9), which is not token use.
const JOURNAL = [
  entry(1, 'authorize', 'GET', '/authorize', 303, { response_type: 'code', client_id: 'c' }),
  entry(2, 'login', 'GET', '/interaction/x', 303),
  entry(
    3,
    'token',
    'POST',
    '/token',
    200,
    { grant_type: 'authorization_code', code: 'abcdefghijklmnop', client_secret: RAW.secret },
    { access_token: RAW.access, refresh_token: RAW.refresh, expires_in: 4 },
  ),
  entry(4, 'userinfo', 'GET', '/userinfo', 200, {}, { sub: 'alice' }),
  entry(5, 'userinfo', 'GET', '/userinfo', 200, {}, { sub: 'alice' }),
  entry(
    6,
    'token',
    'POST',
    '/token',
    200,
    { grant_type: 'refresh_token', refresh_token: RAW.refresh, client_secret: RAW.secret },
    { access_token: RAW.refreshed, refresh_token: RAW.rotated, expires_in: 4 },
  ),
  entry(7, 'userinfo', 'GET', '/userinfo', 200, {}, { sub: 'alice' }),
  entry(
    8,
    'token',
    'POST',
    '/token',
    400,
    { grant_type: 'refresh_token', refresh_token: RAW.rotated, client_secret: RAW.secret },
    { error: 'invalid_grant' },
  ),
  entry(9, 'authorize', 'GET', '/authorize', 303, { response_type: 'code', client_id: 'c' }),
];
const STEPS: ExperienceStep[] = [
  { name: 'GET /oidc/auth', journal: { after: 0, until: 0 } },
  { name: 'the IdP', journal: { after: 0, until: 2 } },
  { name: 'POST …/social/:connectorId/verify', status: 204, journal: { after: 2, until: 4 } },
];

const read = (overrides: Partial<TokenRead> & Pick<TokenRead, 'step' | 'journal'>): TokenRead => ({
  waitedMs: 0,
  status: 200,
  body: { access_token: RAW.access, token_type: 'Bearer' },
  token: { idpUserinfo: { status: 200, sub: 'alice' } },
  metadata: { expiresAt: 1000, hasRefreshToken: true },
  refreshRequests: [],
  ...overrides,
});
const USE: TokenUse = {
  plan: {
    expiries: 2,
    why: 'the refresh answer has no refresh_token',
    afterExpiry: { kind: 'refreshed', again: true },
  },
  reads: [
    read({ step: 'before-expiry', journal: { after: 4, answered: 4, until: 5 } }),
    read({
      step: 'after-expiry',
      waitedMs: 4300,
      body: { access_token: RAW.refreshed },
      metadata: { expiresAt: 1004, hasRefreshToken: true },
      journal: { after: 5, answered: 6, until: 7 },
    }),
    read({
      step: 'after-second-expiry',
      waitedMs: 4300,
      status: 400,
      code: 'connector.general',
      body: { code: 'connector.general', message: 'invalid_grant' },
      token: undefined,
      journal: { after: 7, answered: 8, until: 8 },
    }),
  ],
  durationMs: 9000,
};

const signInHops = experienceHops(STEPS, JOURNAL);
const hops = [...signInHops, ...tokenUseHops(USE, JOURNAL)];
const check = (id: string, status: CheckResult['status'] = 'fail', title = id): CheckResult => ({
  id,
  title,
  status,
  message: `${title}: went wrong`,
  hint: 'do the fix',
});
const page = (checks: CheckResult[]) => {
  const result: ScenarioResult = {
    name: 'token storage through Logto',
    file: 'x.yaml',
    target: 'logto',
    knownBad: false,
    status: 'failed',
    checks,
    hops,
    durationMs: 9000,
  };
  return renderHtml([result], { target: 'logto', generatedAt: 'now' });
};
/** The arrows drawn red, as `request kind status`. */
// The whole flow's arrows only (the page's last diagram): the cause callout above it draws the failing hop once more on purpose.
const failingArrows = (html: string) =>
  [
    ...html
      .slice(html.lastIndexOf('<div class="seq'))
      .matchAll(/class="arrow [^"]*failing"[^>]*data-request="([^"]*)" data-kind="(\w+)"(?: data-status="(\d+)")?/g),
  ].map(([, request, kind, status]) => `${request} ${kind}${status ? ` ${status}` : ''}`);
const route = (hop: Hop) =>
  `${hop.from}→${hop.to} ${hop.request}${hop.response?.status ? ` ${hop.response.status}` : ''}`;

describe('the Account API reads of a stored token as hops', () => {
  const drawn = tokenUseHops(USE, JOURNAL);

  it('draws each read from the app to Logto, Logto’s refresh inside it, and the app’s userinfo call after it', () => {
    expect(drawn.map(route)).toEqual([
      'app→logto before expiry: GET /api/my-account/identities/:target/access-token 200',
      'app→idp GET /userinfo 200',
      'app→logto after expiry: GET /api/my-account/identities/:target/access-token 200',
      'app→idp GET /userinfo 200',
      'app→logto after the second expiry: GET /api/my-account/identities/:target/access-token 400',
    ]);
    expect(drawn.map((hop) => hop.role)).toEqual([
      'token-read',
      'token-probe',
      'token-read-expired',
      'token-probe',
      'token-read-expired-again',
    ]);
    expect(drawn[0]!.calls).toBeUndefined();
    expect(drawn[2]!.calls?.map((call) => `${call.role} ${route(call)} seq ${call.seq}`)).toEqual([
      'refresh connector→idp POST /token 200 seq 6',
    ]);
    expect(drawn[4]!.calls?.map((call) => `${call.role} ${route(call)} seq ${call.seq}`)).toEqual([
      'refresh connector→idp POST /token 400 seq 8',
    ]);
    expect(drawn[2]!.params).toMatchObject({ waited: '4.3 s' });
  });

  it('says what Logto answered and what it keeps stored after the read', () => {
    expect(drawn[2]!.response?.summary).toContain('stored: expiresAt 1004, a refresh token');
    expect(drawn[4]!.response?.summary).toMatch(/^connector\.general: invalid_grant · stored: expiresAt 1000/);
    const lost = tokenUseHops(
      {
        ...USE,
        reads: [
          read({
            step: 'after-expiry',
            status: 401,
            code: 'secrets.third_party_token_set.access_token_expired',
            body: { code: 'secrets.third_party_token_set.access_token_expired', message: 'expired' },
            token: undefined,
            metadata: undefined,
            journal: { after: 0, answered: 0, until: 0 },
          }),
        ],
      },
      JOURNAL,
    );
    expect(lost.map(route)).toEqual([
      'app→logto after expiry: GET /api/my-account/identities/:target/access-token 401',
    ]);
    expect(lost[0]!.response?.summary).toBe(
      'secrets.third_party_token_set.access_token_expired: expired · stored: no token secret any more',
    );
  });

  it('adds the app lane only when a run has token reads', () => {
    expect(lanesOf(signInHops)).toEqual(['browser', 'logto', 'connector', 'idp']);
    expect(lanesOf(hops)).toEqual(['app', 'browser', 'logto', 'connector', 'idp']);
  });
});

describe('a failing token-storage check in the HTML report', () => {
  it('draws the reads with their statuses on five lanes, the refresh rows between a read and its answer', () => {
    const html = page([check('logto.token-storage.account-read', 'pass')]);
    expect(html).toContain('<div class="seq l5"');
    expect(html).toContain('<b>App (signed-in user)</b>');
    const rows = [
      ...html.matchAll(
        /data-role="([\w-]+)"(?: data-seq="(\d+)")? data-request="([^"]*)" data-kind="(\w+)"(?: data-status="(\d+)")?/g,
      ),
    ]
      .map(
        ([, role = '', seq, request = '', kind, status]) =>
          `${role}${seq ? `#${seq}` : ''} ${kind}${status ? ` ${status}` : ''}${role.startsWith('token-read') ? ` ${request.split(':')[0]}` : ''}`,
      )
      .filter((row) => /^(token-|refresh)/.test(row));
    expect(rows).toEqual([
      'token-read request before expiry',
      'token-read answer 200 before expiry',
      'token-probe#5 request',
      'token-probe#5 answer 200',
      'token-read-expired request after expiry',
      'refresh#6 request',
      'refresh#6 answer 200',
      'token-read-expired answer 200 after expiry',
      'token-probe#7 request',
      'token-probe#7 answer 200',
      'token-read-expired-again request after the second expiry',
      'refresh#8 request',
      'refresh#8 answer 400',
      'token-read-expired-again answer 400 after the second expiry',
    ]);
    // App → Logto spans lanes 1 to 3 (grid lines 2 to 6); Logto's connector → IdP lanes 4 to 5.
    expect(html).toMatch(/class="arrow right " style="grid-column:2\/6" data-role="token-read-expired"/);
    expect(html).toMatch(/class="arrow right " style="grid-column:8\/10" data-role="refresh" data-seq="6"/);
    expect(failingArrows(html)).toEqual([]);
  });

  it.each([
    {
      id: 'logto.token-storage.account-read',
      marked: 'before expiry: GET /api/my-account/identities/:target/access-token',
      status: '200',
    },
    {
      id: 'logto.token-storage.after-expiry',
      marked: 'after expiry: GET /api/my-account/identities/:target/access-token',
      status: '200',
    },
    {
      id: 'logto.token-storage.expires-at',
      marked: 'after expiry: GET /api/my-account/identities/:target/access-token',
      status: '200',
    },
    { id: 'logto.token-storage.refresh-request', marked: 'POST /token', status: '200' },
    {
      id: 'logto.token-storage.kept-refresh-token',
      marked: 'after the second expiry: GET /api/my-account/identities/:target/access-token',
      status: '400',
    },
  ])('marks the hop $id is about in red, with its note', ({ id, marked, status }) => {
    const html = page([check('logto.token-storage.before', 'pass'), check(id, 'fail', `Title of ${id}`)]);
    expect(failingArrows(html)).toEqual([`${marked} request`, `${marked} answer ${status}`]);
    // The refresh marked is Logto's first one (seq 6), not the refused second.
    if (marked === 'POST /token') expect(html).toMatch(/failing"[^>]*data-role="refresh" data-seq="6"/);
    expect(html.match(/<div class="note" role="note">[^]*?<\/div>/)?.[0]).toContain(`Title of ${id}`);
  });

  it('points a check at the read after expiry when Logto sent no refresh', () => {
    const noRefresh = tokenUseHops(
      {
        ...USE,
        reads: USE.reads.map((each) => ({ ...each, journal: { ...each.journal, answered: each.journal.after } })),
      },
      JOURNAL.slice(0, 5),
    );
    expect(failingHop(check('logto.token-storage.refresh-request'), noRefresh)?.role).toBe('token-read-expired');
    expect(failingHop(check('storage.refresh'), [...signInHops, ...noRefresh])?.role).toBe('token-read-expired');
  });

  it('does not blame a sign-in check on an error answer of the token reads', () => {
    // The 400 after the second expiry and the refused refresh come after the sign-in, which had no error.
    const target = failingHop(check('logto.sync-profile'), hops);
    expect(target?.request).toBe('POST …/social/:connectorId/verify');
  });

  it('keeps every token value masked', () => {
    const html = page([check('logto.token-storage.refresh-request')]);
    for (const value of Object.values(RAW)) expect(html, value).not.toContain(value);
    // Masked, not left out: the refresh token Logto sent shows as its first characters and length.
    expect(html).toContain(`refresh_token=rt-s…(${RAW.refresh.length})`);
    expect(html).toMatch(/access_token&quot;:&quot;at-a…\(\d+\)/);
  });
});
