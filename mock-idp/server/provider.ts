import type Koa from 'koa';
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Fixture, FixtureClient } from '../fixture/schema.ts';
import { clientWentAway } from './error-boundary.ts';
import type { MemoryStore } from './memory-adapter.ts';
import { isOpenRedirectUri } from './redirect-uri.ts';
import { runRequestsWithoutContext } from './provider-context.ts';
import type { EndpointPaths } from './paths.ts';
import { CLIENT_AUTH_METHODS, CLIENT_AUTH_SIGNING_ALGS, ID_TOKEN_SIGNING_ALGS } from './static-metadata.ts';
import type { UserDirectory } from './users.ts';

// Registered for clients whose fixture leaves redirectUris open; never used, any http(s) URI is accepted.
const OPEN_REDIRECT_PLACEHOLDER = 'https://redirect-uris-not-restricted.invalid/callback';

function clientMetadata(client: FixtureClient, fixture: Fixture): ClientMetadata {
  return {
    client_id: client.clientId,
    ...(client.clientSecret && client.tokenEndpointAuthMethod !== 'none' ? { client_secret: client.clientSecret } : {}),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    ...(client.clientSecretJwtAlg ? { token_endpoint_auth_signing_alg: client.clientSecretJwtAlg } : {}),
    redirect_uris: client.redirectUris ?? [OPEN_REDIRECT_PLACEHOLDER],
    post_logout_redirect_uris: client.redirectUris ?? [OPEN_REDIRECT_PLACEHOLDER],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: fixture.idToken.alg,
  };
}

/**
 * oidc-provider configured from the fixture. Everything the fixture does not bend stays the
 * certified library's behaviour; the quirks are layered on as koa middleware around it.
 */
export function createProvider(
  issuer: string,
  fixture: Fixture,
  users: UserDirectory,
  jwks: JWK[],
  endpoints: EndpointPaths,
  store: MemoryStore,
): Provider {
  const configuration: Configuration = {
    adapter: store.Adapter,
    clients: fixture.clients.map((client) => clientMetadata(client, fixture)),
    jwks: { keys: jwks },
    routes: {
      authorization: endpoints.authorization,
      token: endpoints.token,
      userinfo: endpoints.userinfo,
      jwks: endpoints.jwks,
      revocation: endpoints.revocation,
      end_session: endpoints.endSession,
    },
    scopes: fixture.scopes,
    claims: { openid: users.claimNames() },
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(16).toString('hex')] },
    enabledJWA: {
      clientAuthSigningAlgValues: [...CLIENT_AUTH_SIGNING_ALGS],
      idTokenSigningAlgValues: [...ID_TOKEN_SIGNING_ALGS],
    },
    clientAuthMethods: [...CLIENT_AUTH_METHODS],
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      // oidc-provider's default rule, stated here so it does not print a notice at every revocation.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage, postLogoutSuccessSource: signedOutPage },
      userinfo: { enabled: fixture.userinfo.enabled },
    },
    pkce: {
      required: (_ctx, client) =>
        fixture.clients.find((candidate) => candidate.clientId === client.clientId)?.pkce === 'required',
    },
    ttl: {
      AccessToken: fixture.accessTokenTtlSeconds,
      AuthorizationCode: 600,
      IdToken: fixture.idToken.ttlSeconds,
      Interaction: 3600,
      Session: 86_400,
      Grant: 86_400,
      RefreshToken: 14 * 86_400,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      if (!users.account(sub)) return undefined;
      return { accountId: sub, claims: () => users.claimsOf(sub) as { sub: string } };
    },
    // The mock never asks for consent: every authorization gets a fresh grant of what it requested.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const consented = oidc.result?.consent?.grantId;
      if (typeof consented === 'string') return oidc.provider.Grant.find(consented);
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      const scope = typeof oidc.params?.scope === 'string' ? oidc.params.scope : '';
      if (scope) grant.addOIDCScope(scope);
      await grant.save();
      return grant;
    },
    issueRefreshToken: (_ctx, client, code) => {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      if (fixture.refreshTokens.issue === 'never') return false;
      if (fixture.refreshTokens.issue === 'always') return true;
      return code.scopes.has('offline_access');
    },
    rotateRefreshToken: () => fixture.refreshTokens.rotate,
    clientBasedCORS: () => true,
    // OIDC Core §3.1.2.1 requires redirect_uri at authorize, RFC 6749 §4.1.3 then at the token
    // endpoint: a client that omits it must fail here as it would at a strict IdP.
    allowOmittingSingleRegisteredRedirectUri: false,
    // An automation tool: errors are JSON even where oidc-provider would render an HTML page.
    renderError: (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  };
  runRequestsWithoutContext();
  const provider = new Provider(issuer, configuration);
  provider.proxy = true;
  // koa prints every socket error with its stack; a client that hangs up mid-request is not a fault
  // of the IdP (errors thrown by middleware never get here: errorBoundary answers them).
  (provider as Koa).on('error', (error: Error) => {
    if (!clientWentAway(error)) provider.onerror(error);
  });

  const openClients = new Set(
    fixture.clients.filter((client) => !client.redirectUris).map((client) => client.clientId),
  );
  const prototype = provider.Client.prototype;
  // oidc-provider's own checks, kept to be called on a client (`.call(this, value)`) as it calls them.
  /* eslint-disable @typescript-eslint/unbound-method */
  const restrictedRedirect = prototype.redirectUriAllowed;
  const restrictedLogoutRedirect = prototype.postLogoutRedirectUriAllowed;
  /* eslint-enable @typescript-eslint/unbound-method */
  prototype.redirectUriAllowed = function (this: InstanceType<typeof provider.Client>, value: string) {
    return openClients.has(this.clientId) ? isOpenRedirectUri(value) : restrictedRedirect.call(this, value);
  };
  prototype.postLogoutRedirectUriAllowed = function (this: InstanceType<typeof provider.Client>, value: string) {
    return openClients.has(this.clientId) ? isOpenRedirectUri(value) : restrictedLogoutRedirect.call(this, value);
  };
  return provider;
}

// Logout confirms without a page: automation follows redirects, it does not click.
async function logoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.type = 'html';
  ctx.body =
    `<!doctype html><html><body>${form}<script>document.forms[0].submit()</script>` +
    `<noscript><button form="op.logoutForm" name="logout" value="yes">Sign out</button></noscript></body></html>`;
}

// Shown when end session has nowhere to redirect back to; plain, no external assets.
async function signedOutPage(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out – mock IdP</title></head>' +
    '<body><main><h1>Signed out</h1><p>The mock IdP ended your session.</p></main></body></html>';
}
