import { z } from 'zod';
import { LINK_REFUSAL_CODES, LINK_REFUSALS, type LinkRefusalCode } from './link-refusals.ts';
import { hasControlCharacters } from '../../lib/printable.ts';

/**
 * A scenario: one connector config, one IdP, one user, and what must come out.
 * Connector config values may say `{{issuer}}`, replaced by the embedded IdP's URL at run time
 * (its port is only known once it listens).
 */

export type ProfileField = 'id' | 'name' | 'avatar' | 'email' | 'phone';

const expectedProfile = z
  .strictObject({
    id: z.string(),
    name: z.string().nullable(),
    avatar: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
  })
  .partial();

const expectation = z.strictObject({
  /** The profile Logto must get; a field set to null must be missing. */
  profile: expectedProfile.optional(),
  /** Parameters that must reach the IdP (`true` = present with any value). */
  authorizeParams: z.record(z.string(), z.union([z.string(), z.literal(true)])).optional(),
  tokenParams: z.record(z.string(), z.union([z.string(), z.literal(true)])).optional(),
  tokenAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']).optional(),
  jwtAlg: z.enum(['HS256', 'HS384', 'HS512']).optional(),
  /** With token storage: a refresh token must be stored (and refresh must work). */
  refreshToken: z.boolean().optional(),
  /** The sign-in must fail with this Logto error code, e.g. `connector.invalid_response`. */
  error: z.string().optional(),
  /** Check ids (or id prefixes, e.g. `profile`) that must fail: the diagnosis of a known-bad config. */
  catches: z.array(z.string()).optional(),
  /** A known-bad config no setting of the generic connector can fix: a failing check must say so (and name the ways out). */
  unfixable: z.boolean().optional(),
});
export type Expectation = z.output<typeof expectation>;

/** The connector object as `GET /api/connectors/:id` returns it (extra fields are ignored). */
const connectorObject = z.looseObject({
  connectorId: z.string().optional(),
  config: z.record(z.string(), z.unknown()),
  syncProfile: z.boolean().optional(),
  enableTokenStorage: z.boolean().optional(),
  metadata: z.looseObject({ target: z.string().optional() }).optional(),
});

// An inline fixture is validated by the fixture loader itself, for its precise per-field errors.
const idp = z.union(
  [
    z.strictObject({ fixture: z.union([z.string().min(1), z.record(z.string(), z.unknown())]) }),
    // The connector and the harness speak HTTP: another scheme would only fail mid-run.
    z.strictObject({
      url: z.url({ protocol: /^https?$/, error: 'an http(s) URL of the IdP (its issuer), e.g. http://127.0.0.1:4000' }),
    }),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'required: `idp: { fixture: <path or inline fixture> }` or `idp: { url: <IdP URL> }`'
        : 'give exactly one of `fixture` (a path relative to this file, or an inline fixture) or `url` (an http(s) URL)',
  },
);

/**
 * Account linking (Logto's Account API): a signed-in user with a password links the scenario's
 * connector to their account, instead of signing in with it.
 */
const link = z.strictObject({
  /** `link` links; `replace` links, then replaces the identity with `replaceWith`'s; `unlink` links, then unlinks. */
  action: z.enum(['link', 'replace', 'unlink']).default('link'),
  /** The scope asked for at link time (`POST /api/verifications/social` `scope`): it overrides the config's scope. */
  scope: z.string().trim().min(1, "an empty scope asks for nothing: leave `scope` out to use the config's").optional(),
  /** The connector is not on the sign-in experience: used only for linking and API access. */
  linkingOnly: z.boolean().default(false),
  /** With `action: replace`: the fixture user whose identity replaces the linked one. */
  replaceWith: z.string().optional(),
  /** Before the link, another Logto user signs in with the same IdP account: Logto must refuse the link. */
  heldByAnotherUser: z.boolean().optional(),
  /** The user signed up with this connector and has nothing else (no password, username, email or phone). */
  socialOnly: z.boolean().optional(),
  /** The Logto error code the link (or unlink) must be refused with (link-refusals.ts beside this schema). */
  expectRefusal: z
    .enum(LINK_REFUSAL_CODES as [LinkRefusalCode, ...LinkRefusalCode[]], {
      error: () => `not a refusal the harness can set up; use one of: ${LINK_REFUSAL_CODES.join(', ')}`,
    })
    .optional(),
});
export type LinkInput = z.output<typeof link>;

/** A refusal's setup and its expectation go together: each setup is refused with one code, and only it. */
function linkSetupProblem(input: LinkInput): { message: string; path: string[] } | undefined {
  const at = (field: string) => ['link', field];
  if (input.heldByAnotherUser && input.socialOnly)
    return {
      message: '`heldByAnotherUser` and `socialOnly` set up two different refusals: keep one',
      path: at('socialOnly'),
    };
  if (input.heldByAnotherUser && input.action !== 'link')
    return {
      message:
        'the link is refused when another user holds the identity: there is nothing to replace or unlink; use `action: link`',
      path: at('action'),
    };
  if (input.heldByAnotherUser && input.linkingOnly)
    return {
      message:
        'the other user signs in with the connector, so it must be on the sign-in experience: drop `linkingOnly`',
      path: at('linkingOnly'),
    };
  if (input.socialOnly && input.action !== 'unlink')
    return {
      message: 'a `socialOnly` user got the identity by signing up with it: `socialOnly` is for `action: unlink`',
      path: at('action'),
    };
  if (input.socialOnly && (input.scope || input.linkingOnly))
    return {
      message:
        'a `socialOnly` user signs up with the connector on the sign-in experience: drop `scope` and `linkingOnly`',
      path: at('socialOnly'),
    };
  const setUp = input.heldByAnotherUser
    ? 'user.identity_already_in_use'
    : input.socialOnly
      ? 'user.last_sign_in_method_required'
      : undefined;
  if (setUp && input.expectRefusal !== setUp)
    return {
      message: `Logto refuses this setup with ${setUp}: say \`expectRefusal: ${setUp}\``,
      path: at('expectRefusal'),
    };
  if (input.expectRefusal && !setUp)
    return {
      message: `${input.expectRefusal} needs its setup: ${LINK_REFUSALS[input.expectRefusal].setup}`,
      path: at('expectRefusal'),
    };
  return undefined;
}

// Names and descriptions are printed on the terminal: an escape sequence in them would be obeyed.
const printableText = z
  .string()
  .refine((text) => !hasControlCharacters(text), 'contains control characters (an escape sequence?); use plain text');

export const scenarioSchema = z
  .strictObject({
    name: printableText.min(1),
    description: printableText.optional(),
    /** A known-bad config: the scenario passes when the harness catches it with `expect.error` / failing checks. */
    knownBad: z.boolean().default(false),
    connector: z.enum(['oauth2', 'oidc']).optional(),
    /** The provider library entry this scenario models (harness/providers/catalog.ts): its dedicated connector is named in fixes. */
    provider: z.string().optional(),
    /** The config JSON as a Logto admin writes it… */
    config: z.record(z.string(), z.unknown()).optional(),
    /** …or the whole connector object as the Management API returns it. */
    connectorObject: connectorObject.optional(),
    syncProfile: z.boolean().optional(),
    enableTokenStorage: z.boolean().optional(),
    idp,
    /** User id in the fixture to sign in as (sent as login_hint); default: the fixture's defaultUser. */
    user: z.string().optional(),
    /** For the real-Logto target: the profile the IdP returns at a second sign-in (checks syncProfile). */
    secondSignIn: z.strictObject({ profile: z.record(z.string(), z.unknown()) }).optional(),
    /** Link the connector to a signed-in user through the Account API rather than signing in with it. */
    link: link.optional(),
    expect: expectation.default({}),
  })
  .refine((scenario) => Boolean(scenario.config) !== Boolean(scenario.connectorObject), {
    message:
      'give exactly one of `config` (the connector config JSON) or `connectorObject` (the whole connector as the Management API returns it)',
    path: ['config'],
  })
  .refine((scenario) => !scenario.link || scenario.link.action === 'replace' || !scenario.link.replaceWith, {
    message: '`replaceWith` is only read with `action: replace`',
    path: ['link', 'replaceWith'],
  })
  .refine((scenario) => scenario.link?.action !== 'replace' || Boolean(scenario.link.replaceWith), {
    message:
      '`action: replace` needs `replaceWith: <a user of the fixture>` (the identity that replaces the linked one)',
    path: ['link', 'action'],
  })
  .superRefine((scenario, context) => {
    const problem = scenario.link && linkSetupProblem(scenario.link);
    if (problem) context.addIssue({ code: 'custom', ...problem });
  })
  .refine((scenario) => !(scenario.link && scenario.secondSignIn), {
    message: '`secondSignIn` is about signing in with the connector; a `link:` scenario links it instead: drop one',
    path: ['secondSignIn'],
  });

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioFile = z.output<typeof scenarioSchema>;

/** A file of several scenarios: `scenarios: [ {name, config, idp, …}, … ]` (each item as above). */
export const scenarioListSchema = z.strictObject({
  description: z.string().optional(),
  scenarios: z.array(z.unknown()).min(1, 'list at least one scenario'),
});
