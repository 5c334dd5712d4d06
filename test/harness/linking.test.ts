import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLink } from '../../harness/checks/link.ts';
import { FlowRunner } from '../../harness/flow/flow-runner.ts';
import { loadScenario, loadScenarios } from '../../harness/scenario/load.ts';
import { UserError } from '../../lib/user-error.ts';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';

const FIXTURE = path.resolve('fixtures/scenarios/linking/idp/two-accounts.yaml');

async function scenarioFile(link: string, extra = ''): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'harness-link-'));
  const file = path.join(folder, 'scenario.yaml');
  await writeFile(
    file,
    [
      'name: link',
      'config:',
      '  authorizationEndpoint: "{{issuer}}/authorize"',
      '  tokenEndpoint: "{{issuer}}/token"',
      '  userInfoEndpoint: "{{issuer}}/userinfo"',
      '  clientId: basic-client',
      '  clientSecret: basic-secret-0123456789',
      '  tokenEndpointAuthMethod: client_secret_basic',
      '  tokenEndpointResponseType: json',
      '  scope: openid profile',
      '  profileMap: { id: sub }',
      `idp: { fixture: ${FIXTURE} }`,
      link,
      extra,
    ].join('\n'),
  );
  return file;
}

const problemOf = async (file: string) => {
  const error = await loadScenarios([file]).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  return (error as UserError).problems[0];
};

describe('the link: block', () => {
  it('reads action, scope and linkingOnly, with link as the default action', async () => {
    const plain = await loadScenario(await scenarioFile('link: {}'));
    expect(plain.link).toEqual({ action: 'link', linkingOnly: false });
    const full = await loadScenario(
      await scenarioFile('link: { action: replace, replaceWith: alice-work, scope: openid repo, linkingOnly: true }'),
    );
    expect(full.link).toEqual({
      action: 'replace',
      replaceWith: 'alice-work',
      scope: 'openid repo',
      linkingOnly: true,
    });
  });

  it('names file, line and field of a mistake in it', async () => {
    expect(await problemOf(await scenarioFile('link:\n  action: merge'))).toMatchObject({
      line: 14,
      field: 'link.action',
    });
    expect(await problemOf(await scenarioFile('link:\n  action: replace'))).toMatchObject({
      field: 'link.action',
      message: expect.stringContaining('needs `replaceWith'),
    });
    expect(await problemOf(await scenarioFile('link:\n  action: replace\n  replaceWith: carol'))).toMatchObject({
      line: 15,
      field: 'link.replaceWith',
      message: '"carol" is not a user of the fixture',
      hint: 'use one of: alice, alice-work',
    });
    expect(await problemOf(await scenarioFile('link:\n  action: replace\n  replaceWith: alice'))).toMatchObject({
      field: 'link.replaceWith',
      message: expect.stringContaining('replacing an identity with itself'),
    });
    expect(await problemOf(await scenarioFile('link:\n  replaceWith: alice-work'))).toMatchObject({
      field: 'link.replaceWith',
    });
    expect(await problemOf(await scenarioFile('link:\n  scope: " "'))).toMatchObject({ field: 'link.scope' });
    expect(await problemOf(await scenarioFile('link:\n  scopes: repo'))).toMatchObject({ field: 'link' });
    expect(await problemOf(await scenarioFile('link: {}', 'secondSignIn: { profile: { name: x } }'))).toMatchObject({
      field: 'secondSignIn',
    });
  });
});

describe('a link in-process', () => {
  const flows = new FlowRunner({ projectRoot: PACKAGE_ROOT });
  afterAll(() => flows.close());

  it('sends the link-time scope in place of the config’s, and the IdP receives it', async () => {
    const scenario = await loadScenario(await scenarioFile('link: { scope: openid profile repo }'));
    const observation = await flows.run(scenario);
    expect(new URL(observation.authorizationUri!).searchParams.get('scope')).toBe('openid profile repo');
    expect(observation.userInfo?.id).toBe('alice');
    expect(checkLink(observation)).toEqual([expect.objectContaining({ id: 'link.scope', status: 'pass' })]);
    // Without link: the config's scope goes out, and there is nothing to check.
    const signIn = await flows.run({ ...scenario, link: undefined });
    expect(new URL(signIn.authorizationUri!).searchParams.get('scope')).toBe('openid profile');
    expect(checkLink(signIn)).toEqual([]);
  });

  it('an OIDC connector’s link-time scope without openid fails, naming the fix', async () => {
    const scenario = await loadScenario(await scenarioFile('link: { scope: profile repo }'));
    const observation = await flows.run({
      ...scenario,
      connector: 'oidc',
      config: {
        ...scenario.config,
        idTokenVerificationConfig: { jwksUri: '{{issuer}}/jwks' },
      },
    });
    expect(new URL(observation.authorizationUri!).searchParams.get('scope')).toBe('profile repo');
    expect(checkLink(observation)[0]).toMatchObject({
      id: 'link.scope.openid',
      status: 'fail',
      hint: 'set link.scope: "openid profile repo"',
    });
  });
});
