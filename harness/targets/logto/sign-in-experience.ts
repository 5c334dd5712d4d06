/**
 * The least change to the sign-in experience that lets a social connector sign users in and up:
 * its target among the social sign-in targets, and sign-up that does not demand a username the
 * IdP cannot provide. Returns what to PATCH now and what to PATCH back later. Pure.
 */
export function signInExperienceChange(
  current: Record<string, unknown>,
  target: string,
): { apply: Record<string, unknown>; restore: Record<string, unknown> } {
  const targets = Array.isArray(current.socialSignInConnectorTargets)
    ? (current.socialSignInConnectorTargets as string[])
    : [];
  const socialSignIn = (
    current.socialSignIn && typeof current.socialSignIn === 'object' ? current.socialSignIn : {}
  ) as Record<string, unknown>;
  return {
    apply: {
      socialSignInConnectorTargets: targets.includes(target) ? targets : [...targets, target],
      socialSignIn: { ...socialSignIn, skipRequiredIdentifiers: true },
    },
    restore: { socialSignInConnectorTargets: targets, socialSignIn },
  };
}
