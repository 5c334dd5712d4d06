import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { UserError } from '../../lib/user-error.ts';

// A shipped scenario names its fixture relative to itself (idp/github-like.yaml). Linked into a
// suite of one's own, it used to look for the fixture next to the link, where there is none.
const SHIPPED = path.resolve('fixtures/scenarios/github-like.yaml');
const SHIPPED_FIXTURE = path.resolve('fixtures/scenarios/idp/github-like.yaml');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'harness-scenario-links-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a symlinked scenario resolves its relative fixture from where the link points', () => {
  it('a link to a shipped scenario, given as a file and found in a folder, loads the shipped fixture', async () => {
    const suite = path.join(dir, 'suite');
    await mkdir(suite);
    const link = path.join(suite, 'github.yaml');
    await symlink(SHIPPED, link);
    for (const input of [link, suite]) {
      const [scenario] = await loadScenarios([input]);
      expect(scenario!.file).toBe(link);
      expect(scenario!.idp).toMatchObject({ kind: 'fixture', source: path.relative(process.cwd(), SHIPPED_FIXTURE) });
    }
  });

  it('a fixture next to the link but not next to the target is not the one used: a missing one names the real folder', async () => {
    const suite = path.join(dir, 'decoy');
    await mkdir(path.join(suite, 'real'), { recursive: true });
    await writeFile(
      path.join(suite, 'real', 'scenario.yaml'),
      (await readFile(SHIPPED, 'utf8')).replace('idp/github-like.yaml', 'idp/absent.yaml'),
    );
    await symlink(path.join(suite, 'real', 'scenario.yaml'), path.join(suite, 'link.yaml'));
    // Next to the link, not next to the target.
    await mkdir(path.join(suite, 'idp'));
    await writeFile(path.join(suite, 'idp', 'absent.yaml'), 'not: used\n');
    const error = await loadScenarios([path.join(suite, 'link.yaml')]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    const [problem] = (error as UserError).problems;
    expect(problem).toMatchObject({ file: path.join(suite, 'link.yaml'), field: 'idp.fixture' });
    expect(problem!.message).toContain(path.join(suite, 'real', 'idp', 'absent.yaml'));
    expect(problem!.hint).toContain(path.join(suite, 'real'));
  });
});
