import { describe, expect, it } from 'vitest';
import { quirkFixture, tokensFor, withIdp } from '../helpers/raw-flow.ts';

const userinfo = async (endpoint: string, accessToken: string) =>
  (await fetch(endpoint, { headers: { authorization: `Bearer ${accessToken}` } })).json() as Promise<
    Record<string, unknown>
  >;

const put = (url: string, body: string, type = 'application/json') =>
  fetch(url, { method: 'PUT', headers: { 'content-type': type }, body });

// A mock IdP in a container has no updateUser() to call: this route is how a second sign-in sees a changed profile.
describe('PUT /_users/:id', () => {
  it('replaces the profile and claims that later sign-ins see', () =>
    withIdp(quirkFixture(), async (idp) => {
      const before = (await tokensFor(idp)).json() as { access_token: string };
      expect(await userinfo(idp.endpoints.userinfo, before.access_token)).toMatchObject({ name: 'Alice' });

      const response = await put(
        `${idp.issuer}/_users/alice`,
        JSON.stringify({
          profile: { sub: 'alice', name: 'Alice Changed', email: 'alice@example.com' },
          claims: { name: 'Alice Claimed' },
        }),
      );
      expect(response.status).toBe(204);

      const after = (await tokensFor(idp)).json() as { access_token: string; id_token: string };
      expect(await userinfo(idp.endpoints.userinfo, after.access_token)).toMatchObject({ name: 'Alice Changed' });
      const idToken = JSON.parse(Buffer.from(after.id_token.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      expect(idToken.name).toBe('Alice Claimed');
    }));

  it('answers an unknown user with 404 and a bad body with 400, as JSON errors', () =>
    withIdp(quirkFixture(), async (idp) => {
      const unknown = await put(`${idp.issuer}/_users/bob`, JSON.stringify({ profile: { sub: 'bob' } }));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({
        error: 'not_found',
        error_description: expect.stringContaining('alice'),
      });

      for (const body of ['[]', '{"profile":"x"}', '{"claims":{"never_seen":1}}', '{}']) {
        const bad = await put(`${idp.issuer}/_users/alice`, body);
        expect(bad.status, body).toBe(400);
        expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
      }
      const form = await put(`${idp.issuer}/_users/alice`, 'profile=x', 'application/x-www-form-urlencoded');
      expect(form.status).toBe(400);
    }));

  it('refuses a profile nested deeper than a fixture file may be, saying so (not a stack overflow message)', () =>
    withIdp(quirkFixture(), async (idp) => {
      const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
      const deep = await put(`${idp.issuer}/_users/alice`, `{"profile":{"sub":"alice","x":${nested(5000)}}}`);
      expect(deep.status).toBe(400);
      expect(await deep.json()).toEqual({
        error: 'invalid_request',
        error_description:
          'profile is nested more than 64 levels deep; a profile is a few levels deep, as in a fixture file',
      });
      const fine = await put(`${idp.issuer}/_users/alice`, `{"profile":{"sub":"alice","x":${nested(60)}}}`);
      expect(fine.status).toBe(204);
    }));
});
