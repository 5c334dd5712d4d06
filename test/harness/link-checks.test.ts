import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowRunner } from '../../harness/flow/flow-runner.ts';
import { AccountClient } from '../../harness/logto-api/account-client.ts';
import type { UserRecord } from '../../harness/logto-api/management-client.ts';
import type { Observation } from '../../harness/observation.ts';
import { loadScenario } from '../../harness/scenario/load.ts';
import { compareLink } from '../../harness/targets/logto/link/checks.ts';
import type { LinkObservation } from '../../harness/targets/logto/link/observation.ts';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';

const TARGET = 'harness-test-1';
const user = (patch: Partial<UserRecord> = {}): UserRecord => ({
  id: 'u1',
  name: 'Harness Link User',
  avatar: null,
  primaryEmail: 'link-user+harness-test-1@example.com',
  primaryPhone: null,
  identities: {},
  ...patch,
});
const linked = (call = { request: 'POST /api/my-account/identities', status: 204 }) => call;

/** What Logto stores when it does what the prediction says. */
function asPredicted(predicted: Observation): LinkObservation {
  const info = predicted.userInfo!;
  const identity = { userId: String(info.id), details: info };
  return {
    connectorTarget: TARGET,
    before: user(),
    link: { linked: true },
    user: user({ identities: { [TARGET]: identity } }),
    identity: {
      identity,
      tokenSecret: { metadata: { hasRefreshToken: true, scope: 'openid profile email offline_access' } },
    },
    tokenRead: { call: { request: 'GET …/access-token', status: 200 }, idpUserinfo: { status: 200, sub: 'alice' } },
    idp: {
      authorizeScope: 'openid profile email offline_access',
      tokenAnswerScope: 'openid profile email offline_access',
      journal: { after: 0, until: 3 },
    },
    calls: [linked()],
    steps: [],
  };
}
const status = (checks: ReturnType<typeof compareLink>, id: string) => checks.find((check) => check.id === id)?.status;

describe('logto.link.* checks', () => {
  const flows = new FlowRunner({ projectRoot: PACKAGE_ROOT });
  let predicted: Observation;
  beforeAll(async () => {
    predicted = await flows.run(await loadScenario('fixtures/scenarios/linking/link-token-storage.yaml'));
  });
  afterAll(() => flows.close());

  it('pass when Logto stored what the prediction says, with the Account API answers as evidence', () => {
    const checks = compareLink(predicted, asPredicted(predicted));
    expect(checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(checks.map((check) => check.id)).toEqual([
      'logto.link',
      'logto.link.identity',
      'logto.link.details',
      'logto.link.profile',
      'logto.link.scope',
      'logto.link.token-secret',
      'logto.link.token-secret.scope',
      'logto.link.access-token',
    ]);
    expect(checks[0]?.evidence).toEqual({ accountApi: [linked()] });
  });

  it('a profile the link changed, details off the prediction, no token secret, a stored scope off the answer: findings', () => {
    const observation = asPredicted(predicted);
    observation.user = { ...observation.user!, name: 'Alice Example' };
    observation.identity = { identity: { userId: 'alice', details: { name: 'Someone else' } } };
    const checks = compareLink(predicted, observation);
    expect(status(checks, 'logto.link.profile')).toBe('fail');
    expect(checks.find((check) => check.id === 'logto.link.profile')?.message).toContain(
      'name "Harness Link User" → "Alice Example"',
    );
    expect(status(checks, 'logto.link.details')).toBe('fail');
    expect(status(checks, 'logto.link.token-secret')).toBe('fail');
    const scoped = asPredicted(predicted);
    scoped.identity!.tokenSecret!.metadata.scope = 'openid';
    expect(status(compareLink(predicted, scoped), 'logto.link.token-secret.scope')).toBe('fail');
    delete scoped.idp!.tokenAnswerScope;
    expect(status(compareLink(predicted, scoped), 'logto.link.token-secret.scope')).toBe('warn');
  });

  it('a refusal is reported with Logto’s code, and compared with the prediction', () => {
    const refusal = {
      request: 'POST /api/verifications/social/verify',
      status: 400,
      code: 'connector.invalid_response',
    };
    const checks = compareLink(predicted, { ...asPredicted(predicted), link: { linked: false, refusal } });
    expect(checks).toEqual([
      expect.objectContaining({
        id: 'logto.link',
        status: 'fail',
        message: expect.stringContaining('400 connector.invalid_response'),
      }),
    ]);
    const again = compareLink(predicted, {
      ...asPredicted(predicted),
      again: {
        linked: false,
        refusal: { ...refusal, request: 'POST /api/my-account/identities', code: 'user.identity_already_in_use' },
      },
    });
    expect(status(again, 'logto.link.again')).toBe('pass');
    expect(
      status(compareLink(predicted, { ...asPredicted(predicted), again: { linked: true } }), 'logto.link.again'),
    ).toBe('fail');
  });

  it('unlink passes only when the identity and the served token are both gone', () => {
    const gone = {
      call: { request: `DELETE /api/my-account/identities/${TARGET}`, status: 204 },
      user: user(),
      tokenRead: { request: 'GET …/access-token', status: 404, code: 'secrets.third_party_token_set.token_not_found' },
    };
    expect(status(compareLink(predicted, { ...asPredicted(predicted), unlink: gone }), 'logto.link.unlink')).toBe(
      'pass',
    );
    const served = { ...gone, tokenRead: { request: 'GET …/access-token', status: 200 } };
    expect(status(compareLink(predicted, { ...asPredicted(predicted), unlink: served }), 'logto.link.unlink')).toBe(
      'fail',
    );
    const kept = { ...gone, user: user({ identities: { [TARGET]: { userId: 'alice' } } }) };
    expect(status(compareLink(predicted, { ...asPredicted(predicted), unlink: kept }), 'logto.link.unlink')).toBe(
      'fail',
    );
  });

  it('a social sign-in a linking-only connector got through is a warning; a refusal passes with its code', () => {
    const accepted = compareLink(predicted, { ...asPredicted(predicted), socialSignIn: {} });
    expect(status(accepted, 'logto.link.linking-only')).toBe('warn');
    const failure = { step: 'POST /api/experience/identification', status: 422, code: 'x.refused', message: 'no' };
    const refused = compareLink(predicted, { ...asPredicted(predicted), socialSignIn: { failure } });
    expect(refused.find((check) => check.id === 'logto.link.linking-only')?.message).toContain('x.refused');
  });
});

describe('the Account API client', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ verificationRecordId: 'record-0123456789abcdef', expiresAt: 'soon' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('keeps a verification record id (a ten-minute credential) out of the evidence, and gives it to the caller', async () => {
    const account = new AccountClient(endpoint, 'user-token');
    const { call, body } = await account.call('POST', '/api/verifications/password', { password: 'pw' });
    expect(body.verificationRecordId).toBe('record-0123456789abcdef');
    expect(JSON.stringify(call)).not.toContain('record-0123456789abcdef');
    expect(account.calls).toEqual([call]);
    expect(path.basename(call.request)).toBe('password');
  });
});
