import type { ProfileField } from '../model.ts';

/**
 * The OAuth2 connector's profileMap as it reads userinfo: a path for every profile field, its defaults
 * (the field's own name) under whatever the config sets.
 */
export function effectiveProfileMap(configured: unknown): Record<ProfileField, string> & Record<string, string> {
  return {
    id: 'id',
    name: 'name',
    avatar: 'avatar',
    email: 'email',
    phone: 'phone',
    ...((configured ?? {}) as Record<string, string>),
  };
}
