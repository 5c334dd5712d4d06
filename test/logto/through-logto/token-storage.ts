import { expect, it } from 'vitest';
import type { ScenarioResult } from '../../../harness/model.ts';
import { check, type SuiteRun } from './results.ts';

const accountApi = (result: ScenarioResult | undefined, id: string) =>
  (check(result, id)?.evidence as { accountApi?: { status: number; body: unknown } } | undefined)?.accountApi;

/** One line per token-storage scenario: what the Account API answered at each read, and after how long. */
export function logTokenStorage(results: ScenarioResult[]): void {
  const shown = (evidence: { accountApi: { status: number; body: unknown }; waitedMs: number }) =>
    `${evidence.accountApi.status} ${(evidence.accountApi.body as { code?: string } | undefined)?.code ?? ''} after ${evidence.waitedMs} ms`;
  for (const result of results) {
    const steps = result.checks.filter(
      (candidate) =>
        candidate.id.startsWith('logto.token-storage.') && candidate.evidence && 'accountApi' in candidate.evidence,
    );
    if (steps.length === 0) continue;
    console.log(
      `${result.name} (${result.durationMs} ms): ` +
        steps
          .map(
            (candidate) =>
              `${candidate.id.replace('logto.token-storage.', '')} → ${shown(candidate.evidence as never)} ${candidate.status}`,
          )
          .join('; '),
    );
  }
}

/** Token storage through a real Logto: the Account API read, and Logto's refresh once the token expired. */
export function tokenStorageTests(run: () => SuiteRun): void {
  it('reads every stored token through the Account API, and the IdP accepts it', () => {
    const stored = run().results.filter((result) => check(result, 'logto.token-storage.account-read'));
    expect(stored.length).toBeGreaterThan(8);
    for (const result of stored)
      expect(check(result, 'logto.token-storage.account-read')?.status, result.name).toBe('pass');
  });

  it('refreshes through the IdP once the token expired: new token, expiresAt moved, the refresh request as predicted', () => {
    for (const name of [
      'token storage with offline_access and a working refresh',
      'whole connector object as the Management API returns it',
      'token storage, refresh token not rotated',
      'Auth0: the generic OIDC connector works; customConfig audience makes the stored access token one for your API',
    ]) {
      const result = run().byName(name);
      expect(check(result, 'logto.token-storage.after-expiry')?.status, name).toBe('pass');
      expect(check(result, 'logto.token-storage.expires-at')?.status, name).toBe('pass');
      expect(check(result, 'logto.token-storage.refresh-request')?.status, name).toBe('pass');
    }
  });

  it('keeps the stored refresh token when the refresh answer has none (Google): a second expiry refreshes again', () => {
    for (const name of [
      'token storage, refresh token not rotated',
      'Google: the generic OIDC connector works, refresh tokens need access_type=offline AND prompt=consent',
    ])
      expect(check(run().byName(name), 'logto.token-storage.kept-refresh-token')?.status, name).toBe('pass');
  });

  it('answers 401 access_token_expired once a token stored without a refresh token expired', () => {
    const result = run().byName('Google trap: access_type=offline alone gives a returning user no refresh token');
    expect(check(result, 'logto.token-storage.after-expiry')?.status).toBe('pass');
    expect(accountApi(result, 'logto.token-storage.after-expiry')).toMatchObject({
      status: 401,
      body: { code: 'secrets.third_party_token_set.access_token_expired' },
    });
  });

  it('fails a refresh the way the in-process run predicted: raw-config failures and invalid_grant', () => {
    const cases = {
      'client_secret_jwt without clientSecretJwtSigningAlgorithm, with token storage': {
        status: 400,
        code: 'connector.general',
      },
      'token storage without tokenEndpointAuthMethod': { status: 500 },
      'token storage, the IdP refuses the refresh (invalid_grant)': { status: 400, code: 'connector.general' },
    };
    for (const [name, want] of Object.entries(cases)) {
      const result = run().byName(name);
      expect(check(result, 'logto.token-storage.after-expiry')?.status, name).toBe('pass');
      expect(accountApi(result, 'logto.token-storage.after-expiry'), name).toMatchObject({
        status: want.status,
        ...('code' in want ? { body: { code: want.code } } : {}),
      });
    }
  });

  it('never refreshes a token stored without expires_in: the same token comes back, no refresh at the IdP', () => {
    const after = check(run().byName('token storage, the IdP sends no expires_in'), 'logto.token-storage.after-expiry');
    expect(after?.status).toBe('pass');
    expect(after?.evidence).toMatchObject({ sameTokenAsBefore: true, idpRefreshRequests: [] });
  });

  it('masks every token in the evidence', () => {
    const text = JSON.stringify(run().results);
    expect(text).toContain('"access_token":');
    expect(text).not.toMatch(/"access_token":"(?!(?:[^"]{0,4}…|\*\*\*)\(\d+\)")/);
  });
}
