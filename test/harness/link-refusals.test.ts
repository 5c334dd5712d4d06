import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLink } from '../../harness/checks/link.ts';
import { FlowRunner } from '../../harness/flow/flow-runner.ts';
import type { AccountCall } from '../../harness/logto-api/account-client.ts';
import type { UserRecord } from '../../harness/logto-api/management-client.ts';
import type { Observation } from '../../harness/observation.ts';
import { loadScenario, loadScenarios } from '../../harness/scenario/load.ts';
import { compareLink } from '../../harness/targets/logto/link/checks.ts';
import type { LinkObservation } from '../../harness/targets/logto/link/observation.ts';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import { UserError } from '../../lib/user-error.ts';

const HELD = 'fixtures/scenarios/linking/held-by-another-user.yaml';
const LAST = 'fixtures/scenarios/linking/unlink-last-identifier.yaml';
const FIXTURE = path.resolve('fixtures/scenarios/linking/idp/two-accounts.yaml');
const TARGET = 'harness-test-1';

async function scenarioFile(link: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'harness-refusal-')), 'scenario.yaml');
  await writeFile(
    file,
    [
      'name: refusal',
      'config:',
      '  authorizationEndpoint: "{{issuer}}/authorize"',
      '  tokenEndpoint: "{{issuer}}/token"',
      '  clientId: basic-client',
      '  clientSecret: basic-secret-0123456789',
      '  profileMap: { id: sub }',
      `idp: { fixture: ${FIXTURE} }`,
      link,
    ].join('\n'),
  );
  return file;
}
const problemOf = async (link: string) => {
  const error = await loadScenarios([await scenarioFile(link)]).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  return (error as UserError).problems[0];
};

describe('link.expectRefusal and the setups it goes with', () => {
  it('reads the shipped refusal scenarios', async () => {
    expect((await loadScenario(HELD)).link).toMatchObject({
      action: 'link',
      heldByAnotherUser: true,
      expectRefusal: 'user.identity_already_in_use',
    });
    expect((await loadScenario(LAST)).link).toMatchObject({
      action: 'unlink',
      socialOnly: true,
      expectRefusal: 'user.last_sign_in_method_required',
    });
  });

  it('names file, line and field of a refusal without its setup, a setup without its refusal, or a code it cannot set up', async () => {
    expect(await problemOf('link:\n  expectRefusal: user.nope')).toMatchObject({
      line: 10,
      field: 'link.expectRefusal',
      message: expect.stringContaining('use one of: user.identity_already_in_use, user.last_sign_in_method_required'),
    });
    expect(await problemOf('link:\n  expectRefusal: user.identity_already_in_use')).toMatchObject({
      line: 10,
      field: 'link.expectRefusal',
      message: 'user.identity_already_in_use needs its setup: `heldByAnotherUser: true`',
    });
    expect(await problemOf('link:\n  heldByAnotherUser: true')).toMatchObject({
      field: 'link.expectRefusal',
      message: expect.stringContaining('say `expectRefusal: user.identity_already_in_use`'),
    });
    expect(
      await problemOf('link:\n  socialOnly: true\n  action: unlink\n  expectRefusal: user.identity_already_in_use'),
    ).toMatchObject({
      field: 'link.expectRefusal',
      message: expect.stringContaining('user.last_sign_in_method_required'),
    });
    expect(
      await problemOf('link:\n  socialOnly: true\n  expectRefusal: user.last_sign_in_method_required'),
    ).toMatchObject({
      // No `action` in the file: the block's first line.
      line: 10,
      field: 'link.action',
    });
    expect(
      await problemOf(
        'link:\n  action: unlink\n  heldByAnotherUser: true\n  expectRefusal: user.identity_already_in_use',
      ),
    ).toMatchObject({ field: 'link.action' });
    expect(
      await problemOf(
        'link:\n  linkingOnly: true\n  heldByAnotherUser: true\n  expectRefusal: user.identity_already_in_use',
      ),
    ).toMatchObject({ field: 'link.linkingOnly' });
  });
});

describe('the refusals predicted in-process', () => {
  const flows = new FlowRunner({ projectRoot: PACKAGE_ROOT });
  afterAll(() => flows.close());

  it('predicts each from the connector’s calls, and says what it cannot see', async () => {
    for (const [file, said] of [
      [HELD, 'POST /api/my-account/identities with 422 user.identity_already_in_use'],
      [LAST, 'DELETE /api/my-account/identities/{target} with 400 user.last_sign_in_method_required'],
    ] as const) {
      const [check] = checkLink(await flows.run(await loadScenario(file)));
      expect(check).toMatchObject({ id: 'link.refusal', status: 'pass' });
      expect(check?.message).toContain(said);
      expect(check?.message).toContain('cannot see its users');
    }
  });

  it('fails an unlink of the only identifier when the connector maps an email Logto’s sign-up would keep', async () => {
    // alice of the two-accounts fixture has an email, which the connector maps by default.
    const alice = await flows.run({ ...(await loadScenario(LAST)), idp: (await loadScenario(HELD)).idp });
    expect(checkLink(alice)[0]).toMatchObject({
      id: 'link.refusal',
      status: 'fail',
      message: expect.stringContaining('the connector maps email ("alice@example.com")'),
      hint: expect.stringContaining('leave email out of profileMap'),
    });
  });

  it('fails when the connector gets no IdP user id: Logto stops before its refusal', async () => {
    const scenario = await loadScenario(HELD);
    const observation = await flows.run({ ...scenario, config: { ...scenario.config, profileMap: { id: 'nope' } } });
    expect(checkLink(observation)[0]).toMatchObject({ id: 'link.refusal', status: 'fail' });
  });
});

const user = (identities: UserRecord['identities'] = {}): UserRecord => ({
  id: 'u1',
  name: null,
  avatar: null,
  primaryEmail: null,
  primaryPhone: null,
  identities,
});

describe('logto.link.refused', () => {
  const flows = new FlowRunner({ projectRoot: PACKAGE_ROOT });
  let held: Observation;
  let last: Observation;
  beforeAll(async () => {
    held = await flows.run(await loadScenario(HELD));
    last = await flows.run(await loadScenario(LAST));
  });
  afterAll(() => flows.close());

  const linkRefused = (refusal: AccountCall): LinkObservation => ({
    connectorTarget: TARGET,
    before: user(),
    link: { linked: false, refusal },
    calls: [refusal],
    steps: [],
  });
  const unlinkAnswered = (call: AccountCall, identities: UserRecord['identities']): LinkObservation => ({
    connectorTarget: TARGET,
    before: user(identities),
    link: { linked: true },
    unlink: { call, user: user(identities) },
    calls: [call],
    steps: [],
  });
  const IN_USE = { request: 'POST /api/my-account/identities', status: 422, code: 'user.identity_already_in_use' };
  const LAST_ONE = {
    request: `DELETE /api/my-account/identities/${TARGET}`,
    status: 400,
    code: 'user.last_sign_in_method_required',
  };

  it('passes when Logto refuses with the expected code and status, saying what it means and what to do', () => {
    const [check] = compareLink(held, linkRefused(IN_USE));
    expect(check).toMatchObject({ id: 'logto.link.refused', status: 'pass' });
    expect(check?.message).toContain('POST /api/my-account/identities → 422 user.identity_already_in_use');
    expect(check?.message).toContain('What to do: the user signs in to the account that holds it');
    const [unlinked] = compareLink(last, unlinkAnswered(LAST_ONE, { [TARGET]: { userId: 'sam' } }));
    expect(unlinked).toMatchObject({ id: 'logto.link.refused', status: 'pass' });
    expect(unlinked?.message).toContain('Logto keeps at least one identifier');
  });

  it('fails when Logto linked or unlinked, answered another code or status, or dropped the identity anyway', () => {
    const linked = compareLink(held, { ...linkRefused(IN_USE), link: { linked: true } });
    expect(linked).toEqual([
      expect.objectContaining({
        id: 'logto.link.refused',
        status: 'fail',
        message: expect.stringContaining('Logto linked'),
      }),
    ]);
    expect(compareLink(held, linkRefused({ ...IN_USE, status: 400 }))[0]?.status).toBe('fail');
    const other = compareLink(
      held,
      linkRefused({ ...IN_USE, code: 'user.last_sign_in_method_required', status: 400 }),
    )[0];
    expect(other).toMatchObject({ status: 'fail', hint: expect.stringContaining('have the user add another way') });
    const gone = compareLink(last, unlinkAnswered({ ...LAST_ONE, status: 204, code: undefined }, {}))[0];
    expect(gone).toMatchObject({ status: 'fail', message: expect.stringContaining('Logto unlinked') });
    expect(compareLink(last, unlinkAnswered(LAST_ONE, {}))[0]?.message).toContain('yet the identity is gone');
  });

  it('a refusal no scenario expected says what Logto’s code means and what to do', () => {
    const scenario = { ...held, scenario: { ...held.scenario, link: { action: 'link' as const, linkingOnly: false } } };
    const [check] = compareLink(scenario, linkRefused(IN_USE));
    expect(check).toMatchObject({
      id: 'logto.link',
      status: 'fail',
      message: expect.stringContaining('another Logto user already holds this IdP account'),
      hint: expect.stringContaining('unlinks it there'),
    });
  });
});
