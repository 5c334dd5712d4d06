/**
 * The refusals of Logto's Account API a linking scenario can expect (`link.expectRefusal`), as Logto
 * 1.42 answers them (packages/core/src/routes/account/identities.ts, utils/user.ts): the status,
 * the call, when it happens, and what it means for the admin and what to do. No connector setting
 * causes or fixes either: they are about Logto's users, not the connector.
 */
export interface LinkRefusal {
  status: number;
  /** The Account API call that answers it. */
  call: string;
  /** The scenario's setup that makes Logto answer it (what the schema asks for with it). */
  setup: string;
  meaning: string;
  whatToDo: string;
}

export const LINK_REFUSALS = {
  'user.identity_already_in_use': {
    status: 422,
    call: 'POST /api/my-account/identities',
    setup: '`heldByAnotherUser: true`',
    meaning:
      'another Logto user already holds this IdP account (it signed in with it first, or was linked to it): an IdP ' +
      'account belongs to one Logto user only, so the link is refused before anything is stored',
    whatToDo:
      'the user signs in to the account that holds it and unlinks it there (DELETE /api/my-account/identities/' +
      '{target}), or an admin removes that identity in the Console (User details → Connections), or the two ' +
      'accounts are merged; then link again. Your app should tell the user which account already uses it',
  },
  'user.last_sign_in_method_required': {
    status: 400,
    call: 'DELETE /api/my-account/identities/{target}',
    setup: '`socialOnly: true` with `action: unlink`',
    meaning:
      'the identity is the only way the user can sign in (no username, password, email, phone or other identity): ' +
      'Logto keeps at least one identifier on every account',
    whatToDo:
      'have the user add another way to sign in first (an email, a phone, a password with a username, or another ' +
      'social account), then unlink; your account page should hide or explain "unlink" for such users',
  },
} as const satisfies Record<string, LinkRefusal>;

export type LinkRefusalCode = keyof typeof LINK_REFUSALS;
export const LINK_REFUSAL_CODES = Object.keys(LINK_REFUSALS) as LinkRefusalCode[];

/** What Logto's answer means and what to do, when the code is one of the catalog's. */
export const linkRefusal = (code: string | undefined): LinkRefusal | undefined =>
  code !== undefined && code in LINK_REFUSALS ? LINK_REFUSALS[code as LinkRefusalCode] : undefined;
