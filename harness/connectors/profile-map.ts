type ProfileMap = { id: string; name: string; avatar: string; email: string; phone: string } & Record<string, string>;

/**
 * The OAuth2 connector's profileMap as it reads userinfo: a path for every profile field, its defaults
 * (the field's own name) under whatever the config sets.
 */
export function effectiveProfileMap(configured: unknown): ProfileMap {
  return {
    id: 'id',
    name: 'name',
    avatar: 'avatar',
    email: 'email',
    phone: 'phone',
    ...((configured ?? {}) as Record<string, string>),
  };
}
