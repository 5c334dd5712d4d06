import { getSafe } from '@silverhand/essentials';
import type { FixtureUser } from '../../../mock-idp/fixture/schema.ts';
import type { Scenario } from '../../model.ts';
import { setAtPath } from './dot-path.ts';

/**
 * The profile change the IdP makes before the second sign-in: the scenario's own, or the name and
 * avatar with a visible suffix. Returns the new profile/claims and the values Logto may sync. Pure.
 */
export function profileChange(
  scenario: Scenario,
  user: FixtureUser,
): { profile: Record<string, unknown>; claims?: Record<string, unknown>; changed: { name?: string; avatar?: string } } {
  const profileMap = (scenario.config.profileMap as Record<string, string> | undefined) ?? {};
  const namePath = scenario.connector === 'oidc' ? 'name' : (profileMap.name ?? 'name');
  const avatarPath = scenario.connector === 'oidc' ? 'picture' : (profileMap.avatar ?? 'avatar');
  if (scenario.secondSignIn) {
    const profile = structuredClone(scenario.secondSignIn.profile);
    const name = getSafe(profile, namePath);
    const avatar = getSafe(profile, avatarPath);
    return {
      profile,
      changed: { ...(typeof name === 'string' ? { name } : {}), ...(typeof avatar === 'string' ? { avatar } : {}) },
    };
  }
  const profile = structuredClone(user.profile);
  const claims = user.claims ? structuredClone(user.claims) : undefined;
  const source = scenario.connector === 'oidc' && claims ? claims : profile;
  const changed: { name?: string; avatar?: string } = {};
  const name = getSafe(source, namePath);
  if (typeof name === 'string' && name) {
    changed.name = `${name} (changed at the IdP)`;
    setAtPath(source, namePath, changed.name);
  }
  const avatar = getSafe(source, avatarPath);
  if (typeof avatar === 'string' && avatar) {
    changed.avatar = `${avatar}${avatar.includes('?') ? '&' : '?'}changed=1`;
    setAtPath(source, avatarPath, changed.avatar);
  }
  return { profile, ...(claims ? { claims } : {}), changed };
}

/**
 * Whether a scenario signs in a second time, after the IdP changed the profile: only where the sync is
 * what it observes (syncProfile on, or a profile change of its own). With syncProfile off Logto keeps
 * what sign-up stored whatever the connector does, and the second sign-in would double the scenario's
 * calls to Logto for that one check. Pure.
 */
export const observesProfileSync = (scenario: Scenario): boolean =>
  scenario.syncProfile || scenario.secondSignIn !== undefined;
