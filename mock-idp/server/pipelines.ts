import compose from 'koa-compose';
import type { Fixture } from '../fixture/schema.ts';
import type { AuthorizeErrorAnswer } from './authorize-error.ts';
import { claimsFollowScopes } from './claims-by-scope.ts';
import { checkClientAuth } from './client-auth.ts';
import { renameClientParams } from './client-param-names.ts';
import { errorsWith200 } from './errors-with-200.ts';
import { omitIdTokenOnRefresh } from './id-token-on-refresh.ts';
import { takeJsonTokenBody } from './json-token-body.ts';
import { freeFormIdTokenClaims } from './free-form-id-token.ts';
import type { SigningKeys } from './keys.ts';
import { refuseUserinfo } from './no-userinfo.ts';
import { honourOfflineAccess } from './offline-access.ts';
import { offlineOnlyWith } from './offline-when-params.ts';
import { omitTokenType } from './omit-token-type.ts';
import { refuseClientIdInBodyWithBasic } from './refuse-client-id-with-basic.ts';
import { requireHeaders } from './required-headers.ts';
import { requireAuthorizeParams, requireTokenParams } from './required-params.ts';
import { requireUserAgent } from './require-user-agent.ts';
import { reshapeTokenFields } from './reshape-token-fields.ts';
import { shapeTokenErrors } from './shape-token-errors.ts';
import { shapeTokenResponse } from './shape-token-response.ts';
import type { MockIdpMiddleware } from './state.ts';
import { refuseUnknownScopes } from './unknown-scopes.ts';
import { selectUserinfoFields } from './userinfo-field-selection.ts';
import { requireUserinfoQuery } from './userinfo-required-query.ts';
import { refuseWrongMethod } from './wrong-method.ts';
import type { UserDirectory } from './users.ts';

export interface PipelineOptions {
  fixture: Fixture;
  keys: SigningKeys;
  /** For the id_tokens of free-form accounts (the login page's "sign in as anyone"). */
  users: UserDirectory;
  authorizeError: AuthorizeErrorAnswer;
  /** What oidc-provider accepts as a client assertion's aud at the endpoint called. */
  tokenAudiences: (path: string) => string[];
  /** The scope granted to an access token (undefined when unknown): what claimsFollowScopes reads at userinfo. */
  scopeOf: (accessToken: string) => string | undefined;
}

export type Pipelines = Record<'authorize' | 'token' | 'userinfo' | 'revocation', MockIdpMiddleware[]>;

/** The middlewares a fixture asks for; a quirk it does not ask for is not there at all. */
const on = (...middlewares: Array<MockIdpMiddleware | undefined>): MockIdpMiddleware[] =>
  middlewares.filter((middleware) => middleware !== undefined);

/**
 * What runs before each endpoint answers (oidc-provider for authorize, token and revocation, our own
 * route for userinfo), in order: the real-provider quirks (one middleware each, every one reading
 * only the request and the fixture, so it behaves the same when a real Logto is the client) and the
 * bends of oidc-provider toward what real IdPs do. As oidc-provider's actions are arrays of steps.
 * A middleware that bends the answer comes before the ones whose answer it bends.
 */
export function pipelines({
  fixture,
  keys,
  users,
  authorizeError,
  tokenAudiences,
  scopeOf,
}: PipelineOptions): Pipelines {
  const { userinfo, tokenResponse, tokenRequest, requiredParams } = fixture;
  const scoped = claimsFollowScopes(fixture, keys, scopeOf);
  return {
    authorize: on(
      renameClientParams(fixture.clientParamNames),
      requireAuthorizeParams(requiredParams.authorize, authorizeError, requiredParams.report),
      refuseUnknownScopes(fixture.refuseUnknownScopes, fixture.scopes, authorizeError),
      offlineOnlyWith(fixture.refreshTokens.onlyWithAuthorizeParams),
      honourOfflineAccess(fixture.scopes),
    ),
    // The provider's own refusals first: no other quirk bends them.
    token: on(
      refuseWrongMethod(['POST'], tokenRequest.wrongMethod),
      requireHeaders(tokenRequest.requiredHeaders, 'token'),
      shapeTokenErrors(tokenResponse.errorEncoding),
      errorsWith200(fixture.errorsWith200?.token),
      takeJsonTokenBody(tokenRequest.encoding),
      reshapeTokenFields(tokenResponse),
      omitTokenType(tokenResponse.omitTokenType),
      renameClientParams(fixture.clientParamNames),
      refuseClientIdInBodyWithBasic(fixture.clients),
      requireTokenParams(requiredParams.token, requiredParams.report),
      checkClientAuth(fixture, tokenAudiences),
      shapeTokenResponse(fixture, keys),
      omitIdTokenOnRefresh(tokenResponse.idTokenOnRefresh),
      // oidc-provider's id_token, before shapeTokenResponse bends it: re-signed with the granted claims only.
      scoped.token,
      freeFormIdTokenClaims(users, keys),
    ),
    // Empty unless the answer depends on more than the token: then the HTTP fast path must not take it.
    userinfo: on(
      refuseWrongMethod(userinfo.method === 'ANY' ? ['GET', 'POST'] : [userinfo.method], userinfo.wrongMethod),
      requireHeaders(userinfo.requiredHeaders, 'userinfo'),
      errorsWith200(fixture.errorsWith200?.userinfo),
      refuseUserinfo(userinfo.enabled),
      requireUserAgent(userinfo.requireUserAgent),
      requireUserinfoQuery(userinfo.requiredQuery),
      selectUserinfoFields(userinfo.fieldSelection),
      scoped.userinfo,
    ),
    revocation: on(checkClientAuth(fixture, tokenAudiences)),
  };
}

/**
 * One middleware that hands each request to its endpoint's pipeline, composed once (as oidc-provider's
 * router hands each route its action's array); requests of other endpoints pass.
 */
export function byEndpoint(all: Pipelines, endpointOf: (path: string) => string): MockIdpMiddleware {
  const composed = new Map(
    Object.entries(all)
      .filter(([, middlewares]) => middlewares.length > 0)
      .map(([endpoint, middlewares]) => [endpoint, compose(middlewares)]),
  );
  return async function byEndpoint(ctx, next) {
    const pipeline = composed.get(endpointOf(ctx.path));
    await (pipeline ? pipeline(ctx, next) : next());
  };
}
