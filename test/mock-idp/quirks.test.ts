import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { authorize, exchange, quirkFixture, tokensFor, withIdp } from '../helpers/raw-flow.ts';

const jsonOf = (response: { json(): unknown }) => response.json() as Record<string, unknown>;

describe('token response quirks', () => {
  it('form-encodes the body when encoding is form', () =>
    withIdp(quirkFixture({ tokenResponse: { encoding: 'form', tokenType: 'bearer' } }), async (idp) => {
      const response = await tokensFor(idp);
      expect(response.status).toBe(200);
      expect(response.contentType).toContain('application/x-www-form-urlencoded');
      const form = new URLSearchParams(response.text);
      expect(form.get('access_token')).toBeTruthy();
      expect(form.get('token_type')).toBe('bearer');
      expect(form.get('expires_in')).toBe('3600');
      expect(() => JSON.parse(response.text)).toThrow();
    }));

  it.each([
    ['number', 3600],
    ['string', '3600'],
    ['absent', undefined],
  ] as const)('sends expires_in as %s', (expiresIn, expected) =>
    withIdp(quirkFixture({ tokenResponse: { expiresIn } }), async (idp) => {
      expect(jsonOf(await tokensFor(idp)).expires_in).toStrictEqual(expected);
    }),
  );

  it.each(['Bearer', 'bearer', 'token'])('sends token_type %s verbatim', (tokenType) =>
    withIdp(quirkFixture({ tokenResponse: { tokenType } }), async (idp) => {
      expect(jsonOf(await tokensFor(idp)).token_type).toBe(tokenType);
    }),
  );

  it('merges extra fields and can leave out the id_token', () =>
    withIdp(
      quirkFixture({ tokenResponse: { extraFields: { user_id: 42, team: { id: 't1' } }, idToken: false } }),
      async (idp) => {
        const body = jsonOf(await tokensFor(idp));
        expect(body.user_id).toBe(42);
        expect(body.team).toEqual({ id: 't1' });
        expect(body.id_token).toBeUndefined();
      },
    ));

  it('includes the id_token by default', () =>
    withIdp(quirkFixture(), async (idp) => {
      expect(typeof jsonOf(await tokensFor(idp)).id_token).toBe('string');
    }));
});

describe('userinfo quirks', () => {
  const profile = { data: { user: { id: 4242, emails: [{ value: 'a@example.com' }], flags: [true, null] } }, ok: 1 };

  it('serves the profile exactly as written at a custom path, token from the query', () =>
    withIdp(
      quirkFixture({
        users: [{ id: 'alice', profile }],
        userinfo: { path: '/api/v1/me', method: 'GET', tokenFrom: ['query'] },
      }),
      async (idp) => {
        expect(idp.endpoints.userinfo).toBe(`${idp.issuer}/api/v1/me`);
        const { access_token: token } = jsonOf(await tokensFor(idp)) as { access_token: string };
        const response = await fetch(`${idp.endpoints.userinfo}?access_token=${token}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toStrictEqual(profile);
        const viaHeader = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } });
        expect(viaHeader.status).toBe(401);
        const post = await fetch(`${idp.endpoints.userinfo}?access_token=${token}`, { method: 'POST' });
        expect(post.status).toBe(405);
      },
    ));

  it.each(['Bearer', 'bearer', 'token'])('accepts the %s scheme in the Authorization header', (scheme) =>
    withIdp(quirkFixture(), async (idp) => {
      const { access_token: token } = jsonOf(await tokensFor(idp)) as { access_token: string };
      const response = await fetch(idp.endpoints.userinfo, { headers: { authorization: `${scheme} ${token}` } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { sub: string }).sub).toBe('alice');
    }),
  );

  it('serves an override body: non-JSON or an error', () =>
    withIdp(
      quirkFixture({ userinfo: { override: { status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' } } }),
      async (idp) => {
        const { access_token: token } = jsonOf(await tokensFor(idp)) as { access_token: string };
        const response = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status).toBe(502);
        expect(response.headers.get('content-type')).toContain('text/html');
        expect(await response.text()).toBe('<h1>Bad gateway</h1>');
      },
    ));

  it('sees a profile changed while running', () =>
    withIdp(quirkFixture(), async (idp) => {
      idp.updateUser('alice', { profile: { sub: 'alice', name: 'Renamed' } });
      const { access_token: token } = jsonOf(await tokensFor(idp)) as { access_token: string };
      const response = await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${token}` } });
      expect(await response.json()).toEqual({ sub: 'alice', name: 'Renamed' });
    }));
});

describe('required extra parameters', () => {
  const fixture = quirkFixture({
    requiredParams: { authorize: { audience: 'https://api.example.com' }, token: { access_type: true } },
  });

  it('redirects back with invalid_request naming the missing authorize parameter', () =>
    withIdp(fixture, async (idp) => {
      const callback = await authorize(idp);
      expect(callback.searchParams.get('error')).toBe('invalid_request');
      expect(callback.searchParams.get('error_description')).toContain('"audience"');
      expect(callback.searchParams.get('state')).toBe('st');
    }));

  it('rejects a wrong value naming the expected one', () =>
    withIdp(fixture, async (idp) => {
      const callback = await authorize(idp, { audience: 'https://other' });
      expect(callback.searchParams.get('error_description')).toContain('must be "https://api.example.com"');
    }));

  it('answers 400 invalid_request at the token endpoint when a token parameter is missing, and accepts it when present', () =>
    withIdp(fixture, async (idp) => {
      const callback = await authorize(idp, { audience: 'https://api.example.com' });
      const code = callback.searchParams.get('code')!;
      const missing = await exchange(idp, code);
      expect(missing.status).toBe(400);
      expect(jsonOf(missing)).toMatchObject({ error: 'invalid_request' });
      expect(String(jsonOf(missing).error_description)).toContain('"access_type"');
      const present = await exchange(idp, code, { access_type: 'offline' });
      expect(present.status).toBe(200);
    }));
});

describe('refresh token policy', () => {
  it.each([
    ['offline_access', 'openid', false],
    ['offline_access', 'openid offline_access', true],
    ['always', 'openid', true],
    ['never', 'openid offline_access', false],
  ] as const)('issue=%s with scope "%s" → refresh token: %s', (issue, scope, expected) =>
    withIdp(quirkFixture({ refreshTokens: { issue } }), async (idp) => {
      const body = jsonOf(await tokensFor(idp, { scope }));
      expect(typeof body.refresh_token === 'string').toBe(expected);
    }),
  );

  it.each([true, false])('rotate=%s decides whether the old refresh token still works', (rotate) =>
    withIdp(quirkFixture({ refreshTokens: { issue: 'always', rotate } }), async (idp) => {
      const { refresh_token: first } = jsonOf(await tokensFor(idp)) as { refresh_token: string };
      const { postForm, basic } = await import('../helpers/browser-hops.ts');
      const refresh = (token: string) =>
        postForm(
          idp.endpoints.token,
          { grant_type: 'refresh_token', refresh_token: token },
          { authorization: basic('c', 'quirk-client-secret-0123456789') },
        );
      const second = await refresh(first);
      expect(second.status).toBe(200);
      const again = await refresh(first);
      expect(again.status).toBe(rotate ? 400 : 200);
      if (rotate) expect(jsonOf(again).error).toBe('invalid_grant');
    }),
  );

  it.each([true, false])(
    'omitOnRefresh=%s decides whether a refresh answer carries a refresh_token (Google sends none)',
    (omitOnRefresh) =>
      withIdp(quirkFixture({ refreshTokens: { issue: 'always', rotate: false, omitOnRefresh } }), async (idp) => {
        const { refresh_token: first } = jsonOf(await tokensFor(idp)) as { refresh_token: string };
        const { postForm, basic } = await import('../helpers/browser-hops.ts');
        const refresh = () =>
          postForm(
            idp.endpoints.token,
            { grant_type: 'refresh_token', refresh_token: first },
            { authorization: basic('c', 'quirk-client-secret-0123456789') },
          );
        const answer = jsonOf(await refresh());
        expect(typeof answer.access_token).toBe('string');
        expect('refresh_token' in answer).toBe(!omitOnRefresh);
        // The stored one keeps working: a client that kept it refreshes again.
        expect((await refresh()).status).toBe(200);
      }),
  );
});

describe('faults', () => {
  it('answers the configured status and body on every call', () =>
    withIdp(
      quirkFixture({ faults: [{ endpoint: 'token', status: 503, body: { error: 'temporarily_unavailable' } }] }),
      async (idp) => {
        const callback = await authorize(idp);
        const response = await exchange(idp, callback.searchParams.get('code')!);
        expect(response.status).toBe(503);
        expect(jsonOf(response)).toEqual({ error: 'temporarily_unavailable' });
        expect(idp.journal.entries().at(-1)?.fault).toContain('status 503');
      },
    ));

  it('fails only the Nth call', () =>
    withIdp(quirkFixture({ faults: [{ endpoint: 'discovery', status: 500, body: 'boom', nth: 2 }] }), async (idp) => {
      const statuses = [];
      for (let call = 0; call < 3; call += 1)
        statuses.push((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status);
      expect(statuses).toEqual([200, 500, 200]);
    }));

  it('delays a response by the configured latency', () =>
    withIdp(quirkFixture({ faults: [{ endpoint: 'jwks', latencyMs: 150 }] }), async (idp) => {
      const started = performance.now();
      const response = await fetch(idp.endpoints.jwks);
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    }));

  it('rejects a reused authorization code with invalid_grant', () =>
    withIdp(quirkFixture(), async (idp) => {
      const code = (await authorize(idp)).searchParams.get('code')!;
      expect((await exchange(idp, code)).status).toBe(200);
      const replay = await exchange(idp, code);
      expect(replay.status).toBe(400);
      expect(jsonOf(replay).error).toBe('invalid_grant');
    }));
});

describe('id_token quirks', () => {
  const idTokenOf = async (
    fixture: ReturnType<typeof quirkFixture>,
    params: Record<string, string> = { nonce: 'n-123' },
  ) =>
    withIdp(fixture, async (idp) => ({
      token: jsonOf(await tokensFor(idp, params)).id_token as string,
      jwks: createRemoteJWKSet(new URL(idp.endpoints.jwks)),
      issuer: idp.issuer,
      stop: undefined,
    }));

  it('signs with the keys the fixture gives', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'fixture-key-1', alg: 'RS256', use: 'sig' };
    await withIdp(quirkFixture({ keys: [jwk] }), async (idp) => {
      const token = jsonOf(await tokensFor(idp, { nonce: 'n' })).id_token as string;
      expect(decodeProtectedHeader(token).kid).toBe('fixture-key-1');
      const { keys } = (await (await fetch(idp.endpoints.jwks)).json()) as { keys: Array<{ kid: string; d?: string }> };
      expect(keys.map((key) => key.kid)).toEqual(['fixture-key-1']);
      expect(keys[0]?.d).toBeUndefined();
    });
  });

  it('signs with ES256 when asked', async () => {
    await withIdp(quirkFixture({ idToken: { alg: 'ES256' } }), async (idp) => {
      const token = jsonOf(await tokensFor(idp, { nonce: 'n' })).id_token as string;
      expect(decodeProtectedHeader(token).alg).toBe('ES256');
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(idp.endpoints.jwks)), {
        audience: 'c',
        issuer: idp.issuer,
      });
      expect(payload.nonce).toBe('n');
    });
  });

  it.each([
    ['wrongKid', { wrongKid: true }, /no applicable key|matching key/i],
    ['badSignature', { badSignature: true }, /signature verification failed/i],
    ['audience', { audience: 'someone-else' }, /"aud" claim/],
    ['issuer', { issuer: 'https://impostor.example' }, /"iss" claim/],
    ['expired', { expired: true }, /"exp" claim/],
  ] as const)('%s makes a standard verification fail', async (_name, quirk, pattern) => {
    await withIdp(quirkFixture({ idToken: quirk }), async (idp) => {
      const token = jsonOf(await tokensFor(idp, { nonce: 'n' })).id_token as string;
      await expect(
        jwtVerify(token, createRemoteJWKSet(new URL(idp.endpoints.jwks)), { audience: 'c', issuer: idp.issuer }),
      ).rejects.toThrow(pattern);
    });
  });

  it.each([
    ['echo', 'n-123'],
    ['omit', undefined],
    ['wrong', 'not-the-nonce-you-sent'],
  ] as const)('nonce %s', async (nonce, expected) => {
    const { token } = await idTokenOf(quirkFixture({ idToken: { nonce } }));
    expect(decodeJwt(token).nonce).toBe(expected);
  });

  it('sends string-typed booleans', async () => {
    const { token } = await idTokenOf(quirkFixture({ idToken: { stringBooleans: true } }));
    const claims = decodeJwt(token);
    expect(claims.email_verified).toBe('true');
    expect(claims.phone_verified).toBe('true');
  });

  it('shifts iat and exp by the clock skew', async () => {
    const { token } = await idTokenOf(quirkFixture({ idToken: { clockSkewSeconds: 600 } }));
    const claims = decodeJwt(token);
    expect(claims.iat! - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(595);
  });
});
