import { execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { detectContainerRuntime } from '../../harness/targets/logto/containers.ts';
import { announcedStackId, stackLeftovers } from '../helpers/docker-leftovers.ts';

const execute = promisify(execFile);
const CLI = path.resolve('harness/cli.ts');

const runtime = await detectContainerRuntime();
if (!runtime.available) console.log(`skipped: connector-harness --target logto-container — ${runtime.reason}; it needs Docker or Podman`);

async function harness(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!runtime.available)('connector-harness run --target logto-container', () => {
  it('names the build command, exit 2, when an image is neither here nor pullable (no pull error, nothing started)', async () => {
    const { code, stdout, stderr } = await harness(['run', 'fixtures/scenarios/standard-post.yaml', '--target', 'logto-container'], { LOGTO_IMAGE: 'connector-harness/no-such-logto:0' });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain('LOGTO_IMAGE: image connector-harness/no-such-logto:0 is not on this machine and cannot be pulled');
    expect(stderr).toContain('bash containers/build-images.sh');
    expect(stderr).not.toMatch(/\n\s+at /);
    const stackId = announcedStackId(stderr);
    if (stackId) expect(await stackLeftovers(stackId)).toEqual([]);
  }, 120_000);
});
