import { getSafe } from '@silverhand/essentials';
import { stringify } from 'yaml';
import { isSecretKey, MIN_KNOWN_SECRET, secretValuesOf } from '../../lib/mask.ts';
import { secretFormsReplacer } from '../../lib/secret-forms.ts';
import { isOAuthErrorCode, type FixtureInput } from '../../mock-idp/fixture/schema.ts';
import type { Expectation, ScenarioInput } from '../scenario/schema.ts';
import type { Observation } from '../observation.ts';
import type { CheckResult } from '../model.ts';
import { Placeholders, REMOVED, scrubText } from './anonymize.ts';
import type { FollowResult } from '../follow-redirects.ts';
import { contentTypeOf, isTokenError, parseBody, parsedBody, type Exchange } from './exchange.ts';
import { isRecord } from '../../lib/is-record.ts';

/** Everything the live run left behind that a fixture can be written from. */
export interface Recording {
  /** The connector config as given, endpoints at the real IdP (never written as is). */
  config: Record<string, unknown>;
  connector: 'oauth2' | 'oidc';
  enableTokenStorage: boolean;
  authorizationUri?: string;
  exchanges: Exchange[];
  observation: Observation;
  /**
   * The live observation's checks under other expectations: the recorded scenario's own, not the
   * input's (an input expecting a profile field would otherwise leave a failing check to catch
   * that the replay, expecting only what was seen, never runs).
   */
  judge(expect: Expectation): CheckResult[];
  recordedAt: Date;
  /** The real IdP's host, named in the comments. */
  host: string;
  /** Where the browser stopped when the IdP never sent it back (the IdP's answer to the authorization request). */
  authorizeStop?: FollowResult['stoppedAt'];
}

export interface RecordedFiles {
  fixture: FixtureInput;
  scenario: ScenarioInput;
  fixtureYaml: string;
  scenarioYaml: string;
  /** What the fixture cannot reproduce (also written as comments). */
  notes: string[];
  /**
   * The scenario's expectations in the live run's own values (the real profile, not its
   * placeholders): judged with these, the live sign-in must get the verdicts the replay gets.
   */
  liveExpect: Expectation;
}

export const RECORDED_USER = 'recorded-user';
export const RECORDED_CLIENT_ID = 'recorded-client';
export const RECORDED_CLIENT_SECRET = 'recorded-client-secret';
/** Where the scenario finds the fixture: a folder named idp/ is skipped when `run` walks a folder. */
export const FIXTURE_FILE = 'idp/fixture.yaml';
export const SCENARIO_FILE = 'scenario.yaml';

const TOKEN_FIELDS = new Set(['access_token', 'token_type', 'expires_in', 'refresh_token', 'id_token', 'scope']);
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
// `sub` is the fixture user's id in a mock IdP's id_token: not a claim of its own.
const PROTOCOL_CLAIMS = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'auth_time',
  'azp',
  'sid',
  'jti',
  'amr',
  'acr',
]);
const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'phone', 'offline_access'];

// The test reads exchanges as the writer does.
export { parsedBody };

// What a client may read off an error answer besides its body: the challenge, and when to try again.
const REPLAYED_HEADERS = ['www-authenticate', 'retry-after'];

/**
 * The headers an error answer is replayed with (scrubbed), and its content type where the fixture's
 * default for the body (text/plain for a string, JSON for an object) would be another; undefined
 * when there are none. Pure.
 */
function replayedHeaders(
  headers: Record<string, string>,
  body: unknown,
  scrub: (text: string) => string,
  options: { contentType: boolean },
): Record<string, string> | undefined {
  const replayed: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) if (headers[name] !== undefined) replayed[name] = scrub(headers[name]);
  const type = headers['content-type'];
  if (options.contentType && typeof body === 'string' && type && !/^text\/plain\b/i.test(type))
    replayed['content-type'] = type;
  return Object.keys(replayed).length > 0 ? replayed : undefined;
}

function jwtClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return isRecord(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every secret, token and code of the live run: the config's secret-like values (the client secret, a customConfig
 * `partner_key`), what the connector sent (the Basic credentials, decoded too; secret-like parameters; the code) and
 * what the IdP issued. Cut out of anything written, in any encoding; remembered for masking what is printed.
 */
export function liveSecrets(recording: Pick<Recording, 'config' | 'observation' | 'exchanges'>): Set<string> {
  const secrets = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 4) secrets.add(value);
  };
  for (const value of secretValuesOf(recording.config)) add(value);
  add(recording.observation.callback?.code);
  for (const exchange of recording.exchanges) {
    const authorization = exchange.requestHeaders.authorization;
    if (authorization) {
      const credential = authorization.split(' ').slice(1).join(' ');
      add(credential);
      if (/^basic/i.test(authorization))
        for (const part of Buffer.from(credential, 'base64').toString('utf8').split(':')) add(decodeParam(part));
    }
    for (const [key, value] of Object.entries({ ...exchange.form, ...exchange.query }))
      if (isSecretKey(key) || key === 'code') add(value);
    const body = parsedBody(exchange);
    if (isRecord(body)) for (const value of secretValuesOf(body)) add(value);
  }
  return secrets;
}

// A Basic credential's parts are form-encoded (RFC 6749 2.3.1) by some clients, not by others; a stray % is no encoding.
const decodeParam = (part: string): string => {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
};

/** Every live secret, and what identifies this run at the real IdP (the client id, the state): cut out of free text. */
function secretsOf(recording: Recording): Set<string> {
  const secrets = liveSecrets(recording);
  for (const value of [recording.config.clientId, recording.observation.state])
    if (typeof value === 'string' && value.length >= 4) secrets.add(value);
  return secrets;
}

/**
 * `value` with every live secret cut out of every string and object key, at any depth: the last pass over what
 * is written, for what the IdP controls and a fixture keeps as sent (an error code, a content type, token_type,
 * the id_token's alg, a key of an error body). Pure.
 */
function withoutSecrets<T>(value: T, replace: (text: string) => string): T {
  if (typeof value === 'string') return replace(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutSecrets(item, replace)) as T;
  if (isRecord(value))
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [replace(key), withoutSecrets(item, replace)]),
    ) as T;
  return value;
}

/** An OAuth error body: the error code is protocol, kept; descriptions are scrubbed; anything else gets placeholders. */
function errorBody(body: unknown, placeholders: Placeholders, secrets: Set<string>): string | Record<string, unknown> {
  if (!isRecord(body))
    return scrubText(typeof body === 'string' ? body : JSON.stringify(body), [...secrets, ...placeholders.originals]);
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => {
      if (key === 'error' && typeof value === 'string' && /^[\w.-]+$/.test(value)) return [key, value];
      if (typeof value === 'string' && /description|message|detail/i.test(key))
        return [key, scrubText(value, [...secrets, ...placeholders.originals])];
      return [placeholders.key(key), placeholders.value(value, key)];
    }),
  );
}

/**
 * An anonymised error body in the encoding the IdP sent it in: a form-encoded answer is written as
 * its form again (its values anonymised, its order kept), since a fixture sends an object as JSON.
 * Pure.
 */
function encodedAsSent(
  contentType: string | undefined,
  body: string | Record<string, unknown>,
): string | Record<string, unknown> {
  if (typeof body === 'string' || !(contentType ?? '').includes('x-www-form-urlencoded')) return body;
  return new URLSearchParams(
    Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  ).toString();
}

const customParamValue = (config: Record<string, unknown>, name: string, value: string): string | true => {
  const custom = (config.customConfig ?? {}) as Record<string, unknown>;
  // A value the admin wrote in customConfig is configuration, not a person: kept (unless it looks like a secret).
  const written = Object.values(custom).some((item) => String(item) === value);
  if (written && value === config.clientId) return RECORDED_CLIENT_ID;
  return written && !isSecretKey(name) ? value : true;
};

function requiredParams(
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

/** The replayed config: the same settings, pointed at the fixture (`{{issuer}}`), with the recorded client. */
function replayConfig(recording: Recording, userinfoPath: string): Record<string, unknown> {
  const { config } = recording;
  const placeholders = new Placeholders();
  const custom = config.customConfig as Record<string, unknown> | undefined;
  const replayed: Record<string, unknown> = {
    ...config,
    authorizationEndpoint: '{{issuer}}/authorize',
    tokenEndpoint: '{{issuer}}/token',
    clientId: RECORDED_CLIENT_ID,
    ...(config.userInfoEndpoint ? { userInfoEndpoint: `{{issuer}}${userinfoPath}` } : {}),
    ...(config.clientSecret ? { clientSecret: RECORDED_CLIENT_SECRET } : {}),
    // The client id also travels in customConfig where a config repeats it there (the Okta trap): the recorded one replaces it too.
    ...(custom
      ? {
          customConfig: Object.fromEntries(
            Object.entries(custom).map(([key, value]) => [
              key,
              value === config.clientId
                ? RECORDED_CLIENT_ID
                : isSecretKey(key) && typeof value === 'string'
                  ? placeholders.value(value, key)
                  : value,
            ]),
          ),
        }
      : {}),
  };
  const verification = config.idTokenVerificationConfig as Record<string, unknown> | undefined;
  if (verification) {
    replayed.idTokenVerificationConfig = {
      ...verification,
      jwksUri: '{{issuer}}/jwks',
      ...(verification.issuer ? { issuer: '{{issuer}}' } : {}),
    };
  }
  return replayed;
}

function header(recording: Recording, what: string, notes: string[]): string {
  const lines = [
    `${what}`,
    `Recorded by \`connector-harness record\` on ${recording.recordedAt.toISOString()} from ${recording.host}.`,
    'Every secret, token and code is removed; personal values are same-typed placeholders, in object keys too.',
    're-record into the same folder to see what the provider changed.',
    ...notes.map((note) => `note: ${note}`),
  ];
  return `${lines.map((line) => `# ${line}`).join('\n')}\n`;
}

/**
 * The id_token's quirks, read off the token the real IdP issued (alg, nonce, audience, issuer,
 * expiry, clock) and, for what only verification shows (signature, key), off the connector's error.
 */
function idTokenSettings(recording: Recording, idToken: unknown, notes: string[]): FixtureInput['idToken'] | undefined {
  if (typeof idToken !== 'string') return undefined;
  const claims = jwtClaims(idToken) ?? {};
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown }).alg;
  } catch {
    alg = undefined;
  }
  const settings: NonNullable<FixtureInput['idToken']> = {};
  if (alg === 'ES256') settings.alg = 'ES256';
  else if (alg !== 'RS256') notes.push(`the id_token was signed with ${String(alg)}; the fixture signs with RS256`);
  const sentNonce = recording.authorizationUri ? new URL(recording.authorizationUri).searchParams.get('nonce') : null;
  if (sentNonce && claims.nonce === undefined) settings.nonce = 'omit';
  else if (sentNonce && claims.nonce !== sentNonce) settings.nonce = 'wrong';
  const clientId = recording.config.clientId;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(clientId)) settings.audience = 'recorded-other-audience';
  // The connector accepts one issuer or a list of them (a multi-tenant IdP: one per tenant).
  const verification = recording.config.idTokenVerificationConfig as { issuer?: string | string[] } | undefined;
  const accepted = verification?.issuer === undefined ? undefined : [verification.issuer].flat();
  if (accepted && !accepted.includes(claims.iss as string)) settings.issuer = 'https://impostor.example.com';
  const now = recording.recordedAt.getTime() / 1000;
  if (typeof claims.exp === 'number' && claims.exp < now) settings.expired = true;
  if (typeof claims.iat === 'number' && Math.abs(claims.iat - now) > 60)
    settings.clockSkewSeconds = Math.round(claims.iat - now);
  const failure = recording.observation.error?.errorCode;
  if (failure === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') settings.badSignature = true;
  if (failure === 'ERR_JWKS_NO_MATCHING_KEY' || failure === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') settings.wrongKid = true;
  return Object.keys(settings).length > 0 ? settings : undefined;
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 0 });
const REPLAY_COMMAND = '`connector-harness run <this file>`';

/** The live run → a mock-idp fixture that answers the same way, and a scenario that expects what the live run produced. */
export function writeRecording(recording: Recording): RecordedFiles {
  const { exchanges, observation, config } = recording;
  // The replay reads the profile by profileMap's paths: their keys stay as written, whatever they hold.
  const profileMapKeys = Object.values((config.profileMap ?? {}) as Record<string, unknown>).flatMap((dotPath) =>
    String(dotPath).split('.'),
  );
  const placeholders = new Placeholders({ keepKeys: profileMapKeys });
  const secrets = secretsOf(recording);
  // Free text written as is (a header, a redirect's description): every secret and replaced value cut out.
  const scrub = (text: string) => scrubText(text, [...secrets, ...placeholders.originals]);
  const notes: string[] = [];
  const tokenCalls = exchanges.filter((exchange) => exchange.endpoint === 'token');
  const codeExchange =
    tokenCalls.find((exchange) => exchange.form.grant_type === 'authorization_code') ?? tokenCalls[0];
  const refresh = tokenCalls.find((exchange) => exchange.form.grant_type === 'refresh_token');
  const userinfo = exchanges.filter((exchange) => exchange.endpoint === 'userinfo').at(-1);
  const codeBody = codeExchange ? parsedBody(codeExchange) : undefined;
  const tokenBody = codeExchange && !isTokenError(codeExchange) && isRecord(codeBody) ? codeBody : undefined;

  // The userinfo body: the profile of the one recorded user, or an override when it was no JSON object.
  const userinfoBody = userinfo ? parsedBody(userinfo) : undefined;
  const userinfoOk = userinfo && userinfo.status >= 200 && userinfo.status < 300 && isRecord(userinfoBody);
  const profile = userinfoOk ? (placeholders.value(userinfoBody) as Record<string, unknown>) : { sub: RECORDED_USER };
  const idTokenClaims = jwtClaims(tokenBody?.id_token);
  const claims = idTokenClaims
    ? (placeholders.value(
        Object.fromEntries(Object.entries(idTokenClaims).filter(([name]) => !PROTOCOL_CLAIMS.has(name))),
      ) as Record<string, unknown>)
    : undefined;
  const userinfoUrl = typeof config.userInfoEndpoint === 'string' ? new URL(config.userInfoEndpoint) : undefined;

  // A request with no client authentication at all ('unknown') says nothing the config does not.
  const seenMethod = codeExchange?.clientAuth?.method;
  const authMethod =
    (seenMethod === 'unknown' ? undefined : seenMethod) ??
    (config.tokenEndpointAuthMethod as 'client_secret_post' | undefined) ??
    'client_secret_post';
  const fixture: FixtureInput = {
    description: `Recorded from ${recording.host} on ${recording.recordedAt.toISOString().slice(0, 10)}`,
    clients: [
      {
        clientId: RECORDED_CLIENT_ID,
        tokenEndpointAuthMethod: authMethod,
        ...(seenMethod === 'none' ? {} : { clientSecret: RECORDED_CLIENT_SECRET }),
      },
    ],
    users: [{ id: RECORDED_USER, profile, ...(claims ? { claims } : {}) }],
    defaultUser: RECORDED_USER,
    scopes: [
      ...new Set([
        ...DEFAULT_SCOPES,
        ...String(config.scope ?? '')
          .split(/[\s+,]+/)
          .filter(Boolean),
      ]),
    ],
  };

  const idTokenQuirks = idTokenSettings(recording, tokenBody?.id_token, notes);
  if (idTokenQuirks) fixture.idToken = idTokenQuirks;

  if (tokenBody && codeExchange) {
    const expiresIn = tokenBody.expires_in;
    const json = (contentTypeOf(codeExchange) ?? '').includes('json');
    const extra = Object.fromEntries(Object.entries(tokenBody).filter(([name]) => !TOKEN_FIELDS.has(name)));
    fixture.tokenResponse = {
      encoding: json ? 'json' : 'form',
      expiresIn: expiresIn === undefined ? 'absent' : json && typeof expiresIn === 'string' ? 'string' : 'number',
      ...(typeof tokenBody.token_type === 'string' && tokenBody.token_type
        ? { tokenType: tokenBody.token_type }
        : { omitTokenType: true }),
      extraFields: placeholders.value(extra) as Record<string, never>,
      idToken: tokenBody.id_token !== undefined,
      // Twitch's scope list (the connector's guard wants a string).
      ...(Array.isArray(tokenBody.scope) ? { scopeAs: 'array' as const } : {}),
    };
    if (!json && !(contentTypeOf(codeExchange) ?? '').includes('x-www-form-urlencoded'))
      notes.push(
        `the token response came as ${contentTypeOf(codeExchange) ?? 'no content type'}; the fixture answers form-encoded`,
      );
    // A refresh answer without a refresh_token, or with the one sent, is no rotation (the fixture then sends the same one back).
    const refreshed = refresh && refresh.status < 400 ? parsedBody(refresh) : undefined;
    const newRefreshToken = isRecord(refreshed) ? refreshed.refresh_token : undefined;
    fixture.refreshTokens = {
      issue: typeof tokenBody.refresh_token === 'string' ? 'always' : 'never',
      ...(isRecord(refreshed)
        ? { rotate: typeof newRefreshToken === 'string' && newRefreshToken !== refresh?.form.refresh_token }
        : {}),
    };
    // An IdP that sends the id_token with the code only (the OIDC connector refuses its refresh answer).
    if (tokenBody.id_token !== undefined && isRecord(refreshed) && refreshed.id_token === undefined)
      fixture.tokenResponse.idTokenOnRefresh = false;
    if (isRecord(refreshed) && newRefreshToken === undefined)
      notes.push(
        'the refresh answer had no refresh_token; the fixture (rotate: false) sends the same one back, which the connector stores the same way',
      );
    if (typeof tokenBody.refresh_token === 'string' && !refresh)
      notes.push('no refresh was recorded (record with --refresh): refreshTokens.rotate is the default');
  }

  if (userinfo && !userinfoOk) {
    // The override's contentType says the body's type itself.
    const headers = replayedHeaders(userinfo.responseHeaders, undefined, scrub, { contentType: false });
    const body = encodedAsSent(contentTypeOf(userinfo), errorBody(userinfoBody, placeholders, secrets));
    fixture.userinfo = {
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
  if (userinfoUrl && userinfoUrl.pathname !== '/userinfo')
    fixture.userinfo = { ...fixture.userinfo, path: userinfoUrl.pathname };
  if (userinfo) {
    fixture.userinfo = {
      ...fixture.userinfo,
      tokenFrom: [
        ...(userinfo.requestHeaders.authorization ? ['header' as const] : []),
        ...(userinfo.query.access_token ? ['query' as const] : []),
      ],
    };
    if (fixture.userinfo.tokenFrom?.length === 0) delete fixture.userinfo.tokenFrom;
  }

  // A token error is replayed as a fault answering that call: its status (200 included, as GitHub sends its
  // errors), its body and, for a body that is no JSON (a form, text), its content type. A form-encoded error
  // is a string body under the recorded content type, not `tokenResponse.errorEncoding: form`: that setting
  // encodes only the errors the mock raises itself (a fault's answer bypasses it), only with a 4xx status,
  // and under its own content type.
  const faults: NonNullable<FixtureInput['faults']> = tokenCalls.flatMap((exchange, index) => {
    if (!isTokenError(exchange)) return [];
    const body = encodedAsSent(contentTypeOf(exchange), errorBody(parsedBody(exchange), placeholders, secrets));
    const headers = replayedHeaders(exchange.responseHeaders, body, scrub, { contentType: true });
    return [
      { endpoint: 'token' as const, status: exchange.status, body, ...(headers ? { headers } : {}), nth: index + 1 },
    ];
  });

  const authorizeParams = recording.authorizationUri
    ? requiredParams(config, Object.fromEntries(new URL(recording.authorizationUri).searchParams), AUTHORIZE_PARAMS)
    : {};
  const tokenParams = codeExchange
    ? requiredParams(config, { ...codeExchange.query, ...codeExchange.form }, TOKEN_PARAMS)
    : {};
  if (Object.keys(authorizeParams).length + Object.keys(tokenParams).length > 0) {
    fixture.requiredParams = {
      ...(Object.keys(authorizeParams).length ? { authorize: authorizeParams } : {}),
      ...(Object.keys(tokenParams).length ? { token: tokenParams } : {}),
    };
  }
  // An authorization error the mock IdP can send too: a required parameter the connector does not send.
  const missing =
    observation.callback?.error === 'invalid_request'
      ? /missing required parameter "?([\w.:-]+)"?/i.exec(observation.callback.error_description ?? '')?.[1]
      : undefined;
  if (missing)
    fixture.requiredParams = {
      ...fixture.requiredParams,
      authorize: { ...fixture.requiredParams?.authorize, [missing]: true },
    };
  else faults.unshift(...authorizeRefusal(recording, (body) => errorBody(body, placeholders, secrets), scrub, notes));
  if (faults.length > 0) fixture.faults = faults;

  if (placeholders.keptDataKeys > 0) {
    const one = placeholders.keptDataKeys === 1;
    notes.push(
      `${placeholders.keptDataKeys} object key${one ? ' that is' : 's that are'} no plain field name (a team's or an account's name?) ` +
        `kept as the IdP sent ${one ? 'it' : 'them'}: none equals or holds a personal value this recording saw; check before committing`,
    );
  }
  const recorded = recordedScenario(
    recording,
    profile,
    placeholders,
    userinfoUrl ? `${userinfoUrl.pathname}${userinfoUrl.search}` : '/userinfo',
  );
  // Not the client id: a config may rightly repeat it (Entra's scope api://<client id>/.default), and the replay needs it there.
  // Nor a short secret (a test IdP's "secret"): it would cut words out of the fixture's own values (recorded-client-secret).
  const removeLive = secretFormsReplacer(
    [...liveSecrets(recording)].filter((secret) => secret.length >= MIN_KNOWN_SECRET),
  );
  const remove = (text: string) => removeLive(text, () => REMOVED);
  const written = withoutSecrets({ fixture, scenario: recorded.scenario, notes }, remove);
  return {
    ...written,
    liveExpect: recorded.liveExpect,
    fixtureYaml: `${header(recording, 'mock-idp fixture: what the real IdP answered, shape for shape.', written.notes)}${yaml(written.fixture)}`,
    scenarioYaml: `${header(recording, `Replays the recorded sign-in against ${FIXTURE_FILE}: ${REPLAY_COMMAND}.`, [])}${yaml(written.scenario)}`,
  };
}

// Callback parameters a replay does not write: its own request's state, and the real IdP's issuer.
const CALLBACK_OWN = new Set(['state', 'code', 'iss']);

/**
 * How the IdP refused the authorization request, as an authorize fault: the error redirect it sent
 * the browser back with, or the answer the browser stopped at. Empty when it did not refuse (or
 * when a fixture cannot say it, which a note then does).
 */
function authorizeRefusal(
  recording: Recording,
  errorBodyOf: (body: unknown) => string | Record<string, unknown>,
  scrub: (text: string) => string,
  notes: string[],
): NonNullable<FixtureInput['faults']> {
  const { observation } = recording;
  const callback = observation.callback;
  if (callback?.error !== undefined) {
    if (isOAuthErrorCode(callback.error)) {
      const errorRedirect = Object.fromEntries(
        Object.entries(callback)
          .filter(([name]) => name !== '' && !CALLBACK_OWN.has(name))
          .map(([name, value]) => [name, name === 'error' ? value : scrub(value)]),
      );
      return [{ endpoint: 'authorize', errorRedirect }];
    }
    notes.push(
      `the IdP answered the authorization request with error=${JSON.stringify(scrub(callback.error))}` +
        `, not an OAuth error code a fixture can send: the replay differs there`,
    );
    return [];
  }
  if (observation.error?.stage !== 'idp-redirect') return [];
  const stop = recording.authorizeStop;
  if (!stop || stop.status < 100) {
    notes.push(
      `the IdP never sent the browser back (${observation.error.message.split(':')[0]}):` +
        ` a fixture cannot refuse the authorization request that way, the replay differs there`,
    );
    return [];
  }
  const body = errorBodyOf(parseBody(stop.headers['content-type'], stop.body));
  const headers = replayedHeaders(stop.headers, body, scrub, { contentType: true });
  const asked = recording.authorizationUri ? new URL(recording.authorizationUri) : undefined;
  const stoppedAt = new URL(stop.url);
  if (asked && `${asked.origin}${asked.pathname}` !== `${stoppedAt.origin}${stoppedAt.pathname}`) {
    notes.push(
      `the browser was redirected before the IdP's final answer (${stop.status}); the fixture gives that answer to the authorization request itself`,
    );
  }
  return [{ endpoint: 'authorize', status: stop.status, body, ...(headers ? { headers } : {}) }];
}

const PROFILE_FIELDS = ['id', 'name', 'avatar', 'email', 'phone'] as const;

/** The scenario expects what the live run produced: the same profile, or the same error and failing checks (known-bad). */
function recordedScenario(
  recording: Recording,
  profile: Record<string, unknown>,
  placeholders: Placeholders,
  userinfoPath: string,
): { scenario: ScenarioInput; liveExpect: Expectation } {
  const { observation } = recording;
  const expected: Record<string, string> = {};
  const liveProfile: Record<string, string> = {};
  if (!observation.error && observation.userInfo) {
    const profileMap = {
      id: 'id',
      name: 'name',
      avatar: 'avatar',
      email: 'email',
      phone: 'phone',
      ...((recording.config.profileMap as Record<string, string> | undefined) ?? {}),
    };
    for (const field of PROFILE_FIELDS) {
      const live = observation.userInfo[field];
      if (typeof live !== 'string' || !live) continue;
      // What the same path reads in the placeholder profile (OAuth2), or the placeholder of the claim (OIDC).
      const replayed =
        recording.connector === 'oauth2'
          ? getSafe(profile, profileMap[field])
          : field === 'id'
            ? RECORDED_USER
            : (placeholders.placeholderOf(live) ?? live);
      if (typeof replayed === 'string' || typeof replayed === 'number') {
        expected[field] = String(replayed);
        liveProfile[field] = live;
      }
    }
  }
  const storedRefresh = typeof observation.tokenResponse?.refresh_token === 'string';
  const baseExpect = {
    ...(storedRefresh && recording.enableTokenStorage ? { refreshToken: true } : {}),
    ...(observation.error ? { error: observation.error.logtoCode } : {}),
  };
  const liveProfileExpect = Object.keys(liveProfile).length > 0 ? { profile: liveProfile } : {};
  const failing = recording
    .judge({ ...liveProfileExpect, ...baseExpect })
    .filter((check) => check.status === 'fail' && check.id !== 'sign-in')
    .map((check) => check.id);
  const knownBad = Boolean(observation.error) || failing.length > 0;
  const outcome = observation.error
    ? `the live sign-in failed with ${observation.error.logtoCode}`
    : failing.length > 0
      ? `the live sign-in had failing checks: ${failing.join(', ')}`
      : 'the live sign-in passed';
  const outcomeExpect = { ...baseExpect, ...(failing.length > 0 ? { catches: failing } : {}) };
  const liveExpect: Expectation = { ...liveProfileExpect, ...outcomeExpect };
  const scenario: ScenarioInput = {
    name: `recorded from ${recording.host}`,
    description: `Recorded ${recording.recordedAt.toISOString()}; ${outcome}.`,
    ...(knownBad ? { knownBad: true } : {}),
    connector: recording.connector,
    config: replayConfig(recording, userinfoPath),
    ...(recording.enableTokenStorage ? { enableTokenStorage: true } : {}),
    idp: { fixture: FIXTURE_FILE },
    user: RECORDED_USER,
    expect: { ...(Object.keys(expected).length > 0 ? { profile: expected } : {}), ...outcomeExpect },
  };
  return { scenario, liveExpect };
}
