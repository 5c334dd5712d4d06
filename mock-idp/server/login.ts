import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Fixture } from '../fixture/schema.ts';
import { parseFreeFormSignIn } from './free-form-sign-in.ts';
import { renderLoginPage, type FreeFormInput } from './login-page.ts';
import { invalidRequest } from './oauth-error.ts';
import type { MockIdpContext, MockIdpState } from './state.ts';
import type { UserDirectory } from './users.ts';

/** Where claims typed on the login page do not reach, with this fixture's userinfo and token answer. */
function claimsReach(fixture: Fixture): string | undefined {
  const { userinfo, tokenResponse } = fixture;
  const notes = [
    !userinfo.enabled && 'This fixture has no userinfo endpoint: the claims reach the id_token only.',
    userinfo.enabled &&
      userinfo.override &&
      `This fixture's userinfo answers a fixed body (HTTP ${userinfo.override.status}), not the claims.`,
    userinfo.fieldSelection &&
      `Its userinfo returns only the fields the client selects with ${userinfo.fieldSelection.param}.`,
    !tokenResponse.idToken && 'Its token answer carries no id_token.',
  ].filter((note) => typeof note === 'string');
  return notes.length > 0 ? notes.join(' ') : undefined;
}

// The page echoes what was typed (escaped); nothing but its own markup and style may load.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/**
 * Interactions: headless when the user is known in advance (login_hint, or the fixture's
 * defaultUser unless StartOptions.loginPage), a page otherwise: pick a fixture user (`POST …/login`, user=<id>, as scripts do), or
 * sign in as any id with claims typed as JSON (`POST …/login-as`, id and claims).
 */
export function loginRoutes(
  router: Router<MockIdpState>,
  provider: Provider,
  fixture: Fixture,
  users: UserDirectory,
  { headlessDefaultUser }: { headlessDefaultUser: boolean },
): void {
  const defaultUser = headlessDefaultUser ? fixture.defaultUser : undefined;
  const finishLogin = async (ctx: MockIdpContext, accountId: string) => {
    const target = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(target);
  };

  // Consent is only asked for offline_access (see offline-access.ts); it is always given.
  const finishConsent = async (
    ctx: MockIdpContext,
    interaction: Awaited<ReturnType<Provider['interactionDetails']>>,
  ) => {
    const accountId = interaction.session?.accountId;
    if (!accountId) throw invalidRequest('consent asked before sign-in; start again from the authorization request');
    const grant = interaction.grantId
      ? ((await provider.Grant.find(interaction.grantId)) ??
        new provider.Grant({ accountId, clientId: String(interaction.params.client_id) }))
      : new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
    if (typeof interaction.params.scope === 'string') grant.addOIDCScope(interaction.params.scope);
    const grantId = await grant.save();
    const target = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    ctx.status = 303;
    ctx.redirect(target);
  };

  const details = async (ctx: MockIdpContext) => {
    try {
      return await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      throw invalidRequest(
        'this sign-in session is unknown or expired; start again from the authorization request (cookies must be kept between redirects)',
      );
    }
  };

  const showPage = (
    ctx: MockIdpContext,
    interaction: Awaited<ReturnType<Provider['interactionDetails']>>,
    shown: { error?: string; freeForm?: FreeFormInput },
  ) => {
    const reach = claimsReach(fixture);
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', PAGE_CSP);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderLoginPage({
      action: `/interaction/${interaction.uid}/login`,
      freeFormAction: `/interaction/${interaction.uid}/login-as`,
      clientId: String(interaction.params.client_id ?? ''),
      users: users.list(),
      ...(fixture.description ? { description: fixture.description } : {}),
      ...(reach ? { claimsReach: reach } : {}),
      ...shown,
    });
  };

  router.get('/interaction/:uid', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name === 'consent') return finishConsent(ctx, interaction);
    const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
    if (hint && users.get(hint)) return finishLogin(ctx, hint);
    if (!hint && defaultUser && users.get(defaultUser)) return finishLogin(ctx, defaultUser);
    showPage(
      ctx,
      interaction,
      hint
        ? {
            error: `login_hint "${hint}" is not a user of this fixture; pick one below (known: ${users
              .list()
              .map((user) => user.id)
              .join(', ')})`,
          }
        : {},
    );
  });

  // A refusal is the page again, with what was typed and why it was refused: a person fixes it there.
  router.post('/interaction/:uid/login-as', async (ctx) => {
    const interaction = await details(ctx);
    const typed = { id: ctx.state.params.id ?? '', claims: ctx.state.params.claims ?? '' };
    const parsed = parseFreeFormSignIn(typed);
    const problem = !parsed.ok
      ? parsed.problem
      : users.get(parsed.id)
        ? `"${parsed.id}" is a user of this fixture: pick it from the list above, or type another id`
        : undefined;
    if (parsed.ok && problem === undefined) {
      users.addFreeForm(parsed.id, parsed.claims);
      return finishLogin(ctx, parsed.id);
    }
    ctx.status = 400;
    showPage(ctx, interaction, { freeForm: { ...typed, problem } });
  });

  router.post('/interaction/:uid/login', async (ctx) => {
    // A user is chosen for a sign-in session that exists.
    await details(ctx);
    const chosen = ctx.state.params.user;
    if (!chosen || !users.get(chosen)) {
      throw invalidRequest(
        `unknown user "${chosen ?? ''}"; the fixture has: ${users
          .list()
          .map((user) => user.id)
          .join(', ')}`,
      );
    }
    return finishLogin(ctx, chosen);
  });
}
