import { expect, it } from 'vitest';
import type { ScenarioResult } from '../../../harness/model.ts';
import { leadingCheck } from '../../../harness/report/leading-check.ts';
import { flatten } from '../../../harness/report/html/failing-hop.ts';
import { check, type SuiteRun } from './results.ts';

const cause = (result: ScenarioResult | undefined) => {
  const lead = result && leadingCheck(result.checks);
  return lead && { id: lead.id, message: lead.message, hint: lead.hint ?? null };
};

export interface LinkingRun {
  suite: SuiteRun;
  /** The shipped wrong-auth-method config, signing in and then linking: the same diagnosis expected. */
  pair: ScenarioResult[];
}

/** Account linking through a real Logto (Account API), read from the shipped linking scenarios of the suite's run. */
export function linkingTests(run: () => LinkingRun): void {
  const byName = (part: string) => run().suite.byName(part);

  it('passes every shipped linking scenario (fixtures/scenarios/linking), with no failing check at all', () => {
    const linked = run().suite.results.filter((result) => /(^|\/)fixtures\/scenarios\/linking\//.test(result.file));
    expect(linked.length).toBeGreaterThan(5);
    for (const result of linked)
      console.log(
        `${result.name} (${result.durationMs} ms): ${result.checks
          .filter((candidate) => candidate.id.startsWith('logto.link'))
          .map((candidate) => `${candidate.id} ${candidate.status}`)
          .join(', ')}`,
      );
    expect(
      linked.map((result) => ({
        name: result.name,
        failing: result.checks.filter((candidate) => candidate.status === 'fail').map((candidate) => candidate.id),
      })),
    ).toEqual(linked.map((result) => ({ name: result.name, failing: [] })));
  });

  it('stores the token on link, serves it through the Account API, and the IdP accepts it', () => {
    const result = byName('link a social identity with token storage');
    for (const id of ['logto.link', 'logto.link.details', 'logto.link.token-secret', 'logto.link.access-token'])
      expect(check(result, id)?.status, id).toBe('pass');
    // Logto 1.42 links without touching the user's own profile: name, avatar, email stay the password user's.
    expect(check(result, 'logto.link.profile')?.evidence).toMatchObject({
      before: { name: 'Harness Link User', avatar: null },
      after: { name: 'Harness Link User', avatar: null },
    });
    expect(check(result, 'logto.link.again')?.message).toContain('400 user.identity_already_in_use');
  });

  it('sends the link-time scope to the IdP and stores it as granted', () => {
    const result = byName('link with a wider scope than sign-in');
    expect(check(result, 'logto.link.scope')?.evidence).toMatchObject({ atIdp: 'openid profile repo offline_access' });
    expect(check(result, 'logto.link.token-secret.scope')?.status).toBe('pass');
  });

  it('replaces and unlinks: the token secret goes with the identity', () => {
    expect(check(byName('replace a linked identity'), 'logto.link.replace')?.message).toContain('"alice-work"');
    expect(check(byName('unlink a linked identity'), 'logto.link.unlink')?.evidence).toMatchObject({
      accountApi: { status: 204 },
      identityAfter: null,
      tokenRead: { status: 404, code: 'secrets.third_party_token_set.token_not_found' },
    });
  });

  it('records what Logto answers to a social sign-in with a linking-only connector', () => {
    // Measured on Logto 1.42: the Experience API does not look at socialSignInConnectorTargets.
    expect(check(byName('a connector used only for linking'), 'logto.link.linking-only')?.status).toBe('warn');
  });

  it('draws the link in the sequence diagram: the Account API calls, the IdP inside verify, in order', () => {
    const hops = byName('link a social identity with token storage')?.hops ?? [];
    const drawn = flatten(hops).map((hop) => `${hop.from}→${hop.to} ${hop.request}`);
    const order = [
      'app→logto POST /api/verifications/password',
      'app→logto POST /api/verifications/social',
      'browser→idp GET /authorize',
      'app→logto POST /api/verifications/social/verify',
      'connector→idp POST /token',
      'app→logto POST /api/my-account/identities',
    ];
    const at = order.map((line) => drawn.findIndex((candidate) => candidate.startsWith(line)));
    expect(
      at.every((index) => index >= 0),
      drawn.join('\n'),
    ).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(drawn.some((line) => line.includes('/access-token'))).toBe(true);
  });

  it('refuses to link an IdP account another Logto user holds: 422 user.identity_already_in_use', () => {
    const result = byName('link an IdP account another Logto user already holds');
    console.log(`measured: ${check(result, 'logto.link.refused')?.message}`);
    expect(check(result, 'logto.link.refused')).toMatchObject({ status: 'pass' });
    expect(check(result, 'logto.link.refused')?.message).toContain(
      'POST /api/my-account/identities → 422 user.identity_already_in_use',
    );
    const refused = flatten(result?.hops ?? []).find((hop) => hop.request === 'POST /api/my-account/identities');
    expect(refused?.response?.status).toBe(422);
  });

  it('refuses to unlink the only identifier of a user who signed up with the connector: 400 user.last_sign_in_method_required', () => {
    const result = byName('unlink the only way a user signs in');
    console.log(`measured: ${check(result, 'logto.link.refused')?.message}`);
    expect(check(result, 'logto.link.refused')).toMatchObject({ status: 'pass' });
    expect(check(result, 'logto.link.refused')?.message).toContain('400 user.last_sign_in_method_required');
    expect(check(result, 'logto.link.refused')?.evidence).toMatchObject({
      identityAfter: { identity: { userId: 'sam' } },
    });
  });

  it('a wrong config gets the same cause and fix through Logto whether the user signs in or links', () => {
    const [signedIn, linked] = run().pair;
    console.log(`sign-in: ${JSON.stringify(cause(signedIn))}\nlink: ${JSON.stringify(cause(linked))}`);
    expect(signedIn?.status).toBe('failed');
    expect(cause(signedIn)?.hint).toBeTruthy();
    expect(cause(linked)).toEqual(cause(signedIn));
  });
}
