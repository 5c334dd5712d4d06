import { describe, expect, it } from 'vitest';
import { SECRET, quirkFixture, tokensFor, withIdp } from '../helpers/raw-flow.ts';

describe('request journal', () => {
  it('records every request in order with params, client auth and responses, secrets masked', () =>
    withIdp(quirkFixture(), async (idp) => {
      const tokens = (await tokensFor(idp, { audience: 'https://api.example.com' })).json() as {
        access_token: string;
        id_token: string;
      };
      await fetch(idp.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      const entries = idp.journal.entries();
      const endpoints = entries.map((entry) => entry.endpoint);
      expect(endpoints[0]).toBe('authorize');
      expect(endpoints.slice(-2)).toEqual(['token', 'userinfo']);
      expect(entries.map((entry) => entry.seq)).toEqual([...entries.map((entry) => entry.seq)].sort((a, b) => a - b));
      expect(entries[0]!.params).toMatchObject({
        client_id: 'c',
        audience: 'https://api.example.com',
        response_type: 'code',
      });
      const token = entries.find((entry) => entry.endpoint === 'token')!;
      expect(token.clientAuth).toMatchObject({
        method: 'client_secret_basic',
        clientId: 'c',
        expected: 'client_secret_basic',
      });
      expect(token.params.grant_type).toBe('authorization_code');
      expect(token.response.status).toBe(200);
      expect(token.headers.authorization).toMatch(/^Basic \S+…\(\d+\)$|^Basic \*\*\*/);
      const serialized = JSON.stringify(entries);
      for (const secret of [SECRET, tokens.access_token, tokens.id_token]) expect(serialized).not.toContain(secret);
    }));

  it('is readable at GET /_journal and reset by DELETE /_journal', () =>
    withIdp(quirkFixture(), async (idp) => {
      await tokensFor(idp);
      const remote = (await (await fetch(`${idp.issuer}/_journal`)).json()) as unknown[];
      expect(remote).toEqual(JSON.parse(JSON.stringify(idp.journal.entries())));
      expect(remote.length).toBeGreaterThan(2);
      expect((await fetch(`${idp.issuer}/_journal`, { method: 'DELETE' })).status).toBe(204);
      expect(await (await fetch(`${idp.issuer}/_journal`)).json()).toEqual([]);
    }));
});

describe('what the client sent, and what the IdP did with it', () => {
  it('keeps the parameters as sent; prompt=consent the IdP added for offline_access is under adjustedParams', () =>
    withIdp(quirkFixture(), async (idp) => {
      const tokens = (await tokensFor(idp, { scope: 'openid offline_access' })).json() as Record<string, unknown>;
      // The IdP did grant offline access: the adjustment took effect.
      expect(tokens.refresh_token).toEqual(expect.any(String));
      const [authorize] = idp.journal.entries().filter((entry) => entry.endpoint === 'authorize');
      expect(authorize!.params).not.toHaveProperty('prompt');
      expect(authorize!.params.scope).toBe('openid offline_access');
      expect(authorize!.adjustedParams).toEqual({ prompt: 'consent' });
    }));

  it('has no adjustedParams when the IdP took the request as it came', () =>
    withIdp(quirkFixture(), async (idp) => {
      await tokensFor(idp, { scope: 'openid offline_access', prompt: 'consent' });
      const [authorize] = idp.journal.entries().filter((entry) => entry.endpoint === 'authorize');
      expect(authorize!.params.prompt).toBe('consent');
      expect(authorize).not.toHaveProperty('adjustedParams');
    }));
});
