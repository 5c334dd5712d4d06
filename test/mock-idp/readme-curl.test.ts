/**
 * The README's curl recipe for the mock IdP, run as written (only the port differs): a newcomer's
 * first contact with the mock must work when copied.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixture, startMockIdp } from '../../mock-idp/index.ts';

const hasCurl = spawnSync('curl', ['--version']).status === 0;
if (!hasCurl) console.log('skipped: the README curl recipe — no curl on this machine');

async function recipe(): Promise<string> {
  const readme = await readFile('README.md', 'utf8');
  const block = /<!-- tested: test\/mock-idp\/readme-curl\.test\.ts runs this block -->\n```sh\n([\s\S]*?)```/.exec(
    readme,
  );
  if (!block) throw new Error('README: the curl recipe block is gone');
  return block[1]!;
}

describe.skipIf(!hasCurl)("the README's curl recipe", () => {
  it('signs alice in, exchanges the code, reads userinfo and the journal', async () => {
    // As a user pastes it: no -e (the first curl exits 7 once it reaches redirect_uri, as the comment says).
    const script = await recipe();
    expect(script).toContain('IDP=http://127.0.0.1:4000\n');
    const idp = await startMockIdp(await loadFixture('fixtures/default.yaml'), { port: 0 });
    try {
      const dir = await mkdtemp(path.join(tmpdir(), 'readme-curl-'));
      // Not execFileSync: the IdP answers from this process, whose event loop must keep running.
      const { stdout: out } = await promisify(execFile)(
        'bash',
        ['-c', script.replace('IDP=http://127.0.0.1:4000', `IDP=${idp.issuer}`)],
        { cwd: dir, encoding: 'utf8', timeout: 20_000 },
      );
      const [userinfo, journal] = out.trim().split('\n');
      expect(JSON.parse(userinfo!)).toMatchObject({ sub: 'alice', name: 'Alice Example' });
      const entries = JSON.parse(journal!) as { endpoint: string; response: { status: number } }[];
      expect(entries.map((entry) => `${entry.endpoint} ${entry.response.status}`)).toEqual(
        expect.arrayContaining(['token 200', 'userinfo 200']),
      );
      expect(journal).not.toContain('dev-secret-change-me');
    } finally {
      await idp.stop();
    }
  });
});
