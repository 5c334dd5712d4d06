import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScenario } from '../../../harness/scenario/load.ts';
import { runScenario } from '../../../harness/run.ts';
import { createInProcessTarget } from '../../../harness/targets/in-process/index.ts';
import { scriptedPerson } from '../../../harness/record/person.ts';
import { recordProvider, verdictLines, type RecordOutcome } from '../../../harness/record/record.ts';
import { parsedBody, RECORDED_CLIENT_ID } from '../../../harness/record/fixture-writer.ts';
import { NEVER_BACK_AT_LOGTO } from '../../../harness/observation.ts';
import { loadFixture, startMockIdp, type Fixture, type MockIdp } from '../../../mock-idp/index.ts';
import { hopToRedirect, REDIRECT_URI } from '../../helpers/browser-hops.ts';
import { rawSignIn } from '../../mock-idp/helpers/fixture-flow.ts';
import {
  handWrittenIdp,
  JANE,
  NESTED,
  oauth2MockServer,
  quirkyMockIdp,
  writeConfig,
  type Answer,
  type RealIdp,
} from './real-idps.ts';

interface Case {
  name: string;
  idp: () => Promise<RealIdp>;
  refresh?: boolean;
  /** What the recorded fixture must say. */
  fixture: (fixture: Record<string, any>) => void;
  live: (outcome: RecordOutcome) => void;
  /** What the mock IdP serving the written fixture answers, asked directly (plain fetch). */
  replayed?: (idp: MockIdp, fixture: Fixture) => Promise<void>;
  /** The IdP refused at authorize: the connector never reached a token. */
  noToken?: true;
}

const CHALLENGE = `Bearer realm="api", error="insufficient_scope", error_description="no email scope granted for ${JANE.email}"`;
const ERROR_PAGE = `<!doctype html><html><body><h1>Access blocked</h1><p>This app is not allowed for ${JANE.email}.</p></body></html>`;

// GitHub's token errors without an Accept: application/json header: form-encoded, with HTTP 200.
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const formAnswer = (status: number, fields: Record<string, string>): Answer => ({
  status,
  headers: { 'content-type': FORM },
  body: new URLSearchParams(fields).toString(),
});
const GITHUB_ERROR = {
  error: 'bad_verification_code',
  error_description: 'The code passed is incorrect or expired.',
  error_uri:
    'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
};
// Its error_uri gets a placeholder, as any value of an error body but its code and description.
const GITHUB_ERROR_REPLAYED =
  'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fexample.com%2Frecorded%2F1';

const onTheWire = async (answer: Response) => ({
  status: answer.status,
  contentType: answer.headers.get('content-type'),
  wwwAuthenticate: answer.headers.get('www-authenticate'),
  body: await answer.text(),
});

/** What the replaying IdP's token endpoint answers a code exchange, on the wire. */
const replayedTokenAnswer = async (idp: MockIdp) =>
  onTheWire(
    await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x',
    }),
  );

/** What the replaying IdP's userinfo answers the access token of a sign-in, on the wire. */
const replayedUserinfoAnswer = async (idp: MockIdp, fixture: Fixture) => {
  const { token } = await rawSignIn(idp, fixture);
  const accessToken = (token!.json() as { access_token: string }).access_token;
  return onTheWire(await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${accessToken}` } }));
};

/** The authorization URL the written scenario's client would open, at the replaying IdP. */
const authorizeUrl = (idp: MockIdp) =>
  `${idp.endpoints.authorization}?response_type=code&client_id=${RECORDED_CLIENT_ID}` +
  `&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=profile&state=replay-state`;

const cases: Case[] = [
  {
    name: 'personal values as object keys (a team named after the user, a map keyed by email and by sub)',
    idp: () =>
      handWrittenIdp({
        authorize: 'code',
        userinfo: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            sub: JANE.sub,
            name: JANE.name,
            email: JANE.email,
            teams: { 'jane-roe-livingston-team': { role: 'owner' }, platform: { role: 'member' } },
            by_email: { [JANE.email]: 'primary' },
            seen_by: { [JANE.sub]: true },
            'x-tenant': 'corp',
          }),
        },
      }),
    fixture: (fixture) => {
      const profile = fixture.users[0].profile;
      expect(Object.keys(profile.teams)).toEqual([
        `${profile.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-team`,
        'platform',
      ]);
      expect(Object.keys(profile.by_email)).toEqual([profile.email]);
      expect(Object.keys(profile.seen_by)).toEqual([profile.sub]);
      expect(JSON.stringify(profile)).not.toMatch(/jane|roe|livingston/i);
    },
    live: (outcome) => {
      expect(outcome.live.status).toBe('passed');
      // What cannot be told from a field name is said, not hidden.
      expect(outcome.notes).toContain(
        "1 object key that is no plain field name (a team's or an account's name?) kept as the IdP sent it: " +
          'none equals or holds a personal value this recording saw; check before committing',
      );
    },
  },
  {
    name: 'a form-encoded token (GitHub-like: bearer, no expires_in, userinfo at /user)',
    idp: () =>
      quirkyMockIdp(
        {
          tokenResponse: { encoding: 'form', tokenType: 'bearer', expiresIn: 'absent', idToken: false },
          userinfo: { path: '/user' },
        },
        { scope: 'read:user', profileMap: { id: 'id', name: 'name', email: 'email', avatar: 'picture' } },
      ),
    fixture: (fixture) => {
      expect(fixture.tokenResponse).toMatchObject({
        encoding: 'form',
        tokenType: 'bearer',
        expiresIn: 'absent',
        idToken: false,
      });
      expect(fixture.userinfo.path).toBe('/user');
      expect(typeof fixture.users[0].profile.id).toBe('number');
      expect(fixture.users[0].profile.email).toMatch(/^[^@]+@example\.com$/);
    },
    live: (outcome) => expect(outcome.live.status).toBe('passed'),
  },
  {
    name: 'a nested numeric userinfo (oauth2-mock-server, not ours)',
    idp: oauth2MockServer,
    refresh: true,
    fixture: (fixture) => {
      const profile = fixture.users[0].profile;
      expect(typeof profile.data.id).toBe('number');
      expect(Number.isInteger(profile.data.id)).toBe(true);
      expect(typeof profile.data.plan.seats).toBe('number');
      expect(typeof profile.data.plan.ratio).toBe('number');
      expect(profile.data.plan.active).toBe(true);
      expect(profile.data.profile.emails[0].value).toMatch(/^[^@]+@example\.com$/);
      expect(fixture.tokenResponse).toMatchObject({
        encoding: 'json',
        expiresIn: 'number',
        tokenType: 'Bearer',
        idToken: true,
      });
      expect(fixture.clients[0].tokenEndpointAuthMethod).toBe('client_secret_basic');
      expect(fixture.refreshTokens).toEqual({ issue: 'always', rotate: true });
    },
    live: (outcome) => {
      expect(outcome.live.status).toBe('passed');
      expect(outcome.live.checks.find((check) => check.id === 'profile.id')?.message).toContain(String(NESTED.id));
    },
  },
  {
    name: 'a string expires_in (the sign-in fails: recorded as known-bad)',
    idp: () =>
      quirkyMockIdp(
        { tokenResponse: { expiresIn: 'string' } },
        { tokenEndpointResponseType: 'json', scope: 'openid profile email' },
      ),
    fixture: (fixture) => expect(fixture.tokenResponse).toMatchObject({ encoding: 'json', expiresIn: 'string' }),
    live: (outcome) => {
      expect(outcome.live.error?.code).toBe('connector.invalid_response');
      expect(outcome.live.checks.find((check) => check.id === 'token.guard')?.status).toBe('fail');
    },
  },
  {
    // #23 item 5: the fixture had no userinfo.path, so the replay of the fixed config failed at /userinfo.
    name: 'a sign-in that stops at the token answer, userinfo configured at /user',
    idp: () =>
      quirkyMockIdp(
        { tokenResponse: { expiresIn: 'string' }, userinfo: { path: '/user' } },
        { tokenEndpointResponseType: 'json', scope: 'openid profile email' },
      ),
    fixture: (fixture) => expect(fixture.userinfo?.path).toBe('/user'),
    live: (outcome) => {
      expect(outcome.live.checks.find((check) => check.id === 'token.guard')?.status).toBe('fail');
      expect(outcome.exchanges.some((exchange) => exchange.endpoint === 'userinfo')).toBe(false);
    },
  },
  {
    name: 'a refresh without a new refresh token',
    idp: () =>
      quirkyMockIdp(
        { refreshTokens: { issue: 'always', rotate: false } },
        { tokenEndpointResponseType: 'json', scope: 'openid profile email', profileMap: { id: 'sub' } },
      ),
    refresh: true,
    fixture: (fixture) => expect(fixture.refreshTokens).toEqual({ issue: 'always', rotate: false }),
    live: (outcome) => {
      expect(outcome.live.checks.find((check) => check.id === 'storage.refresh')?.status).toBe('pass');
      const refresh = outcome.exchanges.find((exchange) => exchange.form.grant_type === 'refresh_token');
      // oidc-provider without rotation answers with the refresh token it was sent: no new one.
      expect(refresh && (parsedBody(refresh) as Record<string, unknown>).refresh_token).toBe(
        refresh?.form.refresh_token,
      );
    },
  },
  {
    name: 'an error answer at the token endpoint (a description naming the user)',
    idp: () =>
      quirkyMockIdp(
        {
          faults: [
            {
              endpoint: 'token',
              status: 400,
              body: { error: 'invalid_grant', error_description: `grant revoked for ${JANE.email}` },
            },
          ],
        },
        { tokenEndpointResponseType: 'json', scope: 'openid profile email' },
      ),
    fixture: (fixture) => {
      expect(fixture.faults).toEqual([
        {
          endpoint: 'token',
          status: 400,
          nth: 1,
          body: { error: 'invalid_grant', error_description: 'grant revoked for user@example.com' },
        },
      ]);
    },
    live: (outcome) => {
      expect(outcome.live.error?.code).toBe('connector.general');
      expect(outcome.live.error?.idpResponse).toMatchObject({ endpoint: 'token', status: 400 });
    },
  },
  {
    name: 'an error answer at userinfo (403 JSON)',
    idp: () =>
      quirkyMockIdp(
        {
          userinfo: {
            override: {
              status: 403,
              contentType: 'application/json',
              body: JSON.stringify({
                error: 'insufficient_scope',
                error_description: `scope user:email missing for ${JANE.email}`,
              }),
            },
          },
        },
        { tokenEndpointResponseType: 'json', scope: 'openid profile' },
      ),
    fixture: (fixture) => {
      expect(fixture.userinfo.override).toMatchObject({ status: 403, contentType: 'application/json' });
      expect(JSON.parse(fixture.userinfo.override.body)).toEqual({
        error: 'insufficient_scope',
        error_description: 'scope user:email missing for user@example.com',
      });
    },
    live: (outcome) => expect(outcome.live.checks.find((check) => check.id === 'userinfo')?.status).toBe('fail'),
  },
  {
    name: 'a userinfo 401 with WWW-Authenticate (a hand-written server)',
    idp: () =>
      handWrittenIdp({
        authorize: 'code',
        userinfo: {
          status: 401,
          headers: { 'content-type': 'application/json', 'www-authenticate': CHALLENGE },
          body: JSON.stringify({ error: 'insufficient_scope' }),
        },
      }),
    fixture: (fixture) => {
      expect(fixture.userinfo.override).toEqual({
        status: 401,
        contentType: 'application/json',
        body: '{"error":"insufficient_scope"}',
        headers: {
          'www-authenticate':
            'Bearer realm="api", error="insufficient_scope", error_description="no email scope granted for user@example.com"',
        },
      });
      expect(JSON.stringify(fixture)).not.toContain('cannot send');
    },
    live: (outcome) => {
      expect(
        outcome.exchanges.find((exchange) => exchange.endpoint === 'userinfo')?.responseHeaders['www-authenticate'],
      ).toBe(CHALLENGE);
      expect(outcome.live.error).toBeDefined();
    },
    replayed: async (idp, fixture) => {
      expect(await replayedUserinfoAnswer(idp, fixture)).toMatchObject({
        status: 401,
        wwwAuthenticate:
          'Bearer realm="api", error="insufficient_scope", error_description="no email scope granted for user@example.com"',
      });
    },
  },
  {
    name: 'a userinfo 401 answered form-encoded (a hand-written server)',
    idp: () =>
      handWrittenIdp({
        authorize: 'code',
        userinfo: formAnswer(401, { error: 'invalid_token', error_description: `token revoked for ${JANE.email}` }),
      }),
    fixture: (fixture) => {
      // The form as sent, not its fields as JSON under a form content type.
      expect(fixture.userinfo.override).toEqual({
        status: 401,
        contentType: FORM,
        body: 'error=invalid_token&error_description=token+revoked+for+user%40example.com',
      });
    },
    live: (outcome) => expect(outcome.live.checks.find((check) => check.id === 'userinfo')?.status).toBe('fail'),
    replayed: async (idp, fixture) => {
      expect(await replayedUserinfoAnswer(idp, fixture)).toEqual({
        status: 401,
        contentType: FORM,
        wwwAuthenticate: null,
        body: 'error=invalid_token&error_description=token+revoked+for+user%40example.com',
      });
    },
  },
  {
    name: 'a token 401 with WWW-Authenticate (a hand-written server)',
    idp: () =>
      handWrittenIdp({
        authorize: 'code',
        token: {
          status: 401,
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="idp.example"' },
          body: '{"error":"invalid_client"}',
        },
      }),
    fixture: (fixture) =>
      expect(fixture.faults).toEqual([
        {
          endpoint: 'token',
          status: 401,
          nth: 1,
          body: { error: 'invalid_client' },
          headers: { 'www-authenticate': 'Basic realm="idp.example"' },
        },
      ]),
    live: (outcome) => expect(outcome.live.error?.code).toBe('connector.general'),
    replayed: async (idp) =>
      expect(await replayedTokenAnswer(idp)).toMatchObject({
        status: 401,
        wwwAuthenticate: 'Basic realm="idp.example"',
      }),
  },
  {
    name: 'a token 400 answered form-encoded, read as query-string (a hand-written server echoing the code)',
    idp: () =>
      handWrittenIdp({
        authorize: 'code',
        token: (form) =>
          formAnswer(400, {
            error: 'invalid_grant',
            error_description: `The code ${form.code} has expired for ${JANE.email}`,
          }),
        config: { tokenEndpointResponseType: 'query-string' },
      }),
    fixture: (fixture) => {
      // The form as sent, anonymised: the code cut out of the description, the address replaced.
      expect(fixture.faults).toEqual([
        {
          endpoint: 'token',
          status: 400,
          nth: 1,
          body: 'error=invalid_grant&error_description=The+code+%5Bremoved%5D+has+expired+for+user%40example.com',
          headers: { 'content-type': FORM },
        },
      ]);
    },
    live: (outcome) => {
      expect(outcome.live.error?.code).toBe('connector.general');
      expect(outcome.live.error?.idpResponse).toMatchObject({
        endpoint: 'token',
        status: 400,
        body: { error: 'invalid_grant' },
      });
    },
    replayed: async (idp) => {
      expect(await replayedTokenAnswer(idp)).toEqual({
        status: 400,
        contentType: FORM,
        wwwAuthenticate: null,
        body: 'error=invalid_grant&error_description=The+code+%5Bremoved%5D+has+expired+for+user%40example.com',
      });
    },
  },
  ...(['query-string', 'json'] as const).map((responseType): Case => ({
    name: `a GitHub-style token error, form-encoded with HTTP 200, read as ${responseType} (a hand-written server)`,
    idp: () =>
      handWrittenIdp({
        authorize: 'code',
        token: formAnswer(200, GITHUB_ERROR),
        config: { tokenEndpointResponseType: responseType },
      }),
    fixture: (fixture) => {
      expect(fixture.faults).toEqual([
        { endpoint: 'token', status: 200, nth: 1, body: GITHUB_ERROR_REPLAYED, headers: { 'content-type': FORM } },
      ]);
    },
    live: (outcome) => {
      // query-string reads the form and its guard finds no access_token; json cannot parse it at all.
      expect(outcome.live.error?.code).toBe('connector.invalid_response');
      const format = outcome.live.checks.find((check) => check.id === 'token.response-type');
      expect(format?.status).toBe(responseType === 'json' ? 'fail' : 'pass');
    },
    replayed: async (idp) =>
      expect(await replayedTokenAnswer(idp)).toEqual({
        status: 200,
        contentType: FORM,
        wwwAuthenticate: null,
        body: GITHUB_ERROR_REPLAYED,
      }),
  })),
  {
    name: 'a refusal at authorize with an error page, never redirecting back (a hand-written server)',
    idp: () =>
      handWrittenIdp({
        authorize: { status: 403, headers: { 'content-type': 'text/html; charset=utf-8' }, body: ERROR_PAGE },
      }),
    noToken: true,
    fixture: (fixture) => {
      expect(fixture.faults).toEqual([
        {
          endpoint: 'authorize',
          status: 403,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: ERROR_PAGE.replace(JANE.email, 'user@example.com'),
        },
      ]);
    },
    live: (outcome) => {
      expect(outcome.live.error?.code).toBe(NEVER_BACK_AT_LOGTO);
      expect(outcome.exchanges).toEqual([]);
      // The live journal says what the IdP answered at authorize, as the replaying IdP's journal will.
      const signIn = outcome.live.checks.find((check) => check.id === 'sign-in');
      expect((signIn?.evidence as { idpResponse?: unknown } | undefined)?.idpResponse).toEqual({
        endpoint: 'authorize',
        status: 403,
        contentType: 'text/html; charset=utf-8',
        body: '(html page)',
      });
    },
    replayed: async (idp) => {
      const answer = await fetch(authorizeUrl(idp), { redirect: 'manual' });
      expect([answer.status, answer.headers.get('location'), answer.headers.get('content-type')]).toEqual([
        403,
        null,
        'text/html; charset=utf-8',
      ]);
      expect(await answer.text()).toContain('Access blocked');
    },
  },
  {
    name: 'an error redirect back, error=access_denied (a hand-written server)',
    idp: () =>
      handWrittenIdp({
        authorize: {
          redirectBack: {
            error: 'access_denied',
            error_description: `${JANE.email} declined the request`,
            error_reason: 'user_denied',
          },
        },
      }),
    noToken: true,
    fixture: (fixture) => {
      expect(fixture.faults).toEqual([
        {
          endpoint: 'authorize',
          errorRedirect: {
            error: 'access_denied',
            error_description: 'user@example.com declined the request',
            error_reason: 'user_denied',
          },
        },
      ]);
    },
    live: (outcome) => {
      const authorize = outcome.live.checks.find((check) => check.id === 'authorize');
      expect([authorize?.status, authorize?.hint]).toEqual([
        'fail',
        'the user (or an IdP policy) declined the sign-in',
      ]);
    },
    replayed: async (idp) => {
      const callback = await hopToRedirect(authorizeUrl(idp), REDIRECT_URI);
      // Plus iss (RFC 9207), which the mock announces and sends in every authorization response.
      expect(Object.fromEntries(callback.searchParams)).toEqual({
        error: 'access_denied',
        error_description: 'user@example.com declined the request',
        error_reason: 'user_denied',
        state: 'replay-state',
        iss: idp.issuer,
      });
    },
  },
];

const written: Array<{ files: string[]; forbidden: string[] }> = [];
const running: RealIdp[] = [];
afterAll(async () => {
  await Promise.all(running.map((idp) => idp.stop()));
});

/** Every token, code and assertion value the proxy saw (the raw exchanges), by the test's own reading. */
function tokensSeen(outcome: RecordOutcome): string[] {
  const values: string[] = [];
  for (const exchange of outcome.exchanges) {
    for (const name of ['code', 'refresh_token', 'client_secret', 'code_verifier'])
      if (exchange.form[name]) values.push(exchange.form[name]);
    if (exchange.requestHeaders.authorization) values.push(exchange.requestHeaders.authorization.split(' ')[1]!);
    const body = parsedBody(exchange);
    if (body && typeof body === 'object')
      for (const name of ['access_token', 'refresh_token', 'id_token'])
        if (typeof (body as Record<string, unknown>)[name] === 'string')
          values.push((body as Record<string, string>)[name]!);
  }
  return values;
}

describe('connector-harness record → replay', { timeout: 60_000 }, () => {
  for (const testCase of cases) {
    it(`round-trips ${testCase.name} with identical verdicts`, async () => {
      const idp = await testCase.idp();
      running.push(idp);
      const out = await mkdtemp(path.join(tmpdir(), 'recorded-'));
      const outcome = await recordProvider({
        input: await writeConfig(idp.config),
        out,
        person: scriptedPerson(),
        ...(testCase.refresh ? { refresh: true } : {}),
      });
      testCase.live(outcome);
      const fixture = parse(await readFile(outcome.files.fixture, 'utf8')) as Record<string, any>;
      testCase.fixture(fixture);

      // Replay is just `run`: the written scenario, on its own, against the written fixture.
      const scenario = await loadScenario(outcome.files.scenario);
      const target = createInProcessTarget();
      const replay = await runScenario(scenario, target);
      await target.close?.();
      expect(replay.status, JSON.stringify(replay.checks, null, 1)).toBe('passed');
      expect(verdictLines(replay.checks)).toEqual(verdictLines(outcome.liveAsRecorded.checks));
      expect(outcome.replayDiffers).toEqual([]);
      // The live run as printed: the same checks; only a failed sign-in reads "failed as expected" in the replay.
      expect(replay.checks.map((check) => check.id)).toEqual(outcome.live.checks.map((check) => check.id));
      const signInDiffers = Boolean(outcome.live.error);
      for (const [index, check] of replay.checks.entries()) {
        if (check.id === 'sign-in' && signInDiffers)
          expect([outcome.live.checks[index]!.status, check.status]).toEqual(['fail', 'pass']);
        else expect(`${check.id}: ${check.status}`).toBe(`${check.id}: ${outcome.live.checks[index]!.status}`);
      }
      expect(replay.error?.code).toBe(outcome.live.error?.code);
      expect(scenario.knownBad).toBe(outcome.live.status !== 'passed' || Boolean(outcome.live.error));
      expect(await readFile(outcome.files.fixture, 'utf8')).not.toContain('the replay differs there');
      if (testCase.replayed) {
        const written = await loadFixture(outcome.files.fixture);
        const replaying = await startMockIdp(written, { port: 0 });
        try {
          await testCase.replayed(replaying, written);
        } finally {
          await replaying.stop();
        }
      }

      const files = (await readdir(out, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name));
      expect(files.sort()).toEqual([outcome.files.fixture, outcome.files.scenario].sort());
      const seen = tokensSeen(outcome);
      expect(seen.length > 0).toBe(!testCase.noToken);
      written.push({ files, forbidden: [...idp.secrets, ...idp.personal, ...seen] });
    });
  }

  it('writes no secret, token, code or personal value of the live runs', async () => {
    expect(written.length).toBe(cases.length);
    let checked = 0;
    for (const { files, forbidden } of written) {
      for (const file of files) {
        const text = await readFile(file, 'utf8');
        // Form-encoded bodies are written encoded: a value may hide there as `jane.roe%40…` or `Jane+Roe`.
        for (const value of forbidden.flatMap((item) => [
          ...new Set([item, new URLSearchParams({ v: item }).toString().slice(2)]),
        ])) {
          expect(text.includes(value), `${file} holds ${value.slice(0, 12)}…`).toBe(false);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
