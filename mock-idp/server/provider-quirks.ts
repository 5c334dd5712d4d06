import type { Middleware } from 'koa';
import { chain } from './chain.ts';
import type { Fixture } from '../fixture/schema.ts';
import { renameClientParams } from './client-param-names.ts';
import { errorsWith200 } from './errors-with-200.ts';
import { refuseUserinfo } from './no-userinfo.ts';
import { offlineOnlyWith } from './offline-when-params.ts';
import { omitTokenType } from './omit-token-type.ts';
import { refuseClientIdInBodyWithBasic } from './refuse-client-id-with-basic.ts';
import { requireUserAgent } from './require-user-agent.ts';
import { selectUserinfoFields } from './userinfo-field-selection.ts';
import { requireUserinfoQuery } from './userinfo-required-query.ts';

/**
 * The real-provider quirks, one middleware each, grouped per endpoint so start.ts wires each
 * endpoint with one line. Every quirk reads only the request and the fixture: it behaves the
 * same when a real Logto is the client.
 */
export function providerQuirks(fixture: Fixture) {
  const { userinfo } = fixture;
  return {
    authorize: renameClientParams(fixture.clientParamNames),
    offline: offlineOnlyWith(fixture.refreshTokens.onlyWithAuthorizeParams),
    token: chain(
      errorsWith200(fixture.errorsWith200?.token),
      omitTokenType(fixture.tokenResponse.omitTokenType),
      renameClientParams(fixture.clientParamNames),
      refuseClientIdInBodyWithBasic(fixture),
    ),
    userinfo: chain(
      errorsWith200(fixture.errorsWith200?.userinfo),
      refuseUserinfo(userinfo.enabled),
      requireUserAgent(userinfo.requireUserAgent),
      requireUserinfoQuery(userinfo.requiredQuery),
      selectUserinfoFields(userinfo.fieldSelection),
    ),
    /** The userinfo answer depends on more than the token: the HTTP fast path must not take it. */
    userinfoBent:
      !userinfo.enabled ||
      userinfo.requireUserAgent ||
      Object.keys(userinfo.requiredQuery).length > 0 ||
      userinfo.fieldSelection !== undefined ||
      fixture.errorsWith200?.userinfo !== undefined,
  };
}
