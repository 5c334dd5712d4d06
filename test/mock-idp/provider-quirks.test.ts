import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { MockIdp } from '../../mock-idp/index.ts';
import { basic, postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { authorize, exchange, quirkFixture, SECRET, tokensFor, withIdp } from '../helpers/raw-flow.ts';

/** The real-provider quirks, each against a started mock IdP with a plain HTTP client. */

const accessTokenOf = async (idp: MockIdp, params: Record<string, string> = {}) =>
  ((await tokensFor(idp, params)).json() as { access_token: string }).access_token;

/** node:http sends no User-Agent unless told to (fetch always sends one). */
function getWithoutUserAgent(url: string, authorization: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { authorization } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('provider quirks', () => {
  it('omitTokenType: the token response has no token_type (WeChat)', async () => {
    await withIdp(quirkFixture({ tokenResponse: { omitTokenType: true, idToken: false } }), async (idp) => {
      const body = (await tokensFor(idp)).json() as Record<string, unknown>;
      expect(body.access_token).toEqual(expect.any(String));
      expect(body).not.toHaveProperty('token_type');
    });
  });

  it('errorsWith200: a token error is served with HTTP 200 and the provider body (Naver, Slack)', async () => {
    await withIdp(quirkFixture({ errorsWith200: { token: { ok: false, error: '{{error}}' } } }), async (idp) => {
      const answer = await exchange(idp, 'not-a-code');
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ ok: false, error: 'invalid_grant' });
    });
  });

  it('errorsWith200: a userinfo error is served with HTTP 200 (WeChat errcode)', async () => {
    await withIdp(
      quirkFixture({ errorsWith200: { userinfo: { errcode: 40001, errmsg: '{{error}}: {{error_description}}' } } }),
      async (idp) => {
        const answer = await fetch(idp.endpoints.userinfo, { headers: { authorization: 'Bearer nope' } });
        expect(answer.status).toBe(200);
        expect(await answer.json()).toEqual({
          errcode: 40001,
          errmsg: 'invalid_token: access token is unknown, expired or revoked',
        });
      },
    );
  });

  it('clientParamNames: appid/secret are accepted, client_id/client_secret refused (WeChat)', async () => {
    const fixture = quirkFixture({
      clients: [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' }],
      clientParamNames: { clientId: 'appid', clientSecret: 'secret' },
    });
    await withIdp(fixture, async (idp) => {
      const refusedAuthorize = await fetch(
        `${idp.endpoints.authorization}?response_type=code&client_id=c&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid`,
        { redirect: 'manual' },
      );
      expect(refusedAuthorize.status).toBe(400);
      expect(await refusedAuthorize.text()).toContain('missing appid');
      const callback = await authorize(idp, { appid: 'c', client_id: '' });
      const code = callback.searchParams.get('code')!;
      expect(code).toBeTruthy();
      const refused = await postForm(idp.endpoints.token, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: 'c',
        client_secret: SECRET,
      });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('missing appid');
      const accepted = await postForm(idp.endpoints.token, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        appid: 'c',
        secret: SECRET,
      });
      expect(accepted.status, accepted.text).toBe(200);
    });
  });

  it('refuseClientIdInBodyWithBasic: Basic plus client_id in the body is refused, Basic alone works (Okta)', async () => {
    const fixture = quirkFixture({
      clients: [{ clientId: 'c', clientSecret: SECRET, refuseClientIdInBodyWithBasic: true }],
    });
    await withIdp(fixture, async (idp) => {
      const code = (await authorize(idp)).searchParams.get('code')!;
      const refused = await exchange(idp, code, { client_id: 'c' });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Cannot supply multiple client credentials');
      const code2 = (await authorize(idp)).searchParams.get('code')!;
      expect((await exchange(idp, code2)).status).toBe(200);
    });
  });

  it('userinfo.enabled false: 404 and no userinfo_endpoint in discovery (Azure AD B2C)', async () => {
    await withIdp(quirkFixture({ userinfo: { enabled: false } }), async (idp) => {
      const token = await accessTokenOf(idp);
      expect((await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      expect(discovery).not.toHaveProperty('userinfo_endpoint');
    });
  });

  it('userinfo.requireUserAgent: 403 without a User-Agent, 200 with one (GitHub)', async () => {
    await withIdp(quirkFixture({ userinfo: { requireUserAgent: true } }), async (idp) => {
      const token = await accessTokenOf(idp);
      const without = await getWithoutUserAgent(idp.endpoints.userinfo, `Bearer ${token}`);
      expect(without.status).toBe(403);
      expect(without.body).toContain('User-Agent');
      expect(
        (await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}`, 'user-agent': 'test' } }))
          .status,
      ).toBe(200);
    });
  });

  it('userinfo.requiredQuery: 400 without the parameter, 200 with it (WeChat openid)', async () => {
    await withIdp(quirkFixture({ userinfo: { requiredQuery: { openid: true } } }), async (idp) => {
      const token = await accessTokenOf(idp);
      const without = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } });
      expect(without.status).toBe(400);
      expect(await without.text()).toContain('openid');
      expect(
        (await fetch(`${idp.endpoints.userinfo}?openid=alice`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(200);
    });
  });

  it('userinfo.fieldSelection: defaults without fields=, the asked keys with it; nested `at` (Facebook, Patreon)', async () => {
    const profile = {
      id: '10',
      name: 'Alice',
      email: 'a@example.com',
      data: { id: '7', attributes: { full_name: 'Alice', email: 'a@example.com' } },
    };
    await withIdp(
      quirkFixture({
        users: [{ id: 'alice', profile }],
        userinfo: { fieldSelection: { param: 'fields', defaults: ['name'], always: ['id'] } },
      }),
      async (idp) => {
        const token = await accessTokenOf(idp);
        const headers = { authorization: `Bearer ${token}` };
        expect(await (await fetch(idp.endpoints.userinfo, { headers })).json()).toEqual({ id: '10', name: 'Alice' });
        expect(await (await fetch(`${idp.endpoints.userinfo}?fields=email`, { headers })).json()).toEqual({
          id: '10',
          email: 'a@example.com',
        });
      },
    );
    await withIdp(
      quirkFixture({
        users: [{ id: 'alice', profile }],
        userinfo: { fieldSelection: { param: 'fields[user]', at: 'data.attributes' } },
      }),
      async (idp) => {
        const token = await accessTokenOf(idp);
        const headers = { authorization: `Bearer ${token}` };
        expect(await (await fetch(idp.endpoints.userinfo, { headers })).json()).toMatchObject({
          data: { id: '7', attributes: {} },
        });
        expect(
          await (await fetch(`${idp.endpoints.userinfo}?fields%5Buser%5D=email`, { headers })).json(),
        ).toMatchObject({ data: { attributes: { email: 'a@example.com' } } });
      },
    );
  });

  it('refreshTokens.onlyWithAuthorizeParams: a refresh token only with access_type=offline and prompt=consent (Google)', async () => {
    await withIdp(
      quirkFixture({ refreshTokens: { onlyWithAuthorizeParams: { access_type: 'offline', prompt: 'consent' } } }),
      async (idp) => {
        const without = (await tokensFor(idp, { access_type: 'offline' })).json() as Record<string, unknown>;
        expect(without).not.toHaveProperty('refresh_token');
        const withBoth = (await tokensFor(idp, { access_type: 'offline', prompt: 'consent' })).json() as Record<
          string,
          unknown
        >;
        expect(withBoth.refresh_token).toEqual(expect.any(String));
      },
    );
  });

  it("idToken.issuer template: the iss names the user's tenant (Entra ID multi-tenant)", async () => {
    const users = [
      { id: 'alice', profile: { sub: 'alice', name: 'Alice' }, claims: { name: 'Alice', tid: 'tenant-a' } },
    ];
    await withIdp(quirkFixture({ users, idToken: { issuer: 'https://login.example/{tid}/v2.0' } }), async (idp) => {
      const { id_token: idToken } = (await tokensFor(idp)).json() as { id_token: string };
      const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims.iss).toBe('https://login.example/tenant-a/v2.0');
    });
  });

  it('scopes with any names (GitHub `read:user`, Google URLs, X `offline.access`) are granted as listed', async () => {
    const scopes = [
      'openid',
      'read:user',
      'https://www.googleapis.com/auth/userinfo.email',
      'offline.access',
      'offline_access',
    ];
    await withIdp(quirkFixture({ scopes }), async (idp) => {
      const body = (
        await tokensFor(idp, { scope: 'read:user https://www.googleapis.com/auth/userinfo.email offline.access' })
      ).json() as Record<string, unknown>;
      expect(String(body.scope).split(' ')).toEqual(
        expect.arrayContaining(['read:user', 'https://www.googleapis.com/auth/userinfo.email', 'offline.access']),
      );
    });
  });
});
void basic;
