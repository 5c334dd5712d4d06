import Koa from 'koa';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { errorBoundary } from '../../mock-idp/server/error-boundary.ts';
import { OAuthError } from '../../mock-idp/server/oauth-error.ts';
import { basic, postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { quirkFixture, SECRET, withIdp } from '../helpers/raw-flow.ts';

/**
 * A refusal is thrown where the request is refused and answered at one boundary; a quirk that
 * bends error answers (errorsWith200, errorEncoding: form) bends those refusals as it bends
 * oidc-provider's own answers.
 */

const token = (issuer: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  postForm(
    `${issuer}/token`,
    { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, ...form },
    headers,
  );

describe('refusals thrown in a pipeline, bent by the quirks that bend error answers', () => {
  it("errorsWith200 serves the mock IdP's own refusals with 200 too: a missing required parameter, a method mismatch", () =>
    withIdp(
      quirkFixture({
        requiredParams: { token: { audience: 'api' } },
        errorsWith200: { token: { ok: false, error: '{{error}}', why: '{{error_description}}' } },
      }),
      async (idp) => {
        const missing = await token(idp.issuer, {}, { authorization: basic('c', SECRET) });
        expect([missing.status, missing.json()]).toEqual([
          200,
          {
            ok: false,
            error: 'invalid_request',
            why: 'missing required parameter "audience" (this IdP requires it at the token endpoint, value "api")',
          },
        ]);
        const mismatch = await token(idp.issuer, { audience: 'api', client_id: 'c', client_secret: SECRET });
        expect([mismatch.status, (mismatch.json() as { error: string }).error]).toEqual([200, 'invalid_client']);
      },
    ));

  it('errorEncoding form: a refusal of the mock IdP is form-encoded, with its status', () =>
    withIdp(
      quirkFixture({
        tokenResponse: { errorEncoding: 'form' },
        clientParamNames: { clientId: 'appid', clientSecret: 'secret' },
        clients: [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' }],
      }),
      async (idp) => {
        const refused = await token(idp.issuer, { client_id: 'c', client_secret: SECRET });
        expect(refused.status).toBe(400);
        expect(refused.contentType).toContain('application/x-www-form-urlencoded');
        expect(Object.fromEntries(new URLSearchParams(refused.text))).toEqual({
          error: 'invalid_request',
          error_description: 'missing appid (the request sent "client_id", which this IdP does not read)',
        });
      },
    ));

  it('errorsWith200 at userinfo: a missing required query parameter (WeChat errcode)', () =>
    withIdp(
      quirkFixture({
        userinfo: { requiredQuery: { openid: true } },
        errorsWith200: { userinfo: { errcode: 41001, errmsg: '{{error}}: {{error_description}}' } },
      }),
      async (idp) => {
        const answer = await fetch(idp.endpoints.userinfo, { headers: { authorization: 'Bearer x' } });
        expect(answer.status).toBe(200);
        expect(await answer.json()).toEqual({
          errcode: 41001,
          errmsg:
            'invalid_request: missing required parameter "openid" (this IdP requires it at the userinfo endpoint)',
        });
      },
    ));
});

/** A koa app whose only middleware throws `thrown`, behind the mock IdP's boundary; answers one request. */
async function answerTo(
  thrown: () => unknown,
): Promise<{ status: number; headers: Headers; body: unknown; logged: string[] }> {
  const logged: string[] = [];
  const app = new Koa();
  app.use(errorBoundary((line) => logged.push(line)));
  app.use(() => {
    throw thrown();
  });
  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/somewhere`);
    return { status: response.status, headers: response.headers, body: await response.json(), logged };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the boundary recognises a refusal by its shape, never by its message or class', () => {
  it('OAuthError: its status, code, description and headers', async () => {
    const answer = await answerTo(() => new OAuthError(405, 'invalid_request', '/x takes GET', { allow: 'GET' }));
    expect([answer.status, answer.body, answer.headers.get('allow'), answer.headers.get('cache-control')]).toEqual([
      405,
      { error: 'invalid_request', error_description: '/x takes GET' },
      'GET',
      'no-store',
    ]);
  });

  it("oidc-provider's own errors, as oidc-provider would answer them", async () => {
    const answer = await answerTo(() => new errors.InvalidRequest('interaction session not found'));
    expect([answer.status, answer.body]).toEqual([
      400,
      { error: 'invalid_request', error_description: 'interaction session not found' },
    ]);
  });

  it('a look-alike from another copy of the module (not an instance of this one)', async () => {
    const answer = await answerTo(() => ({ status: 404, error: 'not_found', error_description: 'no user "bob"' }));
    expect([answer.status, answer.body]).toEqual([404, { error: 'not_found', error_description: 'no user "bob"' }]);
  });

  it("koa's own 4xx (ctx.throw): invalid_request in its words; anything else: server_error, logged", async () => {
    const koa = await answerTo(() => Object.assign(new Error('bad range'), { status: 416, expose: true }));
    expect([koa.status, koa.body]).toEqual([416, { error: 'invalid_request', error_description: 'bad range' }]);
    const bug = await answerTo(() => new TypeError('x is undefined'));
    expect([bug.status, (bug.body as { error: string }).error]).toEqual([500, 'server_error']);
    expect(bug.logged.join('\n')).toContain('TypeError: x is undefined');
  });
});
