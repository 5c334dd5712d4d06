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

// Free-form accounts kept at most: a long `serve` session of hand-typed sign-ins must not grow without end.
const MAX_FREE_FORM = 1_000;

/**
 * The live user directory: fixture users, editable while running (`updateUser`), and the accounts
 * a person signed in as on the login page with claims typed there (free-form, see free-form-sign-in.ts).
 * `get`, `list` and `update` are the fixture's users only: login_hint and `/_users` name those.
 */
export class UserDirectory {
  readonly #users = new Map<string, FixtureUser>();
  readonly #freeForm = new Map<string, FixtureUser>();

  /** oidc-provider's claim list is fixed when it starts: claim names a running update may use. */
  readonly #claimNames: ReadonlySet<string>;

  constructor(fixture: Fixture) {
    for (const user of fixture.users) this.#users.set(user.id, structuredClone(user));
    this.#claimNames = new Set(this.claimNames());
  }

  get(id: string): FixtureUser | undefined {
    return this.#users.get(id);
  }

  /** The account a token or session names: a fixture user, or the last free-form sign-in under that id. */
  account(id: string): FixtureUser | undefined {
    return this.#users.get(id) ?? this.#freeForm.get(id);
  }

  /** A free-form account's id_token claims; undefined for a fixture user or an unknown id. */
  freeFormClaimsOf(id: string): Record<string, unknown> | undefined {
    return this.#users.has(id) || !this.#freeForm.has(id) ? undefined : this.claimsOf(id);
  }

  get hasFreeForm(): boolean {
    return this.#freeForm.size > 0;
  }

  /**
   * Signs in as `id` with these claims: userinfo answers them (with `sub`), the id_token carries them.
   * The latest claims typed for an id are that account's. A fixture user's id is refused: that user
   * is picked from the list, or changed with updateUser.
   */
  addFreeForm(id: string, claims: Record<string, unknown>): void {
    if (this.#users.has(id))
      throw new Error(`"${id}" is a user of this fixture: pick it from the list, or type another id`);
    const withSub = { sub: id, ...claims };
    this.#freeForm.delete(id);
    this.#freeForm.set(id, { id, profile: withSub, claims: withSub });
    if (this.#freeForm.size > MAX_FREE_FORM) this.#freeForm.delete(this.#freeForm.keys().next().value!);
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
    const user = this.account(id);
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
