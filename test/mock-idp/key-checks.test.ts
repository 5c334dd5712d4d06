import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startMockIdp, type FixtureInput } from '../../mock-idp/index.ts';
import { UserError } from '../../lib/user-error.ts';
import { quirkFixture } from '../helpers/raw-flow.ts';

/**
 * Fixture keys that have every member but cannot sign what the IdP's own /jwks verifies: each used
 * to pass `validate`, then failed every id_token request (500) or issued id_tokens no client could
 * verify. `validate`, `serve` and startMockIdp must refuse them alike, naming the key.
 */

const run = promisify(execFile);
const CLI = path.resolve('bin/mock-idp.js');
const CLI_ENV = {
  ...process.env,
  PATH: `${path.resolve('node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
};
type Outcome = { code?: number; stdout: string; stderr: string };
const cli = (...args: string[]): Promise<Outcome> =>
  run(process.execPath, [CLI, ...args], { env: CLI_ENV, timeout: 20_000 }).then(
    (result) => ({ code: 0, ...result }),
    (error: Outcome) => error,
  );

const BAD_KEY_FILES: Array<[file: string, field: string, reason: RegExp]> = [
  ['rsa-1024.yaml', 'keys[0]', /1024-bit RSA key; RS256 needs at least 2048 bits/],
  ['rsa-broken.yaml', 'keys[0]', /is not a usable RSA private key|cannot sign/],
  ['rsa-wrong-e.yaml', 'keys[0]', /private part does not match the public part \(n and e\)/],
  // Passed validate, then serve refused it (oidc-provider's keystore) without naming file or line.
  ['duplicate-kid.yaml', 'keys[1].kid', /kid "shared" is also keys\[0\]'s/],
];

const escaped = (text: string) => text.replace(/[[\].]/g, '\\$&');

describe.each(BAD_KEY_FILES)('test/mock-idp/bad-keys/%s', (name, field, reason) => {
  const file = `test/mock-idp/bad-keys/${name}`;

  it(`validate refuses it: exit 2, ${field}: why, no stack trace`, async () => {
    const result = await cli('validate', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+ ${escaped(field)}: `));
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('serve refuses it the same way, before listening', async () => {
    const result = await cli('serve', file, '--port', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+ ${escaped(field)}: `));
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).not.toContain('issuer');
  });
});

const rsa = (bits = 2048) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'jwk' }) as Record<string, string>;
const ec = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<string, string>;

async function startError(fixture: FixtureInput): Promise<UserError> {
  try {
    const idp = await startMockIdp(fixture);
    await idp.stop();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('started with a key that cannot sign');
}

describe('startMockIdp refuses keys that cannot sign what /jwks verifies', () => {
  it.each<[string, () => Record<string, unknown>, 'RS256' | 'ES256', RegExp]>([
    [
      'an RSA key whose n belongs to another key',
      () => ({ ...rsa(), n: rsa().n }),
      'RS256',
      /does not match the public part \(n and e\)/,
    ],
    [
      'an EC key whose x and y belong to another key',
      () => ({ ...ec(), x: ec().x, y: ec().y }),
      'ES256',
      /does not match the public part \(x and y\)|not a usable EC private key/,
    ],
    [
      'an RSA key labelled for another alg',
      () => ({ ...rsa(), alg: 'RS512' }),
      'RS256',
      /signs RS256, got alg "RS512"/,
    ],
    ['an encryption key', () => ({ ...rsa(), use: 'enc' }), 'RS256', /must be "sig"/],
  ])('%s', async (_what, key, alg, reason) => {
    const error = await startError(quirkFixture({ keys: [key()], idToken: { alg } }));
    expect(error.problems[0]!.field).toMatch(/^fixture\.keys\[0\]/);
    expect(error.problems[0]!.message).toMatch(reason);
  });

  it('names the second key when only it is bad', async () => {
    const error = await startError(quirkFixture({ keys: [rsa(), { ...rsa(1024), kid: 'short' }] }));
    expect(error.problems.map((problem) => problem.field)).toEqual(['fixture.keys[1]']);
  });

  it('refuses the same key twice without a kid: oidc-provider names both after their public part', async () => {
    const key = rsa();
    const error = await startError(quirkFixture({ keys: [key, { ...key }] }));
    expect(error.problems.map((problem) => problem.field)).toEqual(['fixture.keys[1]']);
    expect(error.problems[0]!.message).toMatch(/the same public key as keys\[0\]/);
  });

  it('refuses an empty kid, which oidc-provider would refuse at start', async () => {
    const error = await startError(quirkFixture({ keys: [{ ...rsa(), kid: '' }] }));
    expect(error.problems.map((problem) => problem.field)).toEqual(['fixture.keys[0].kid']);
  });

  it.each([
    ['key_ops that is not a list', { key_ops: 'sign' }, /jwks\.keys\[0\]\.key_ops configuration must be an array/],
    ['x5c that is not a list', { x5c: 'MIIB' }, /jwks\.keys\[0\]\.x5c configuration must be an array/],
  ])(
    'what only oidc-provider checks (%s) is a user error naming the keys, not a stack trace',
    async (_what, extra, reason) => {
      const error = await startError(quirkFixture({ keys: [{ ...rsa(), ...extra }] }));
      expect(error.problems.map((problem) => problem.field)).toEqual(['keys']);
      expect(error.problems[0]!.message).toMatch(/^oidc-provider refuses the fixture's keys: /);
      expect(error.problems[0]!.message).toMatch(reason);
    },
  );

  it('still accepts good RSA and EC keys', async () => {
    const idp = await startMockIdp(
      quirkFixture({
        keys: [
          { ...rsa(), alg: 'RS256', use: 'sig', kid: 'r' },
          { ...ec(), kid: 'e' },
        ],
      }),
    );
    await idp.stop();
  });
});
