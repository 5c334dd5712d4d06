import { describe, expect, it } from 'vitest';
import { IdpPool } from '../../harness/flow/idp-pool.ts';
import { loadFixture, type Fixture } from '../../mock-idp/index.ts';
import { UserError } from '../../lib/user-error.ts';

describe('the IdP pool', () => {
  it('refuses a fixture the schema refuses, as a located user error, and still starts the next one', async () => {
    const pool = new IdpPool({ perFixture: 1 });
    const fixture = await loadFixture('fixtures/scenarios/idp/standard.yaml');
    try {
      const broken: Fixture = { ...fixture, accessTokenTtlSeconds: -5 };
      const refused = await pool.lease(broken).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as UserError).problems[0]?.field).toBe('fixture.accessTokenTtlSeconds');
      // The failed start does not count against the fixture: with one IdP allowed, a retry still starts one.
      await expect(pool.lease(broken)).rejects.toBeInstanceOf(UserError);
      const idp = await pool.lease(fixture);
      expect((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status).toBe(200);
      pool.release(fixture, idp);
      // Validated once for the content: a copy (as the second thread receives it) gets the same IdP back.
      expect(await pool.lease(structuredClone(fixture))).toBe(idp);
      expect(pool.started).toBe(3);
    } finally {
      await pool.close();
    }
  });
});
