import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../harness/model.ts';
import type { Observation } from '../../harness/observation.ts';
import { compareWithPrediction } from '../../harness/targets/logto/compare.ts';
import { LogtoApiError } from '../../harness/logto-api/logto-http.ts';
import { connectorTarget, isOurs, uniqueEmail, uniquePhone } from '../../harness/targets/logto/naming.ts';
import type { LogtoObservation } from '../../harness/targets/logto/observation.ts';
import { observesProfileSync, profileChange } from '../../harness/targets/logto/second-sign-in.ts';
import { signInExperienceChange } from '../../harness/targets/logto/sign-in-experience.ts';
import { withUniqueContacts } from '../../harness/targets/logto/unique-fixture.ts';
import { fixtureSchema } from '../../mock-idp/fixture/schema.ts';

const fixture = fixtureSchema.parse({
  clients: [{ clientId: 'c', clientSecret: 's' }],
  users: [{ id: 'alice', profile: { data: { mail: 'alice@example.com', name: 'Alice', pic: 'https://x/a.png' } } }],
  defaultUser: 'alice',
});

const scenario = (overrides: Partial<Scenario> = {}): Scenario => ({
  file: 'x.yaml',
  name: 'x',
  knownBad: false,
  connector: 'oauth2',
  syncProfile: false,
  enableTokenStorage: false,
  config: { profileMap: { id: 'data.mail', email: 'data.mail', name: 'data.name', avatar: 'data.pic' } },
  idp: { kind: 'fixture', fixture, source: 'inline' },
  expect: { profile: { email: 'alice@example.com' } },
  ...overrides,
});

describe('naming and unique emails', () => {
  it('prefixes everything it creates and makes emails unique per run', () => {
    expect(isOurs(connectorTarget('ab12', 3))).toBe(true);
    expect(isOurs('github')).toBe(false);
    expect(uniqueEmail('alice@example.com', 'ab12')).toBe('alice+harness-ab12@example.com');
  });

  it('rewrites the email where profileMap reads it, and the expectation with it, without touching the original', () => {
    const unique = withUniqueContacts(scenario(), 'ab12', 1);
    const user = (unique.idp as { fixture: typeof fixture }).fixture.users[0]!;
    expect((user.profile.data as Record<string, unknown>).mail).toBe('alice+harness-ab12@example.com');
    expect(unique.expect.profile?.email).toBe('alice+harness-ab12@example.com');
    expect((fixture.users[0]!.profile.data as Record<string, unknown>).mail).toBe('alice@example.com');
  });
});

describe('unique phones', () => {
  it('replaces the last four digits by the serial, keeping the form', () => {
    expect(uniquePhone('+15555550100', 7)).toBe('+15555550007');
    expect(uniquePhone('+1 555-555-0100', 12_345)).toBe('+1 555-555-2345');
    expect(uniquePhone('12', 3)).toBe('12');
  });

  it('gives two scenarios of a run on one fixture two phones, in the profile, the claims and the expectation', () => {
    const phoned = fixtureSchema.parse({
      clients: [{ clientId: 'c', clientSecret: 's' }],
      users: [
        { id: 'alice', profile: { sub: 'alice', phone: '+15555550100' }, claims: { phone_number: '+15555550100' } },
      ],
      defaultUser: 'alice',
    });
    const base = scenario({
      config: { profileMap: { id: 'sub', phone: 'phone' } },
      idp: { kind: 'fixture', fixture: phoned, source: 'inline' },
      expect: { profile: { phone: '+15555550100' } },
    });
    const [first, second] = [1, 2].map((serial) => withUniqueContacts(base, `ab12-${serial}`, serial));
    const user = (one: Scenario) => (one.idp as { fixture: typeof phoned }).fixture.users[0]!;
    expect([user(first!).profile.phone, user(second!).profile.phone]).toEqual(['+15555550001', '+15555550002']);
    expect(user(second!).claims?.phone_number).toBe('+15555550002');
    expect(second!.expect.profile?.phone).toBe('+15555550002');
    expect(phoned.users[0]!.profile.phone).toBe('+15555550100');
    // The OIDC connector reads phone_number from the claims.
    const oidc = withUniqueContacts({ ...base, connector: 'oidc' }, 'ab12-3', 3);
    expect(user(oidc).claims?.phone_number).toBe('+15555550003');
  });
});

describe('sign-in experience change', () => {
  it('adds the target and skips required identifiers, and restores exactly what was there', () => {
    const current = {
      socialSignInConnectorTargets: ['github'],
      socialSignIn: { automaticAccountLinking: true },
      signUp: { identifiers: ['username'] },
    };
    const { apply, restore } = signInExperienceChange(current, 'harness-x-1');
    expect(apply).toEqual({
      socialSignInConnectorTargets: ['github', 'harness-x-1'],
      socialSignIn: { automaticAccountLinking: true, skipRequiredIdentifiers: true },
    });
    expect(restore).toEqual({
      socialSignInConnectorTargets: ['github'],
      socialSignIn: { automaticAccountLinking: true },
    });
  });
});

describe('second sign-in profile change', () => {
  it('changes name and avatar at the profileMap paths', () => {
    const change = profileChange(scenario(), fixture.users[0]!);
    expect(change.changed).toEqual({ name: 'Alice (changed at the IdP)', avatar: 'https://x/a.png?changed=1' });
    expect((change.profile.data as Record<string, unknown>).name).toBe('Alice (changed at the IdP)');
  });
});

describe('which scenarios sign in a second time', () => {
  it('only those observing the profile sync: syncProfile on, or a profile change of their own', () => {
    expect(observesProfileSync(scenario())).toBe(false);
    expect(observesProfileSync(scenario({ syncProfile: true }))).toBe(true);
    expect(observesProfileSync(scenario({ secondSignIn: { profile: { data: { name: 'Renamed' } } } }))).toBe(true);
  });
});

describe('Logto error bodies', () => {
  it('keeps the code and message of a RequestError body, and names code-less answers by status', () => {
    const error = new LogtoApiError('POST', '/api/experience/identification', 404, {
      code: 'user.identity_not_exist',
      message: 'The social account has not been registered yet.',
    });
    expect(error).toMatchObject({ status: 404, code: 'user.identity_not_exist' });
    expect(new LogtoApiError('POST', '/x', 500, { message: 'Internal server error.' }).code).toBe('http_500');
  });
});

describe('comparison with the in-process prediction', () => {
  const prediction = {
    scenario: scenario({ enableTokenStorage: true, syncProfile: true }),
    userInfo: { id: 'alice', name: 'Alice', email: 'alice@example.com', avatar: 'https://x/a.png' },
    tokenResponse: { access_token: 'a', token_type: 'Bearer', expires_in: 3600, refresh_token: 'r' },
  } as unknown as Observation;
  const stored = (overrides: Partial<LogtoObservation> = {}): LogtoObservation => ({
    connectorTarget: 'harness-x-1',
    connectorId: 'c1',
    user: {
      id: 'u1',
      name: 'Alice',
      avatar: 'https://x/a.png',
      primaryEmail: 'alice@example.com',
      primaryPhone: null,
      identities: {
        'harness-x-1': {
          userId: 'alice',
          details: { id: 'alice', name: 'Alice', email: 'alice@example.com', avatar: 'https://x/a.png' },
        },
      },
    },
    identity: {
      identity: {
        userId: 'alice',
        details: { id: 'alice', name: 'Alice', email: 'alice@example.com', avatar: 'https://x/a.png' },
      },
      tokenSecret: { metadata: { tokenType: 'Bearer', expiresAt: 1, hasRefreshToken: true } },
    },
    app: { claims: { sub: 'u1', name: 'Alice' } },
    second: {
      changed: { name: 'Alice 2' },
      user: {
        id: 'u1',
        name: 'Alice 2',
        avatar: 'https://x/a.png',
        primaryEmail: 'alice@example.com',
        primaryPhone: null,
        identities: {},
      },
    },
    ...overrides,
  });

  it('passes when Logto stored what was predicted', () => {
    const failing = compareWithPrediction(prediction, stored()).filter((check) => check.status !== 'pass');
    expect(failing).toEqual([]);
  });

  it('reports each difference as a finding', () => {
    const checks = compareWithPrediction(prediction, stored({ user: { ...stored().user!, primaryEmail: null } }));
    expect(checks.find((check) => check.id === 'logto.user.primaryEmail')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('finding'),
    });
  });

  it('catches syncProfile not applied and a missing token secret', () => {
    const checks = compareWithPrediction(
      prediction,
      stored({
        identity: { identity: { userId: 'alice' } },
        second: { changed: { name: 'Alice 2' }, user: { ...stored().user!, name: 'Alice' } },
      }),
    );
    expect(checks.find((check) => check.id === 'logto.sync-profile')?.status).toBe('fail');
    expect(checks.find((check) => check.id === 'logto.token-storage')?.message).toContain('SECRET_VAULT_KEK');
  });

  it('compares the Logto error with the predicted one', () => {
    const failed = {
      ...prediction,
      error: { stage: 'sign-in', logtoCode: 'connector.invalid_response', message: '' },
    } as Observation;
    expect(
      compareWithPrediction(failed, {
        connectorTarget: 't',
        connectorId: 'c',
        failure: { step: 'verify', code: 'connector.invalid_response', message: '' },
      })[0]?.status,
    ).toBe('pass');
    expect(
      compareWithPrediction(failed, {
        connectorTarget: 't',
        connectorId: 'c',
        failure: { step: 'verify', code: 'connector.general', message: '' },
      })[0]?.status,
    ).toBe('fail');
  });

  it('compares the token request the IdP saw from Logto with the in-process one (auth method, assertion, status)', () => {
    const tokenEntry = (verified: boolean, status: number) => ({
      endpoint: 'token',
      params: { grant_type: 'authorization_code' },
      clientAuth: { method: 'client_secret_jwt', assertion: { header: {}, claims: {}, verified } },
      response: { status, body: {} },
    });
    const withJournal = { ...prediction, journal: [tokenEntry(true, 200)] } as unknown as Observation;
    const same = compareWithPrediction(
      withJournal,
      stored({ idpToken: { method: 'client_secret_jwt', assertionVerified: true, status: 200 } }),
    );
    expect(same.find((check) => check.id === 'logto.idp.token-request')?.status).toBe('pass');
    // e.g. the assertion's aud named the token endpoint at a URL the IdP does not answer at.
    const differs = compareWithPrediction(
      withJournal,
      stored({ idpToken: { method: 'client_secret_jwt', assertionVerified: false, status: 401 } }),
    );
    expect(differs.find((check) => check.id === 'logto.idp.token-request')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('finding'),
    });
  });
});
