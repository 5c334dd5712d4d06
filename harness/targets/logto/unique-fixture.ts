import { getSafe } from '@silverhand/essentials';
import type { Fixture } from '../../../mock-idp/fixture/schema.ts';
import type { Scenario } from '../../model.ts';
import { setAtPath } from './dot-path.ts';
import { uniqueEmail, uniquePhone } from './naming.ts';

/** Every string equal to `from` in a profile or claims object, replaced in place. */
function replaceEverywhere(value: Record<string, unknown>, from: string, to: string): void {
  for (const [key, member] of Object.entries(value)) {
    if (member === from) value[key] = to;
    else if (member && typeof member === 'object') replaceEverywhere(member as Record<string, unknown>, from, to);
  }
}

/**
 * The scenario with its user's email and phone made unique (in the profile, the claims and the
 * expectation): the email to this scenario of this run, the phone to its serial among the run's
 * scenarios, so neither an earlier run's user nor a scenario running beside it with the same email
 * or phone can change what Logto stores. Pure.
 */
export function withUniqueContacts(scenario: Scenario, runId: string, serial: number): Scenario {
  if (scenario.idp.kind !== 'fixture') return scenario;
  const fixture: Fixture = structuredClone(scenario.idp.fixture);
  const userId = scenario.user ?? fixture.defaultUser;
  const user = fixture.users.find((candidate) => candidate.id === userId);
  if (!user) return scenario;
  // Where the connector reads a field: the OIDC connector from its standard claim, the OAuth 2.0 one at profileMap's path.
  const readAt = (field: 'email' | 'phone', claim: string) =>
    scenario.connector === 'oidc'
      ? claim
      : ((scenario.config.profileMap as Record<string, string> | undefined)?.[field] ?? field);
  const emailPath = readAt('email', 'email');
  const rewrite = (value: unknown) =>
    typeof value === 'string' && value.includes('@') ? uniqueEmail(value, runId) : value;
  const current = getSafe(user.profile, emailPath);
  if (typeof current === 'string') setAtPath(user.profile, emailPath, rewrite(current));
  if (user.claims && typeof user.claims.email === 'string') user.claims.email = rewrite(user.claims.email);
  const phonePath = readAt('phone', 'phone_number');
  const phone = getSafe(user.claims ?? {}, phonePath) ?? getSafe(user.profile, phonePath) ?? user.profile.phone;
  const renumbered = typeof phone === 'string' ? uniquePhone(phone, serial) : undefined;
  // Unchanged (fewer than four digits, or already those): nothing to rewrite.
  const newPhone = renumbered !== phone ? renumbered : undefined;
  if (newPhone) {
    replaceEverywhere(user.profile, phone as string, newPhone);
    if (user.claims) replaceEverywhere(user.claims, phone as string, newPhone);
  }
  const profile = scenario.expect.profile;
  const expect = profile
    ? {
        ...scenario.expect,
        profile: {
          ...profile,
          ...(profile.email ? { email: rewrite(profile.email) as string } : {}),
          ...(newPhone && profile.phone === phone ? { phone: newPhone } : {}),
        },
      }
    : scenario.expect;
  return { ...scenario, idp: { ...scenario.idp, fixture }, expect };
}
