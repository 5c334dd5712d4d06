import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementClient } from '../../harness/logto-api/management-client.ts';
import type { Hop, ScenarioResult } from '../../harness/model.ts';
import { leadingCheck } from '../../harness/report/leading-check.ts';
import { runScenarios } from '../../harness/run.ts';
import { loadScenario, loadScenarios } from '../../harness/scenario/load.ts';
import { containerIdpLauncher } from '../../harness/targets/logto-container/container-idp.ts';
import {
  detectContainerRuntime,
  startLogtoStack,
  type LogtoStack,
} from '../../harness/targets/logto-container/stack.ts';
import { createLogtoTarget } from '../../harness/targets/logto/index.ts';
import { stopWithoutLeftovers } from '../helpers/docker-leftovers.ts';

const runtime = await detectContainerRuntime();
if (!runtime.available)
  console.log(`skipped: account linking through a real Logto — ${runtime.reason}; it needs Docker or Podman`);

const check = (result: ScenarioResult | undefined, id: string) =>
  result?.checks.find((candidate) => candidate.id === id);
const flat = (hops: Hop[]): Hop[] => hops.flatMap((hop) => [hop, ...flat(hop.calls ?? [])]);
const cause = (result: ScenarioResult | undefined) => {
  const lead = result && leadingCheck(result.checks);
  return lead && { id: lead.id, message: lead.message, hint: lead.hint ?? null };
};

describe.skipIf(!runtime.available)('account linking through a real Logto (Account API)', () => {
  let stack: LogtoStack;
  let management: ManagementClient;
  let results: ScenarioResult[];
  /** The shipped wrong-auth-method config, signing in and linking: the same diagnosis expected. */
  let pair: ScenarioResult[];
  let accountCenterBefore: unknown;
  const byName = (part: string) => results.find((result) => result.name.includes(part));

  beforeAll(async () => {
    stack = await startLogtoStack({ log: (line) => console.log(line) });
    management = new ManagementClient({
      endpoint: stack.endpoint,
      appId: stack.m2mAppId,
      appSecret: stack.m2mAppSecret,
      resource: stack.resource,
    });
    accountCenterBefore = await management.getAccountCenter();
    const target = await createLogtoTarget({
      endpoint: stack.endpoint,
      m2mAppId: stack.m2mAppId,
      m2mAppSecret: stack.m2mAppSecret,
      resource: stack.resource,
      keep: false,
      idpLauncher: containerIdpLauncher({
        image: stack.images.mockIdp,
        network: stack.network,
        stackId: stack.stackId,
      }),
    });
    const wrong = { ...(await loadScenario('fixtures/scenarios/known-bad/wrong-auth-method.yaml')), knownBad: false };
    try {
      results = await runScenarios(await loadScenarios(['fixtures/scenarios/linking']), target);
      pair = await runScenarios([wrong, { ...wrong, link: { action: 'link', linkingOnly: false } }], target);
    } finally {
      await target.close?.();
    }
    for (const result of results)
      console.log(
        `${result.name} (${result.durationMs} ms): ${result.checks
          .filter((candidate) => candidate.id.startsWith('logto.link'))
          .map((candidate) => `${candidate.id} ${candidate.status}`)
          .join(', ')}`,
      );
  }, 900_000);
  afterAll(() => stopWithoutLeftovers(stack), 120_000);

  it('passes every shipped linking scenario, with no finding against the prediction', () => {
    expect(
      results.map((result) => ({
        name: result.name,
        failing: result.checks.filter((candidate) => candidate.status === 'fail').map((candidate) => candidate.id),
      })),
    ).toEqual(results.map((result) => ({ name: result.name, failing: [] })));
  });

  it('stores the token on link, serves it through the Account API, and the IdP accepts it', () => {
    const result = byName('with token storage');
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
    const result = byName('wider scope');
    expect(check(result, 'logto.link.scope')?.evidence).toMatchObject({ atIdp: 'openid profile repo offline_access' });
    expect(check(result, 'logto.link.token-secret.scope')?.status).toBe('pass');
  });

  it('replaces and unlinks: the token secret goes with the identity', () => {
    expect(check(byName('replace'), 'logto.link.replace')?.message).toContain('"alice-work"');
    expect(check(byName('unlink a linked identity'), 'logto.link.unlink')?.evidence).toMatchObject({
      accountApi: { status: 204 },
      identityAfter: null,
      tokenRead: { status: 404, code: 'secrets.third_party_token_set.token_not_found' },
    });
  });

  it('records what Logto answers to a social sign-in with a linking-only connector', () => {
    // Measured on Logto 1.42: the Experience API does not look at socialSignInConnectorTargets.
    expect(check(byName('only for linking'), 'logto.link.linking-only')?.status).toBe('warn');
  });

  it('draws the link in the sequence diagram: the Account API calls, the IdP inside verify, in order', () => {
    const drawn = flat(byName('with token storage')?.hops ?? []).map((hop) => `${hop.from}→${hop.to} ${hop.request}`);
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
    const result = byName('another Logto user already holds');
    console.log(`measured: ${check(result, 'logto.link.refused')?.message}`);
    expect(check(result, 'logto.link.refused')).toMatchObject({ status: 'pass' });
    expect(check(result, 'logto.link.refused')?.message).toContain(
      'POST /api/my-account/identities → 422 user.identity_already_in_use',
    );
    const refused = flat(result?.hops ?? []).find((hop) => hop.request === 'POST /api/my-account/identities');
    expect(refused?.response?.status).toBe(422);
  });

  it('refuses to unlink the only identifier of a user who signed up with the connector: 400 user.last_sign_in_method_required', () => {
    const result = byName('only way a user signs in');
    console.log(`measured: ${check(result, 'logto.link.refused')?.message}`);
    expect(check(result, 'logto.link.refused')).toMatchObject({ status: 'pass' });
    expect(check(result, 'logto.link.refused')?.message).toContain('400 user.last_sign_in_method_required');
    expect(check(result, 'logto.link.refused')?.evidence).toMatchObject({
      identityAfter: { identity: { userId: 'sam' } },
    });
  });

  it('a wrong config gets the same cause and fix through Logto whether the user signs in or links', () => {
    const [signedIn, linked] = pair;
    console.log(`sign-in: ${JSON.stringify(cause(signedIn))}\nlink: ${JSON.stringify(cause(linked))}`);
    expect(signedIn?.status).toBe('failed');
    expect(cause(signedIn)?.hint).toBeTruthy();
    expect(cause(linked)).toEqual(cause(signedIn));
  });

  it('leaves nothing in Logto: users, connectors, the account center as it was', async () => {
    expect(await management.getAccountCenter()).toEqual(accountCenterBefore);
    expect(await management.searchUsers('+harness-')).toEqual([]);
    expect(
      (await management.listConnectors()).filter((connector) => connector.metadata.target?.startsWith('harness-')),
    ).toEqual([]);
  });
});
