import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const execute = promisify(execFile);
const VITEST = path.resolve('node_modules/vitest/vitest.mjs');
const REPORTER = path.resolve('test/closing-line-reporter.ts');

/** Runs vitest on throwaway test files in a folder of their own, with only the closing-line reporter. */
async function vitestIn(files: Record<string, string>): Promise<{ code: number; closing: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'closing-line-'));
  await writeFile(
    path.join(dir, 'vitest.config.ts'),
    `export default { test: { include: ['*.test.ts'], reporters: [${JSON.stringify(REPORTER)}] } };\n`,
  );
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await execute(process.execPath, [VITEST, 'run', '--root', dir], { cwd: dir, timeout: 60_000 }));
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    code = failed.code;
    stdout = failed.stdout;
  }
  const closing = stdout.trim().split('\n').at(-1) ?? '';
  return { code, closing };
}

describe('closing line of npm test', () => {
  it("counts a suite that fails in a hook as failed, as vitest's exit code does", async () => {
    const run = await vitestIn({
      'top-hook.test.ts': `import { beforeAll, it } from 'vitest';\nbeforeAll(() => { throw new Error('setup broke'); });\nit('never runs', () => {});\n`,
      'suite-hook.test.ts':
        `import { afterAll, describe, it } from 'vitest';` +
        `\ndescribe('suite', () => { afterAll(() => { throw new Error('teardown broke'); });` +
        ` it('passes', () => {}); });\n`,
      'fine.test.ts': `import { it } from 'vitest';\nit('passes', () => {});\n`,
      'broken-import.test.ts': `import './no-such-module.ts';\n`,
    });
    expect(run.code).toBe(1);
    expect(run.closing).toMatch(/^\d+ passed, \d+ failed, \d+ skipped$/);
    expect(Number(/(\d+) failed/.exec(run.closing)?.[1])).toBe(3);
  }, 90_000);

  it('says 0 failed on a green run', async () => {
    const run = await vitestIn({ 'fine.test.ts': `import { it } from 'vitest';\nit('passes', () => {});\n` });
    expect(run.code).toBe(0);
    expect(run.closing).toBe('1 passed, 0 failed, 0 skipped');
  }, 90_000);
});
