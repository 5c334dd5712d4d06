import { getSafe } from '@silverhand/essentials';
import type { Fixture } from '../../../mock-idp/fixture/schema.ts';
import type { Scenario } from '../../model.ts';
import { setAtPath } from './dot-path.ts';
import { uniqueEmail } from './naming.ts';

/**
 * The scenario with its user's email made unique to this run (in the profile, the claims and the
 * expectation), so an earlier run's user with the same email cannot change what Logto stores. Pure.
 */
export function withUniqueEmail(scenario: Scenario, runId: string): Scenario {
  if (scenario.idp.kind !== 'fixture') return scenario;
  const fixture: Fixture = structuredClone(scenario.idp.fixture);
  const userId = scenario.user ?? fixture.defaultUser;
  const user = fixture.users.find((candidate) => candidate.id === userId);
  if (!user) return scenario;
  const emailPath =
    scenario.connector === 'oidc'
      ? 'email'
      : ((scenario.config.profileMap as Record<string, string> | undefined)?.email ?? 'email');
  const rewrite = (value: unknown) =>
    typeof value === 'string' && value.includes('@') ? uniqueEmail(value, runId) : value;
  const current = getSafe(user.profile, emailPath);
  if (typeof current === 'string') setAtPath(user.profile, emailPath, rewrite(current));
  if (user.claims && typeof user.claims.email === 'string') user.claims.email = rewrite(user.claims.email);
  const profile = scenario.expect.profile;
  const expect = profile?.email
    ? { ...scenario.expect, profile: { ...profile, email: rewrite(profile.email) as string } }
    : scenario.expect;
  return { ...scenario, idp: { ...scenario.idp, fixture }, expect };
}
