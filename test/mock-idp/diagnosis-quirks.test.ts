import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../lib/user-error.ts';
import { loadFixture } from '../../mock-idp/fixture/load.ts';
import type { MockIdp } from '../../mock-idp/index.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { authorize, exchange, quirkFixture, SECRET, tokensFor, withIdp } from '../helpers/raw-flow.ts';

/**
 * The classes of #17 the mock reproduces, each against a started mock IdP with an independent client
 * (plain fetch, openid-client): the quirk when the fixture asks for it, and its absence when not.
 */

type TokenAnswer = Record<string, unknown>;
const answerOf = async (idp: MockIdp, params: Record<string, string> = {}) =>
  (await tokensFor(idp, params)).json() as TokenAnswer;

const refresh = (idp: MockIdp, refreshToken: string) =>
  postForm(
    idp.endpoints.token,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    { authorization: basic('c', SECRET) },
  );

const userinfo = (idp: MockIdp, accessToken: string, init: RequestInit = {}) =>
  fetch(idp.endpoints.userinfo, {
    ...init,
    headers: { authorization: `Bearer ${accessToken}`, ...(init.headers as Record<string, string>) },
  });

const withProfile: Partial<FixtureInput> = {
  users: [
    {
      id: 'alice',
      profile: { sub: 'alice', name: 'Alice', email: 'alice@example.com', phone_number: '+1555', custom: 7 },
    },
  ],
};

describe('claimsFollowScopes (OIDC Core §5.4)', () => {
  it('gates the profile, email and phone claims in userinfo and the id_token by the granted scope', () =>
    withIdp(quirkFixture({ ...withProfile, claimsFollowScopes: true }), async (idp) => {
      const answer = await answerOf(idp, { scope: 'openid email' });
      const claims = decodeJwt(answer.id_token as string);
      expect(claims).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
      expect(claims).not.toHaveProperty('name');
      expect(claims).not.toHaveProperty('phone_number');
      const profile = (await (await userinfo(idp, answer.access_token as string)).json()) as TokenAnswer;
      expect(profile).toEqual({ sub: 'alice', email: 'alice@example.com', custom: 7 });
    }));

  it('the id_token it re-signs still verifies with the JWKS (openid-client)', () =>
    withIdp(quirkFixture({ ...withProfile, claimsFollowScopes: true }), async (idp) => {
      const config = await client.discovery(
        new URL(idp.issuer),
        'c',
        { redirect_uris: [REDIRECT_URI] },
        client.ClientSecretBasic(SECRET),
        { execute: [client.allowInsecureRequests] },
      );
      const callback = await hopToRedirect(
        client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid profile', nonce: 'n-1' }),
        REDIRECT_URI,
      );
      const tokens = await client.authorizationCodeGrant(config, callback, { expectedNonce: 'n-1' });
      expect(tokens.claims()).toMatchObject({ sub: 'alice', name: 'Alice' });
      expect(tokens.claims()).not.toHaveProperty('email');
    }));

  it('off (the default): every claim whatever the scope', () =>
    withIdp(quirkFixture(withProfile), async (idp) => {
      const answer = await answerOf(idp, { scope: 'openid' });
      expect(decodeJwt(answer.id_token as string)).toMatchObject({ name: 'Alice', email: 'alice@example.com' });
      const profile = (await (await userinfo(idp, answer.access_token as string)).json()) as TokenAnswer;
      expect(profile).toHaveProperty('phone_number', '+1555');
    }));
});

describe('the journal: the id_token decoded beside the masked token', () => {
  it("records the header and claims of a token answer's id_token, never the token itself", () =>
    withIdp(quirkFixture(), async (idp) => {
      const answer = await answerOf(idp, { nonce: 'n-7' });
      const entry = idp.journal.entries().find((candidate) => candidate.endpoint === 'token')!;
      expect(entry.idToken?.header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
      expect(entry.idToken?.claims).toMatchObject({ sub: 'alice', aud: 'c', iss: idp.issuer, nonce: 'n-7' });
      expect(JSON.stringify(entry)).not.toContain(answer.id_token as string);
    }));
});

describe('refuseUnknownScopes', () => {
  it('refuses every unknown scope by name with invalid_scope, a comma-glued scope included', () =>
    withIdp(quirkFixture({ refuseUnknownScopes: true }), async (idp) => {
      const callback = await authorize(idp, { scope: 'openid,profile read:user' });
      expect(callback.searchParams.get('error')).toBe('invalid_scope');
      expect(callback.searchParams.get('error_description')).toContain('"openid,profile", "read:user"');
      expect((await authorize(idp, { scope: 'openid profile' })).searchParams.get('code')).toBeTruthy();
    }));

  it('off: an unknown scope is ignored', () =>
    withIdp(quirkFixture(), async (idp) => {
      expect((await authorize(idp, { scope: 'openid read:user' })).searchParams.get('code')).toBeTruthy();
    }));
});

describe('required request headers', () => {
  const twitch: Partial<FixtureInput> = {
    userinfo: {
      requiredHeaders: {
        headers: { 'Client-Id': 'c' },
        refusal: { status: 401, body: { error: 'Unauthorized', status: 401, message: 'Client ID is missing' } },
      },
    },
  };

  it('userinfo: refused with the provider status and body without the header, served with it', () =>
    withIdp(quirkFixture(twitch), async (idp) => {
      const token = (await answerOf(idp)).access_token as string;
      const refused = await userinfo(idp, token);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: 'Unauthorized', status: 401, message: 'Client ID is missing' });
      const served = await userinfo(idp, token, { headers: { 'client-id': 'c' } });
      expect(served.status).toBe(200);
      const journal = idp.journal.entries().filter((entry) => entry.endpoint === 'userinfo');
      expect(journal[0]?.response.status).toBe(401);
    }));

  it('token: refused by default with 400 invalid_request naming the header', () =>
    withIdp(quirkFixture({ tokenRequest: { requiredHeaders: { headers: { 'X-Api-Key': true } } } }), async (idp) => {
      const code = (await authorize(idp)).searchParams.get('code')!;
      const refused = await exchange(idp, code);
      expect(refused.status).toBe(400);
      expect(refused.json()).toMatchObject({ error: 'invalid_request' });
      expect(refused.text).toContain('missing required header \\"X-Api-Key\\"');
      const code2 = (await authorize(idp)).searchParams.get('code')!;
      const served = await postForm(
        idp.endpoints.token,
        { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT_URI },
        { authorization: basic('c', SECRET), 'x-api-key': 'k' },
      );
      expect(served.status).toBe(200);
    }));

  it('off: userinfo and token answer without them', () =>
    withIdp(quirkFixture(), async (idp) => {
      const answer = await answerOf(idp);
      expect((await userinfo(idp, answer.access_token as string)).status).toBe(200);
    }));
});

describe('tokenResponse.idTokenOnRefresh', () => {
  it('false: the code answer carries the id_token, the refresh answer none', () =>
    withIdp(quirkFixture({ tokenResponse: { idTokenOnRefresh: false } }), async (idp) => {
      const answer = await answerOf(idp, { scope: 'openid offline_access' });
      expect(answer.id_token).toEqual(expect.any(String));
      const refreshed = (await refresh(idp, answer.refresh_token as string)).json() as TokenAnswer;
      expect(refreshed.access_token).toEqual(expect.any(String));
      expect(refreshed).not.toHaveProperty('id_token');
    }));

  it('true (the default): the refresh answer carries one too', () =>
    withIdp(quirkFixture(), async (idp) => {
      const answer = await answerOf(idp, { scope: 'openid offline_access' });
      const refreshed = (await refresh(idp, answer.refresh_token as string)).json() as TokenAnswer;
      expect(refreshed.id_token).toEqual(expect.any(String));
    }));
});

describe('token answer fields: omitFields, renameFields, scopeAs', () => {
  it('leaves out, renames, nests, and sends the scope as an array', () =>
    withIdp(
      quirkFixture({
        tokenResponse: {
          omitFields: ['id_token'],
          renameFields: { access_token: 'data.accessToken', expires_in: 'expiresIn' },
          scopeAs: 'array',
        },
      }),
      async (idp) => {
        const answer = await answerOf(idp, { scope: 'openid profile' });
        expect(answer).toMatchObject({
          data: { accessToken: expect.any(String) },
          expiresIn: 3600,
          scope: ['openid', 'profile'],
          token_type: 'Bearer',
        });
        expect(Object.keys(answer).sort()).toEqual(['data', 'expiresIn', 'scope', 'token_type']);
      },
    ));

  it('omitFields: scope absent from a form-encoded answer too', () =>
    withIdp(quirkFixture({ tokenResponse: { encoding: 'form', omitFields: ['scope'] } }), async (idp) => {
      const answer = await tokensFor(idp);
      const form = new URLSearchParams(answer.text);
      expect(form.get('access_token')).toBeTruthy();
      expect(form.has('scope')).toBe(false);
    }));

  it('off: the standard fields, scope a string', () =>
    withIdp(quirkFixture(), async (idp) => {
      const answer = await answerOf(idp, { scope: 'openid profile' });
      expect(answer).toMatchObject({ access_token: expect.any(String), expires_in: 3600, scope: 'openid profile' });
    }));

  it('a bad field is refused at load with file, line and field', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'fixture-'));
    const file = path.join(folder, 'bad.yaml');
    await writeFile(
      file,
      [
        'clients: [{ clientId: c, clientSecret: s }]',
        'users: [{ id: alice, profile: { sub: alice } }]',
        'tokenResponse:',
        '  renameFields: { access_token: data, refresh_token: data.refresh }',
        'userinfo:',
        '  requiredHeaders: { headers: { "Client Id": true } }',
        'tokenRequest: { wrongMethod: { status: 503, body: down } }',
      ].join('\n'),
    );
    const error = await loadFixture(file).then(
      () => undefined,
      (thrown: unknown) => thrown as UserError,
    );
    expect(error).toBeInstanceOf(UserError);
    const fields = error!.problems.map(({ field, line }) => `${line} ${field}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        '4 tokenResponse.renameFields.access_token',
        '6 userinfo.requiredHeaders.headers.Client Id',
        '7 tokenRequest.wrongMethod.status',
      ]),
    );
    await rm(folder, { recursive: true });
  });
});

describe('tokenRequest.encoding: json', () => {
  const jsonExchange = (idp: MockIdp, body: Record<string, string>) =>
    fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic('c', SECRET) },
      body: JSON.stringify(body),
    });

  it('takes a JSON body, refuses a form body with invalid_request naming the content type', () =>
    withIdp(quirkFixture({ tokenRequest: { encoding: 'json' } }), async (idp) => {
      const code = (await authorize(idp)).searchParams.get('code')!;
      const refused = await exchange(idp, code);
      expect(refused.status).toBe(400);
      expect(refused.json()).toMatchObject({ error: 'invalid_request' });
      expect(refused.text).toContain('application/x-www-form-urlencoded');
      const code2 = (await authorize(idp)).searchParams.get('code')!;
      const accepted = await jsonExchange(idp, {
        grant_type: 'authorization_code',
        code: code2,
        redirect_uri: REDIRECT_URI,
      });
      expect(accepted.status).toBe(200);
      expect(((await accepted.json()) as TokenAnswer).access_token).toEqual(expect.any(String));
      const journaled = idp.journal.entries().filter((entry) => entry.endpoint === 'token');
      expect(journaled.at(-1)?.headers['content-type']).toBe('application/json');
    }));

  it('off (form): a JSON body is refused, a form body taken', () =>
    withIdp(quirkFixture(), async (idp) => {
      const code = (await authorize(idp)).searchParams.get('code')!;
      const refused = await jsonExchange(idp, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
      expect(refused.status).toBe(400);
      const code2 = (await authorize(idp)).searchParams.get('code')!;
      expect((await exchange(idp, code2)).status).toBe(200);
    }));
});

describe('requiredParams.report: all', () => {
  const required = { authorize: { audience: true as const, access_type: 'offline' } };
  const bare = (idp: MockIdp) =>
    fetch(`${idp.endpoints.authorization}?client_id=c&scope=openid`, { redirect: 'manual' });

  it('names every missing authorize parameter in one refusal', () =>
    withIdp(quirkFixture({ requiredParams: { ...required, report: 'all' } }), async (idp) => {
      const refused = await bare(idp);
      expect(refused.status).toBe(400);
      const { error_description: description } = (await refused.json()) as { error_description: string };
      for (const name of ['response_type', 'redirect_uri', 'audience', 'access_type'])
        expect(description).toContain(name);
      const callback = await authorize(idp, { audience: 'x', access_type: 'offline' });
      expect(callback.searchParams.get('code')).toBeTruthy();
    }));

  it('first (the default): one parameter per refusal', async () => {
    await withIdp(quirkFixture({ requiredParams: required }), async (idp) => {
      const callback = await authorize(idp);
      const description = callback.searchParams.get('error_description') ?? '';
      expect(description).toContain('audience');
      expect(description).not.toContain('access_type');
    });
  });
});

describe('wrongMethod: the provider refuses a method its own way', () => {
  it('userinfo (POST only): a GET gets the provider status and body', () =>
    withIdp(
      quirkFixture({ userinfo: { method: 'POST', wrongMethod: { status: 404, body: 'Not Found' } } }),
      async (idp) => {
        const token = (await answerOf(idp)).access_token as string;
        const refused = await userinfo(idp, token);
        expect(refused.status).toBe(404);
        expect(refused.headers.get('content-type')).toContain('text/plain');
        expect(await refused.text()).toBe('Not Found');
        expect((await userinfo(idp, token, { method: 'POST' })).status).toBe(200);
      },
    ));

  it('token: a GET gets the provider status and body', () =>
    withIdp(
      quirkFixture({ tokenRequest: { wrongMethod: { status: 400, body: { code: 'METHOD', msg: 'use POST' } } } }),
      async (idp) => {
        const refused = await fetch(idp.endpoints.token);
        expect(refused.status).toBe(400);
        expect(await refused.json()).toEqual({ code: 'METHOD', msg: 'use POST' });
      },
    ));

  it('off: the mock’s own 405 with allow', () =>
    withIdp(quirkFixture({ userinfo: { method: 'POST' } }), async (idp) => {
      const token = (await answerOf(idp)).access_token as string;
      const refused = await userinfo(idp, token);
      expect(refused.status).toBe(405);
      expect(refused.headers.get('allow')).toBe('POST');
      expect((await fetch(idp.endpoints.token)).status).toBe(405);
    }));
});
