import type { Fixture, FixtureUser } from '../fixture/schema.ts';

const STANDARD_CLAIMS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone',
  'phone_verified',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
];

/** The live user directory: fixture users, editable while running (`updateUser`). */
export class UserDirectory {
  readonly #users = new Map<string, FixtureUser>();

  /** oidc-provider's claim list is fixed when it starts: claim names a running update may use. */
  readonly #claimNames: ReadonlySet<string>;

  constructor(fixture: Fixture) {
    for (const user of fixture.users) this.#users.set(user.id, structuredClone(user));
    this.#claimNames = new Set(this.claimNames());
  }

  get(id: string): FixtureUser | undefined {
    return this.#users.get(id);
  }

  list(): FixtureUser[] {
    return [...this.#users.values()];
  }

  update(id: string, patch: { profile?: Record<string, unknown>; claims?: Record<string, unknown> }): void {
    const user = this.#users.get(id);
    if (!user) throw new Error(`no user "${id}" in this fixture (known: ${[...this.#users.keys()].join(', ')})`);
    const unknown = Object.keys(patch.claims ?? {}).filter((name) => !this.#claimNames.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `claim(s) ${unknown.join(', ')} were in no user's claims at start, so the id_token cannot carry them; add them to a user's \`claims\` in the fixture`,
      );
    }
    if (patch.profile) user.profile = structuredClone(patch.profile);
    if (patch.claims) user.claims = structuredClone(patch.claims);
  }

  /** id_token claims: the fixture's `claims`, else the standard OIDC claims found atop `profile`. */
  claimsOf(id: string): Record<string, unknown> {
    const user = this.#users.get(id);
    if (!user) return { sub: id };
    const source =
      user.claims ??
      Object.fromEntries(
        STANDARD_CLAIMS.filter((claim) => claim in user.profile).map((claim) => [claim, user.profile[claim]]),
      );
    return { ...source, sub: id };
  }

  /** Every claim name any user may carry, so oidc-provider lets them into the id_token. */
  claimNames(): string[] {
    const names = new Set<string>(['sub', ...STANDARD_CLAIMS]);
    for (const user of this.#users.values()) for (const name of Object.keys(this.claimsOf(user.id))) names.add(name);
    return [...names];
  }
}
