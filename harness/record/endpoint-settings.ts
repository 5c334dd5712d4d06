import { isSecretKey } from '../../lib/mask.ts';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { encodedAsSent, errorBody, replayedHeaders } from './error-answers.ts';
import { contentTypeOf, parsedBody } from './exchange.ts';
import { profileAnswer } from './recorded-user.ts';
import { RECORDED_CLIENT_ID, type Recording, type WritingContext } from './recording.ts';

/* The fixture's userinfo and request quirks: where and how userinfo is asked, what it refused, the parameters an IdP requires. */

const AUTHORIZE_PARAMS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'login_hint',
  'response_mode',
]);
const TOKEN_PARAMS = new Set([
  'grant_type',
  'code',
  'redirect_uri',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'code_verifier',
  'refresh_token',
  'scope',
]);
/**
 * Where the replay's userinfo answers, how it takes the token, and its answer when the live one was
 * no profile (an error, a page): undefined when none of these differs from the mock IdP's default.
 */
export function userinfoSettings(context: WritingContext): FixtureInput['userinfo'] | undefined {
  const { recording, userinfo, placeholders, secrets, scrub } = context;
  const { config } = recording;
  let settings: FixtureInput['userinfo'];
  if (userinfo && !profileAnswer(userinfo)) {
    // The override's contentType says the body's type itself.
    const headers = replayedHeaders(userinfo.responseHeaders, undefined, scrub, { contentType: false });
    const body = encodedAsSent(contentTypeOf(userinfo), errorBody(parsedBody(userinfo), placeholders, secrets));
    settings = {
      override: {
        status: userinfo.status,
        contentType: contentTypeOf(userinfo) ?? 'text/plain',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...(headers ? { headers } : {}),
      },
    };
  }
  // The replay's scenario names the configured userinfo path whatever stage the sign-in stopped at:
  // once the user fixes what failed, the replay reaches userinfo where the config says.
  const userinfoUrl = typeof config.userInfoEndpoint === 'string' ? new URL(config.userInfoEndpoint) : undefined;
  if (userinfoUrl && userinfoUrl.pathname !== '/userinfo') settings = { ...settings, path: userinfoUrl.pathname };
  if (userinfo) {
    settings = {
      ...settings,
      tokenFrom: [
        ...(userinfo.requestHeaders.authorization ? ['header' as const] : []),
        ...(userinfo.query.access_token ? ['query' as const] : []),
      ],
    };
    if (settings.tokenFrom?.length === 0) delete settings.tokenFrom;
  }
  return settings;
}

const customParamValue = (config: Record<string, unknown>, name: string, value: string): string | true => {
  const custom = (config.customConfig ?? {}) as Record<string, unknown>;
  // A value the admin wrote in customConfig is configuration, not a person: kept (unless it looks like a secret).
  const written = Object.values(custom).some((item) => String(item) === value);
  if (written && value === config.clientId) return RECORDED_CLIENT_ID;
  return written && !isSecretKey(name) ? value : true;
};

function customParams(
  config: Record<string, unknown>,
  params: Record<string, string>,
  standard: Set<string>,
): Record<string, string | true> {
  return Object.fromEntries(
    Object.entries(params)
      .filter(([name]) => !standard.has(name))
      .map(([name, value]) => [name, customParamValue(config, name, value)]),
  );
}

/** The parameter an authorization error says is missing: the mock IdP can send that error too (requiredParams). */
export function missingParam(recording: Recording): string | undefined {
  const { callback } = recording.observation;
  return callback?.error === 'invalid_request'
    ? /missing required parameter "?([\w.:-]+)"?/i.exec(callback.error_description ?? '')?.[1]
    : undefined;
}

/** The non-standard parameters the connector sent (its customConfig), and one an authorization error says is missing. */
export function requiredParams({
  recording,
  codeExchange,
}: WritingContext): FixtureInput['requiredParams'] | undefined {
  const { config } = recording;
  const authorizeParams = recording.authorizationUri
    ? customParams(config, Object.fromEntries(new URL(recording.authorizationUri).searchParams), AUTHORIZE_PARAMS)
    : {};
  const tokenParams = codeExchange
    ? customParams(config, { ...codeExchange.query, ...codeExchange.form }, TOKEN_PARAMS)
    : {};
  let required: FixtureInput['requiredParams'];
  if (Object.keys(authorizeParams).length + Object.keys(tokenParams).length > 0) {
    required = {
      ...(Object.keys(authorizeParams).length ? { authorize: authorizeParams } : {}),
      ...(Object.keys(tokenParams).length ? { token: tokenParams } : {}),
    };
  }
  const missing = missingParam(recording);
  if (missing) required = { ...required, authorize: { ...required?.authorize, [missing]: true } };
  return required;
}
