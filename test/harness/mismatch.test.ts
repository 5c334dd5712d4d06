import { describe, expect, it } from 'vitest';
import { checkMismatches } from '../../harness/checks/mismatch.ts';
import { sideBySide } from '../../harness/checks/side-by-side.ts';
import type { Scenario } from '../../harness/model.ts';
import type { Observation } from '../../harness/observation.ts';
import { parseFixture } from '../../mock-idp/fixture/load.ts';
import type { JournalEntry } from '../../mock-idp/journal.ts';
import { journalEntry } from '../helpers/journal-entry.ts';

describe('sideBySide: the difference in words', () => {
  it.each([
    [
      'https://idp.example.com',
      'https://idp.example.com/',
      'trailing "/" the expected lacks: that slash is the whole difference',
    ],
    [
      'https://idp.example.com/',
      'https://idp.example.com',
      'trailing "/" the actual lacks: that slash is the whole difference',
    ],
    ['Client-A', 'client-a', 'only in letter case'],
    ['RS256', 'ES256', 'in front: the expected has "R" where the actual has "E"'],
    [
      'https://x/{tenantid}/v2.0',
      'https://x/9188/v2.0',
      'after "https://x/": the expected has "{tenantid}" where the actual has "9188"',
    ],
    ['https://x', 'https://x/oauth2/default', 'adds "/oauth2/default" at the end'],
    ['abc', 'xyz', 'nothing in common'],
  ])('%s against %s', (expected, actual, words) => {
    expect(sideBySide(expected, actual)).toMatchObject({ expected, actual });
    expect(sideBySide(expected, actual)?.difference).toContain(words);
  });

  it('nothing when they agree', () => expect(sideBySide('a', 'a')).toBeUndefined());
});

const fixture = parseFixture({
  clients: [{ clientId: 'logto-app', clientSecret: 's', redirectUris: ['https://logto.test/callback/abc'] }],
  users: [{ id: 'alice', profile: { sub: 'alice' } }],
});

function observationOf(
  config: Record<string, unknown>,
  journal: JournalEntry[],
  connector: Scenario['connector'] = 'oidc',
): Observation {
  const scenario: Scenario = {
    file: 'x.yaml',
    name: 'x',
    knownBad: false,
    connector,
    config,
    syncProfile: false,
    enableTokenStorage: false,
    idp: { kind: 'fixture', fixture, source: 'x.yaml' },
    expect: {},
  };
  return {
    scenario,
    config,
    connectorVersion: 'test',
    issuer: 'http://idp.test',
    redirectUri: 'https://logto.test/callback/abc',
    state: 's',
    signInPath: 'getUserInfo',
    journal,
  };
}

const authorize = (params: Record<string, string>) =>
  journalEntry(1, 'authorize', 'GET', '/authorize', 303, { response_type: 'code', ...params });
const exchange = (idToken: JournalEntry['idToken']): JournalEntry => ({
  ...journalEntry(2, 'token', 'POST', '/token', 200, { grant_type: 'authorization_code' }),
  ...(idToken ? { idToken } : {}),
});
const jwks = journalEntry(3, 'jwks', 'GET', '/jwks', 200, {}, { keys: [{ kid: 'rs256-abc' }] });

describe('mismatch checks: both sides of a failed comparison', () => {
  const sent = { client_id: 'logto-app', redirect_uri: 'https://logto.test/callback/abc', nonce: 'n-1' };
  const config = {
    clientId: 'logto-app',
    idTokenVerificationConfig: { jwksUri: 'x', issuer: 'https://idp.test/', algorithms: ['RS256'] },
  };

  it('names issuer, audience, alg, kid and nonce, each with both sides and the difference', () => {
    const checks = checkMismatches(
      observationOf(config, [
        authorize(sent),
        exchange({
          header: { alg: 'ES256', kid: 'rs256-abd' },
          claims: { iss: 'https://idp.test', aud: 'other-app', nonce: 'n-2' },
        }),
        jwks,
      ]),
    );
    const byId = Object.fromEntries(checks.map((check) => [check.id, check]));
    expect(Object.keys(byId).sort()).toEqual([
      'mismatch.alg',
      'mismatch.audience',
      'mismatch.issuer',
      'mismatch.kid',
      'mismatch.nonce',
    ]);
    expect(byId['mismatch.issuer']?.message).toContain('expected "https://idp.test/", got "https://idp.test"');
    expect(byId['mismatch.issuer']?.message).toContain('that slash is the whole difference');
    expect(byId['mismatch.issuer']?.hint).toContain('"https://idp.test"');
    expect(byId['mismatch.audience']?.evidence).toMatchObject({ expected: 'logto-app', actual: 'other-app' });
    expect(byId['mismatch.alg']?.hint).toContain('add "ES256" to idTokenVerificationConfig.algorithms');
    expect(byId['mismatch.kid']?.evidence).toMatchObject({ expected: 'rs256-abc', actual: 'rs256-abd' });
    expect(byId['mismatch.nonce']?.evidence).toMatchObject({ expected: 'n-1', actual: 'n-2' });
    expect(checks.every((check) => check.status === 'fail')).toBe(true);
  });

  it('names the client id and the redirect_uri against what the IdP registered', () => {
    const checks = checkMismatches(
      observationOf(config, [authorize({ client_id: 'logto-ap', redirect_uri: 'https://logto.test/callback/abc/' })]),
    );
    expect(checks.map((check) => check.id)).toEqual(['mismatch.client_id']);
    const wrongRedirect = checkMismatches(
      observationOf(config, [authorize({ ...sent, redirect_uri: 'https://logto.test/callback/abc/' })]),
    );
    expect(wrongRedirect[0]?.id).toBe('mismatch.redirect_uri');
    expect(wrongRedirect[0]?.message).toContain('that slash is the whole difference');
    expect(checkMismatches(observationOf(config, [authorize({ client_id: 'logto-ap' })]))[0]?.hint).toContain(
      '"clientId" to "logto-app"',
    );
  });

  it('nothing when every side agrees (no false alarm on a correct sign-in)', () => {
    const checks = checkMismatches(
      observationOf(
        { ...config, idTokenVerificationConfig: { ...config.idTokenVerificationConfig, issuer: 'https://idp.test' } },
        [
          authorize(sent),
          exchange({
            header: { alg: 'RS256', kid: 'rs256-abc' },
            claims: { iss: 'https://idp.test', aud: ['logto-app'], nonce: 'n-1' },
          }),
          jwks,
        ],
      ),
    );
    expect(checks).toEqual([]);
  });
});
