import { getSafe } from '@silverhand/essentials';
import type { FixtureUser } from '../../../mock-idp/fixture/schema.ts';
import type { Scenario } from '../../model.ts';

/**
 * The profile change the IdP makes before the second sign-in: the scenario's own, or the name and
 * avatar with a visible suffix. Returns the new profile/claims and the values Logto may sync. Pure.
 */
export function profileChange(scenario: Scenario, user: FixtureUser): { profile: Record<string, unknown>; claims?: Record<string, unknown>; changed: { name?: string; avatar?: string } } {
  const profileMap = (scenario.config.profileMap as Record<string, string> | undefined) ?? {};
  const namePath = scenario.connector === 'oidc' ? 'name' : (profileMap.name ?? 'name');
  const avatarPath = scenario.connector === 'oidc' ? 'picture' : (profileMap.avatar ?? 'avatar');
  if (scenario.secondSignIn) {
    const profile = structuredClone(scenario.secondSignIn.profile);
    const name = getSafe(profile, namePath);
    const avatar = getSafe(profile, avatarPath);
    return { profile, changed: { ...(typeof name === 'string' ? { name } : {}), ...(typeof avatar === 'string' ? { avatar } : {}) } };
  }
  const profile = structuredClone(user.profile);
  const claims = user.claims ? structuredClone(user.claims) : undefined;
  const source = scenario.connector === 'oidc' && claims ? claims : profile;
  const changed: { name?: string; avatar?: string } = {};
  const set = (path: string, value: string) => {
    const keys = path.split('.');
    let node: unknown = source;
    for (const key of keys.slice(0, -1)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    if (node && typeof node === 'object') (node as Record<string, unknown>)[keys.at(-1)!] = value;
  };
  const name = getSafe(source, namePath);
  if (typeof name === 'string' && name) {
    changed.name = `${name} (changed at the IdP)`;
    set(namePath, changed.name);
  }
  const avatar = getSafe(source, avatarPath);
  if (typeof avatar === 'string' && avatar) {
    changed.avatar = `${avatar}${avatar.includes('?') ? '&' : '?'}changed=1`;
    set(avatarPath, changed.avatar);
  }
  return { profile, ...(claims ? { claims } : {}), changed };
}
