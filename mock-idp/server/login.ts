import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Fixture } from '../fixture/schema.ts';
import { renderLoginPage } from './login-page.ts';
import { invalidRequest } from './oauth-error.ts';
import type { MockIdpContext, MockIdpState } from './state.ts';
import type { UserDirectory } from './users.ts';

/**
 * Interactions: headless when the user is known in advance (login_hint, or the fixture's
 * defaultUser), a page listing the fixture's users otherwise.
 */
export function loginRoutes(
  router: Router<MockIdpState>,
  provider: Provider,
  fixture: Fixture,
  users: UserDirectory,
): void {
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

  router.get('/interaction/:uid', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name === 'consent') return finishConsent(ctx, interaction);
    const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
    if (hint && users.get(hint)) return finishLogin(ctx, hint);
    if (!hint && fixture.defaultUser && users.get(fixture.defaultUser)) return finishLogin(ctx, fixture.defaultUser);
    ctx.type = 'html';
    ctx.body = renderLoginPage({
      action: `/interaction/${interaction.uid}/login`,
      clientId: String(interaction.params.client_id ?? ''),
      users: users.list(),
      ...(fixture.description ? { description: fixture.description } : {}),
      ...(hint
        ? {
            error: `login_hint "${hint}" is not a user of this fixture; pick one below (known: ${users
              .list()
              .map((user) => user.id)
              .join(', ')})`,
          }
        : {}),
    });
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
