import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scriptedPerson } from '../../../harness/record/person.ts';
import { recordProvider } from '../../../harness/record/record.ts';
import { quirkyMockIdp, writeConfig, type RealIdp } from './real-idps.ts';

// The OIDC connector verifies the id_token with jose; what jose says went wrong (its error code) is what the
// recorder writes as the fixture's id_token quirk, so the replay fails the same way.
describe('record: an id_token the connector refuses is replayed as refused', () => {
  const running: RealIdp[] = [];
  afterAll(async () => Promise.all(running.map((idp) => idp.stop())));

  it.each([
    ['a corrupt signature', { badSignature: true }, { badSignature: true }],
    ['a key that is not in the JWKS', { wrongKid: true }, { wrongKid: true }],
  ])('%s', async (_name, idToken, written) => {
    const idp = await quirkyMockIdp({ idToken }, { scope: 'openid profile email' });
    running.push(idp);
    const issuer = new URL(String(idp.config.tokenEndpoint)).origin;
    const config = { ...idp.config, idTokenVerificationConfig: { jwksUri: `${issuer}/jwks` } };
    const out = await mkdtemp(path.join(tmpdir(), 'recorded-'));
    const outcome = await recordProvider({
      input: await writeConfig(config),
      out,
      person: scriptedPerson(),
      connector: 'oidc',
    });
    expect(outcome.live.error?.code).toBe('http_500');
    const fixture = parse(await readFile(outcome.files.fixture, 'utf8')) as { idToken?: Record<string, unknown> };
    expect(fixture.idToken).toMatchObject(written);
    expect(outcome.replayDiffers).toEqual([]);
  });
});
