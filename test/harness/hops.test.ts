import { describe, expect, it } from 'vitest';
import { failingHop, flatten } from '../../harness/report/html/failing-hop.ts';
import { renderHtml } from '../../harness/report/html/page.ts';
import { lanesOf } from '../../harness/report/html/sequence.ts';
import type { CheckResult, ScenarioResult } from '../../harness/model.ts';
import { experienceHops } from '../../harness/targets/logto/hops.ts';
import type { ExperienceStep } from '../../harness/targets/logto/experience-driver.ts';
import { journalEntry as entry } from '../helpers/journal-entry.ts';

// A sign-in through Logto whose connector sent the wrong client auth: the token call inside
// `…/verify` got a 401, and Logto answered the verify step with a 500.
const JOURNAL = [
  entry(1, 'authorize', 'GET', '/authorize', 303, { response_type: 'code', client_id: 'c' }),
  entry(2, 'login', 'GET', '/interaction/x', 303),
  entry(3, 'token', 'POST', '/token', 401, {
    grant_type: 'authorization_code',
    code: 'abcd…(43)',
    client_secret: 'sec-…(20)',
  }),
];
const STEPS: ExperienceStep[] = [
  { name: 'GET /oidc/auth', journal: { after: 0, until: 0 } },
  { name: 'PUT /api/experience', status: 204, journal: { after: 0, until: 0 } },
  { name: 'POST …/social/:connectorId/authorization-uri', status: 200, journal: { after: 0, until: 0 } },
  { name: 'the IdP', journal: { after: 0, until: 2 } },
  {
    name: 'POST …/social/:connectorId/verify',
    status: 500,
    error: 'connector.general: POST /api/… → 500',
    journal: { after: 2, until: 3 },
  },
];
const check = (id: string, title = id): CheckResult => ({
  id,
  title,
  status: 'fail',
  message: `${title} went wrong`,
  hint: 'do the fix',
});

describe('hops of a sign-in through Logto', () => {
  const hops = experienceHops(STEPS, JOURNAL);

  it('draws the Experience API steps on a Logto lane, the IdP calls of …/verify inside it', () => {
    expect(lanesOf(hops)).toEqual(['browser', 'logto', 'connector', 'idp']);
    expect(hops.map((hop) => `${hop.from}→${hop.to} ${hop.request}`)).toEqual([
      'browser→logto GET /oidc/auth',
      'browser→logto PUT /api/experience',
      'browser→logto POST …/social/:connectorId/authorization-uri',
      'browser→idp GET /authorize',
      'browser→idp GET /interaction/x',
      'browser→logto POST …/social/:connectorId/verify',
    ]);
    const verify = hops.at(-1)!;
    expect(verify.calls?.map((call) => `${call.from}→${call.to} ${call.request} ${call.response?.status}`)).toEqual([
      'connector→idp POST /token 401',
    ]);
    expect(verify.response).toEqual({ status: 500, summary: 'connector.general: POST /api/… → 500' });
  });

  it('points a client-auth check at the token call, a Logto check at the first error answer', () => {
    expect(failingHop(check('auth.method'), hops)?.request).toBe('POST /token');
    expect(failingHop(check('logto.user.email'), hops)?.request).toBe('POST /token');
    const withoutIdpError = experienceHops(STEPS, JOURNAL.slice(0, 2));
    expect(failingHop(check('logto.harness'), withoutIdpError)?.request).toBe('POST …/social/:connectorId/verify');
    expect(flatten(hops).length).toBe(7);
  });

  it('renders four lanes and marks the one hop, escaped and masked', () => {
    const result: ScenarioResult = {
      name: 'wrong auth <b>method</b> through Logto',
      file: 'x.yaml',
      target: 'logto',
      knownBad: true,
      status: 'passed',
      checks: [
        { id: 'sign-in', title: 'Sign-in', status: 'pass', message: 'failed as expected' },
        check('auth.method', 'Token endpoint auth method'),
      ],
      hops,
      durationMs: 5,
    };
    const page = renderHtml([result], { target: 'logto', generatedAt: 'now' });
    expect(page).toContain('<div class="seq l4"');
    expect(page).toContain('<b>Logto</b>');
    expect(page).toContain('wrong auth &lt;b&gt;method&lt;/b&gt; through Logto');
    expect(page.match(/class="arrow [^"]*failing/g)?.length).toBe(2);
    expect(page).toMatch(/failing"[^>]*data-request="POST \/token" data-kind="answer" data-status="401"/);
    expect(page).toContain('Fix: do the fix');
    expect(page).not.toMatch(/<script/i);
  });
});
