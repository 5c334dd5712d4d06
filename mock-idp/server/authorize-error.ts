import type { Fixture } from '../fixture/schema.ts';
import { isOpenRedirectUri } from './redirect-uri.ts';
import type { MockIdpContext } from './state.ts';

/** Answers an authorization request with an error, as `authorizeErrorAnswer` describes. */
export type AuthorizeErrorAnswer = (ctx: MockIdpContext, errorParams: Record<string, string>) => void;

/**
 * An authorization error as a real IdP sends it (RFC 6749 §4.1.2.1): a 303 back to the request's
 * redirect_uri with the error parameters, the request's state and `iss` unless the fixture gives one (RFC 9207: discovery
 * announces it, and a client that checks it refuses a response without it before reading the error).
 * Where that URI is not one the client may be sent to (unknown client, no or an unregistered
 * redirect_uri), the RFC forbids the redirect: the parameters come back as a 400 JSON body instead.
 */
export const authorizeErrorAnswer =
  (
    issuer: string,
    { clients, clientParamNames }: Pick<Fixture, 'clients' | 'clientParamNames'>,
  ): AuthorizeErrorAnswer =>
  (ctx, errorParams) => {
    const { params } = ctx.state;
    // A fault answers before the quirks rename a WeChat-style appid to client_id.
    const clientId = params.client_id ?? (clientParamNames?.clientId ? params[clientParamNames.clientId] : undefined);
    const client = clients.find((candidate) => candidate.clientId === clientId);
    const redirectUri = params.redirect_uri;
    const usable =
      client &&
      redirectUri &&
      isOpenRedirectUri(redirectUri) &&
      (!client.redirectUris || client.redirectUris.includes(redirectUri));
    if (!usable) {
      ctx.status = 400;
      ctx.set('cache-control', 'no-store');
      ctx.body = { ...errorParams };
      return;
    }
    const target = new URL(redirectUri);
    for (const [name, value] of Object.entries(errorParams)) target.searchParams.set(name, value);
    if (params.state) target.searchParams.set('state', params.state);
    // The redirect_uri's own query may hold an `iss` too: the IdP's (or the fixture's) is the one sent.
    if (errorParams.iss === undefined) target.searchParams.set('iss', issuer);
    ctx.status = 303;
    ctx.redirect(target.href);
  };
