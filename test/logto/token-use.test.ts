import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../mock-idp/journal.ts';
import type { Scenario } from '../../harness/model.ts';
import type { Observation } from '../../harness/observation.ts';
import { compareTokenUse } from '../../harness/targets/logto/token-use/checks.ts';
import { planTokenUse } from '../../harness/targets/logto/token-use/plan.ts';
import {
  refreshRequestsIn,
  type TokenRead,
  type TokenUse,
} from '../../harness/targets/logto/token-use/use-stored-token.ts';

const predicted = (overrides: Partial<Observation> = {}): Observation => ({
  scenario: { name: 'x', enableTokenStorage: true } as Scenario,
  config: {},
  connectorVersion: '1',
  issuer: 'http://idp',
  redirectUri: 'http://logto/callback',
  state: 's',
  signInPath: 'getTokenResponseAndUserInfo',
  tokenResponse: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3, refresh_token: 'rt-1' },
  userInfo: { id: 'alice' },
  refresh: {
    attempted: true,
    response: { access_token: 'at-2', token_type: 'Bearer', expires_in: 3, refresh_token: 'rt-2' },
  },
  journal: [],
  ...overrides,
});

const refreshEntry = (
  seq: number,
  status = 200,
  method = 'client_secret_post',
  refreshToken = 'rt-1…(20)',
): JournalEntry =>
  ({
    seq,
    endpoint: 'token',
    params: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'c', client_secret: 's…(9)' },
    clientAuth: { method },
    response: { status, body: { ok: true } },
  }) as unknown as JournalEntry;

const read = (overrides: Partial<TokenRead>): TokenRead => ({
  step: 'before-expiry',
  waitedMs: 0,
  status: 200,
  body: { access_token: 'at-1…(30)' },
  token: { idpUserinfo: { status: 200, sub: 'alice' } },
  metadata: { expiresAt: 1000, hasRefreshToken: true },
  refreshRequests: [],
  journal: { after: 0, answered: 0, until: 0 },
  ...overrides,
});
const refreshed = (overrides: Partial<TokenRead> = {}) =>
  read({
    step: 'after-expiry',
    waitedMs: 3100,
    token: { sameAsBefore: false, idpUserinfo: { status: 200, sub: 'alice' } },
    metadata: { expiresAt: 1004, hasRefreshToken: true },
    refreshRequests: refreshRequestsIn([refreshEntry(7)]),
    ...overrides,
  });
const use = (prediction: Observation, reads: TokenRead[]): TokenUse => ({
  plan: planTokenUse(prediction, 3),
  reads,
  durationMs: 1,
});
const statusOf = (checks: ReturnType<typeof compareTokenUse>, id: string) =>
  checks.find((check) => check.id === id)?.status;

describe('planTokenUse: what Logto should do once the stored token expired', () => {
  it('refreshes once when the answer rotates the refresh token, twice when it sends none', () => {
    expect(planTokenUse(predicted(), 3)).toMatchObject({
      expiries: 1,
      afterExpiry: { kind: 'refreshed', again: false },
    });
    const kept = predicted({ refresh: { attempted: true, response: { access_token: 'at-2', expires_in: 3 } } });
    expect(planTokenUse(kept, 3)).toMatchObject({ expiries: 2, afterExpiry: { kind: 'refreshed', again: true } });
  });

  it('expects the predicted error (code and status) when the raw stored config cannot refresh', () => {
    const failing = predicted({
      refresh: {
        attempted: true,
        error: {
          stage: 'refresh',
          logtoCode: 'connector.general',
          logtoStatus: 400,
          message: 'Failed to sign client secret JWT',
        },
      },
    });
    expect(planTokenUse(failing, 3).afterExpiry).toMatchObject({
      kind: 'error',
      status: 400,
      code: 'connector.general',
    });
  });

  it('expects 401 access_token_expired without a refresh token, and invalid_response for an answer without access_token', () => {
    expect(planTokenUse(predicted({ refresh: { attempted: false } }), 3).afterExpiry).toMatchObject({
      kind: 'error',
      status: 401,
      code: 'secrets.third_party_token_set.access_token_expired',
    });
    expect(
      planTokenUse(predicted({ refresh: { attempted: true, response: { token_type: 'Bearer' } } }), 3).afterExpiry,
    ).toMatchObject({ kind: 'error', status: 400, code: 'connector.invalid_response' });
  });

  it('expects the same token back without expires_in (no expiry stored), watched only while the IdP token dies soon', () => {
    const noExpiry = predicted({ tokenResponse: { access_token: 'at-1', refresh_token: 'rt-1' } });
    expect(planTokenUse(noExpiry, 3)).toMatchObject({
      expiries: 1,
      afterExpiry: { kind: 'same-token' },
      idpTtlSeconds: 3,
    });
    expect(planTokenUse(noExpiry, 3600)).toMatchObject({ expiries: 0 });
  });

  it('does not wait for long expiries, and reads a string expires_in as Logto does', () => {
    expect(planTokenUse(predicted({ tokenResponse: { access_token: 'a', expires_in: 3600 } }), 3600)).toMatchObject({
      expiries: 0,
    });
    expect(
      planTokenUse(predicted({ tokenResponse: { access_token: 'a', expires_in: '3', refresh_token: 'r' } }), 3),
    ).toMatchObject({ expiries: 1 });
    expect(planTokenUse(predicted({ tokenResponse: undefined }), 3)).toMatchObject({ expiries: 0 });
  });
});

describe('compareTokenUse: each Account API read against the prediction', () => {
  it('passes a refresh that happened as predicted: new token, expiresAt moved, the same refresh request as in-process', () => {
    const prediction = predicted({ journal: [refreshEntry(3)] });
    const checks = compareTokenUse(prediction, use(prediction, [read({}), refreshed()]));
    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['logto.token-storage.account-read', 'pass'],
      ['logto.token-storage.after-expiry', 'pass'],
      ['logto.token-storage.expires-at', 'pass'],
      ['logto.token-storage.refresh-request', 'pass'],
    ]);
  });

  it('finds a token the IdP does not accept, or one for another user', () => {
    expect(
      statusOf(
        compareTokenUse(predicted(), use(predicted(), [read({ token: { idpUserinfo: { status: 401 } } })])),
        'logto.token-storage.account-read',
      ),
    ).toBe('fail');
    expect(
      compareTokenUse(
        predicted(),
        use(predicted(), [read({ token: { idpUserinfo: { status: 200, sub: 'bob' } } })]),
      )[0]!.message,
    ).toMatch(/belongs to "bob"/);
  });

  it('finds an expired token handed back without a refresh, a refresh by another method, and an expiresAt that did not move', () => {
    const prediction = predicted({ journal: [refreshEntry(3)] });
    const stale = compareTokenUse(
      prediction,
      use(prediction, [
        read({}),
        refreshed({
          token: { sameAsBefore: true, idpUserinfo: { status: 401 } },
          refreshRequests: [],
          metadata: { expiresAt: 1000, hasRefreshToken: true },
        }),
      ]),
    );
    expect(statusOf(stale, 'logto.token-storage.after-expiry')).toBe('fail');
    expect(statusOf(stale, 'logto.token-storage.expires-at')).toBe('fail');
    expect(statusOf(stale, 'logto.token-storage.refresh-request')).toBe('fail');
    const basic = compareTokenUse(
      prediction,
      use(prediction, [
        read({}),
        refreshed({ refreshRequests: refreshRequestsIn([refreshEntry(7, 200, 'client_secret_basic')]) }),
      ]),
    );
    expect(basic.find((check) => check.id === 'logto.token-storage.refresh-request')?.message).toMatch(
      /in-process sent client_secret_post.*Logto sent client_secret_basic/,
    );
  });

  it('passes a failure with the predicted code and status, finds one with another status', () => {
    const prediction = predicted({
      refresh: {
        attempted: true,
        error: { stage: 'refresh', logtoCode: 'connector.general', logtoStatus: 400, message: '{}' },
      },
    });
    const failed = (status: number) =>
      read({
        step: 'after-expiry',
        status,
        code: 'connector.general',
        body: { code: 'connector.general' },
        token: undefined,
      });
    expect(
      statusOf(
        compareTokenUse(prediction, use(prediction, [read({}), failed(400)])),
        'logto.token-storage.after-expiry',
      ),
    ).toBe('pass');
    const other = compareTokenUse(prediction, use(prediction, [read({}), failed(500)]));
    expect(other.find((check) => check.id === 'logto.token-storage.after-expiry')?.message).toMatch(
      /predicted HTTP 400 connector.general.*answered HTTP 500 connector.general/,
    );
    // Both sent nothing to the IdP: that agrees.
    expect(statusOf(other, 'logto.token-storage.refresh-request')).toBe('pass');
  });

  it('wants the kept refresh token to refresh again, with the same (masked) refresh token', () => {
    const prediction = predicted({
      refresh: { attempted: true, response: { access_token: 'at-2', expires_in: 3 } },
      journal: [refreshEntry(3)],
    });
    const second = refreshed({ step: 'after-second-expiry', refreshRequests: refreshRequestsIn([refreshEntry(9)]) });
    expect(
      statusOf(
        compareTokenUse(prediction, use(prediction, [read({}), refreshed(), second])),
        'logto.token-storage.kept-refresh-token',
      ),
    ).toBe('pass');
    const lost = read({
      step: 'after-second-expiry',
      status: 401,
      code: 'secrets.third_party_token_set.access_token_expired',
      token: undefined,
    });
    expect(
      statusOf(
        compareTokenUse(prediction, use(prediction, [read({}), refreshed(), lost])),
        'logto.token-storage.kept-refresh-token',
      ),
    ).toBe('fail');
    const otherToken = refreshed({
      step: 'after-second-expiry',
      refreshRequests: refreshRequestsIn([refreshEntry(9, 200, 'client_secret_post', 'zzzz…(20)')]),
    });
    expect(
      statusOf(
        compareTokenUse(prediction, use(prediction, [read({}), refreshed(), otherToken])),
        'logto.token-storage.kept-refresh-token',
      ),
    ).toBe('fail');
  });

  it('says that without an expiry Logto hands back a token the IdP no longer accepts, and finds a refresh there', () => {
    const prediction = predicted({ tokenResponse: { access_token: 'at-1', refresh_token: 'rt-1' } });
    const same = read({
      step: 'after-expiry',
      waitedMs: 4000,
      token: { sameAsBefore: true, idpUserinfo: { status: 401 } },
      metadata: { hasRefreshToken: true },
    });
    const checks = compareTokenUse(prediction, use(prediction, [read({ metadata: { hasRefreshToken: true } }), same]));
    expect(checks.find((check) => check.id === 'logto.token-storage.after-expiry')).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/never refreshes.*answers it with 401/),
    });
    expect(checks.some((check) => check.id === 'logto.token-storage.refresh-request')).toBe(false);
    const refreshedAnyway = compareTokenUse(prediction, use(prediction, [read({}), refreshed()]));
    expect(statusOf(refreshedAnyway, 'logto.token-storage.after-expiry')).toBe('fail');
  });

  it('warns instead of comparing when the first read came after the expiry, and skips long-lived tokens', () => {
    const late = compareTokenUse(
      predicted(),
      use(predicted(), [read({ refreshRequests: refreshRequestsIn([refreshEntry(4)]) }), refreshed()]),
    );
    expect(late.map((check) => check.status)).toEqual(['warn']);
    const long = predicted({ tokenResponse: { access_token: 'a', expires_in: 3600 } });
    expect(
      compareTokenUse(long, { plan: planTokenUse(long, 3600), reads: [read({})], durationMs: 1 }).map((check) => [
        check.id,
        check.status,
      ]),
    ).toEqual([
      ['logto.token-storage.account-read', 'pass'],
      ['logto.token-storage.expiry-path', 'skip'],
    ]);
  });
});

describe('refreshRequestsIn', () => {
  it('keeps only refresh_token grants after the mark', () => {
    const code = { ...refreshEntry(2), params: { grant_type: 'authorization_code' } } as JournalEntry;
    expect(refreshRequestsIn([refreshEntry(1), code, refreshEntry(5, 400)], 1)).toEqual([
      { method: 'client_secret_post', params: refreshEntry(5).params, status: 400, body: { ok: true } },
    ]);
  });
});
