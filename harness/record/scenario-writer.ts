import { getSafe } from '@silverhand/essentials';
import { isSecretKey } from '../../lib/mask.ts';
import { effectiveProfileMap } from '../connectors/profile-map.ts';
import type { Expectation, ScenarioInput } from '../scenario/schema.ts';
import { Placeholders } from './anonymize.ts';
import {
  FIXTURE_FILE,
  RECORDED_CLIENT_ID,
  RECORDED_CLIENT_SECRET,
  RECORDED_USER,
  type Recording,
} from './recording.ts';

/* The scenario that replays a recording: the config pointed at the fixture, expecting what the live run produced. */

/** The replayed config: the same settings, pointed at the fixture (`{{issuer}}`), with the recorded client. */
function replayConfig(recording: Recording, userinfoPath: string): Record<string, unknown> {
  const { config } = recording;
  const placeholders = new Placeholders();
  const custom = config.customConfig as Record<string, unknown> | undefined;
  const replayed: Record<string, unknown> = {
    ...config,
    authorizationEndpoint: '{{issuer}}/authorize',
    tokenEndpoint: '{{issuer}}/token',
    clientId: RECORDED_CLIENT_ID,
    ...(config.userInfoEndpoint ? { userInfoEndpoint: `{{issuer}}${userinfoPath}` } : {}),
    ...(config.clientSecret ? { clientSecret: RECORDED_CLIENT_SECRET } : {}),
    // The client id also travels in customConfig where a config repeats it there (the Okta trap): the recorded one replaces it too.
    ...(custom
      ? {
          customConfig: Object.fromEntries(
            Object.entries(custom).map(([key, value]) => [
              key,
              value === config.clientId
                ? RECORDED_CLIENT_ID
                : isSecretKey(key) && typeof value === 'string'
                  ? placeholders.value(value, key)
                  : value,
            ]),
          ),
        }
      : {}),
  };
  const verification = config.idTokenVerificationConfig as Record<string, unknown> | undefined;
  if (verification) {
    replayed.idTokenVerificationConfig = {
      ...verification,
      jwksUri: '{{issuer}}/jwks',
      ...(verification.issuer ? { issuer: '{{issuer}}' } : {}),
    };
  }
  return replayed;
}

const PROFILE_FIELDS = ['id', 'name', 'avatar', 'email', 'phone'] as const;

/** The scenario expects what the live run produced: the same profile, or the same error and failing checks (known-bad). */
export function recordedScenario(
  recording: Recording,
  profile: Record<string, unknown>,
  placeholders: Placeholders,
  userinfoPath: string,
): { scenario: ScenarioInput; liveExpect: Expectation } {
  const { observation } = recording;
  const expected: Record<string, string> = {};
  const liveProfile: Record<string, string> = {};
  if (!observation.error && observation.userInfo) {
    const profileMap = effectiveProfileMap(recording.config.profileMap);
    for (const field of PROFILE_FIELDS) {
      const live = observation.userInfo[field];
      if (typeof live !== 'string' || !live) continue;
      // What the same path reads in the placeholder profile (OAuth2), or the placeholder of the claim (OIDC).
      const replayed =
        recording.connector === 'oauth2'
          ? getSafe(profile, profileMap[field])
          : field === 'id'
            ? RECORDED_USER
            : (placeholders.placeholderOf(live) ?? live);
      if (typeof replayed === 'string' || typeof replayed === 'number') {
        expected[field] = String(replayed);
        liveProfile[field] = live;
      }
    }
  }
  const storedRefresh = typeof observation.tokenResponse?.refresh_token === 'string';
  const baseExpect = {
    ...(storedRefresh && recording.enableTokenStorage ? { refreshToken: true } : {}),
    ...(observation.error ? { error: observation.error.logtoCode } : {}),
  };
  const liveProfileExpect = Object.keys(liveProfile).length > 0 ? { profile: liveProfile } : {};
  const failing = recording
    .judge({ ...liveProfileExpect, ...baseExpect })
    .filter((check) => check.status === 'fail' && check.id !== 'sign-in')
    .map((check) => check.id);
  const knownBad = Boolean(observation.error) || failing.length > 0;
  const outcome = observation.error
    ? `the live sign-in failed with ${observation.error.logtoCode}`
    : failing.length > 0
      ? `the live sign-in had failing checks: ${failing.join(', ')}`
      : 'the live sign-in passed';
  const outcomeExpect = { ...baseExpect, ...(failing.length > 0 ? { catches: failing } : {}) };
  const liveExpect: Expectation = { ...liveProfileExpect, ...outcomeExpect };
  const scenario: ScenarioInput = {
    name: `recorded from ${recording.host}`,
    description: `Recorded ${recording.recordedAt.toISOString()}; ${outcome}.`,
    ...(knownBad ? { knownBad: true } : {}),
    connector: recording.connector,
    config: replayConfig(recording, userinfoPath),
    ...(recording.enableTokenStorage ? { enableTokenStorage: true } : {}),
    idp: { fixture: FIXTURE_FILE },
    user: RECORDED_USER,
    expect: { ...(Object.keys(expected).length > 0 ? { profile: expected } : {}), ...outcomeExpect },
  };
  return { scenario, liveExpect };
}
