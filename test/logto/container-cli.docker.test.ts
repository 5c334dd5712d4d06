import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listStacks } from '../../harness/targets/logto-container/stack-sweep.ts';
import { detectContainerRuntime } from '../../harness/targets/logto-container/stack.ts';
import { announcedStackId, stackLeftovers } from '../helpers/docker-leftovers.ts';

const execute = promisify(execFile);
const CLI = path.resolve('bin/connector-harness.js');
const CLI_SCENARIOS = [
  'standard-post.yaml',
  'oidc-standard.yaml',
  'known-bad/wrong-auth-method.yaml',
  'linking/unlink.yaml',
];

const runtime = await detectContainerRuntime();
if (!runtime.available)
  console.log(`skipped: connector-harness --target logto-container — ${runtime.reason}; it needs Docker or Podman`);

async function harness(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!runtime.available)('connector-harness run --target logto-container', () => {
  it('names the build command, exit 2, when an image is neither here nor pullable (no pull error, nothing started)', async () => {
    const { code, stdout, stderr } = await harness(
      ['run', 'fixtures/scenarios/standard-post.yaml', '--target', 'logto-container'],
      { LOGTO_IMAGE: 'connector-harness/no-such-logto:0' },
    );
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(
      'LOGTO_IMAGE: image connector-harness/no-such-logto:0 is not on this machine and cannot be pulled',
    );
    expect(stderr).toContain('bash containers/build-images.sh');
    expect(stderr).not.toMatch(/\n\s+at /);
    const stackId = announcedStackId(stderr);
    if (stackId) expect(await stackLeftovers(stackId)).toEqual([]);
  }, 120_000);

  // The CLI's path through a stack: progress, the report, the exit code, nothing left behind. Every shipped
  // scenario's verdict through Logto is containers.docker.test.ts's job, on a stack of its own: a sign-in of
  // each connector kind, a known-bad config caught and a link are enough here.
  it('exits 0 on a sign-in, an OIDC sign-in, a known-bad config and a link, with the usual report, and leaves no container or network behind', async () => {
    const started = performance.now();
    const { code, stdout, stderr } = await harness([
      'run',
      ...CLI_SCENARIOS.map((file) => `fixtures/scenarios/${file}`),
      '--target',
      'logto-container',
      '-p',
      '4',
    ]);
    console.log(
      `--target logto-container on ${CLI_SCENARIOS.length} scenarios: ${Math.round(performance.now() - started)} ms`,
    );
    expect(code, stderr.slice(-3000)).toBe(0);
    expect(stdout).toContain(`${CLI_SCENARIOS.length} passed, 0 failed (1 known-bad configs caught as expected)`);
    // Progress while the stack starts, on stderr.
    expect(stderr).toMatch(/starting .*postgres/i);
    expect(stderr).toMatch(/Logto ready at http:\/\/localhost:\d+ in/);
    const stackId = announcedStackId(stderr);
    expect(stackId).toBeDefined();
    expect(await stackLeftovers(stackId!)).toEqual([]);
  }, 600_000);

  it('--keep-stack leaves Logto up with its URL printed and the credentials in a mode-600 env file, the secret never printed', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'harness-stack-'));
    const { code, stdout, stderr } = await harness([
      'run',
      'fixtures/scenarios/standard-post.yaml',
      '--target',
      'logto-container',
      '--keep-stack',
      '-o',
      outDir,
    ]);
    const stackId = announcedStackId(stderr)!;
    try {
      expect(code, stderr.slice(-3000)).toBe(0);
      const file = /credentials\s+(\S+\.env) \(mode 600\)/.exec(stderr)?.[1];
      expect(file).toBe(path.join(outDir, `logto-stack-${stackId}.env`));
      expect((await stat(file!)).mode & 0o777).toBe(0o600);
      const env = Object.fromEntries(
        (await readFile(file!, 'utf8'))
          .trim()
          .split('\n')
          .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
      );
      expect(Object.keys(env)).toEqual([
        'LOGTO_ENDPOINT',
        'LOGTO_M2M_APP_ID',
        'LOGTO_M2M_APP_SECRET',
        'LOGTO_RESOURCE',
      ]);
      expect(stderr).toContain(`Logto          ${env.LOGTO_ENDPOINT}`);
      expect(`${stdout}${stderr}`).not.toContain(env.LOGTO_M2M_APP_SECRET);
      // Still up, and the credentials work: a Management API token for them.
      expect((await fetch(`${env.LOGTO_ENDPOINT}/api/status`)).status).toBe(204);
      const token = await fetch(`${env.LOGTO_ENDPOINT}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${env.LOGTO_M2M_APP_ID}:${env.LOGTO_M2M_APP_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: env.LOGTO_RESOURCE!, scope: 'all' }),
      });
      expect(token.status).toBe(200);
      // Labelled kept, owned by the run that has ended: `connector-harness stacks` shows it, no sweep removes it.
      expect((await listStacks()).find((stack) => stack.stackId === stackId)).toMatchObject({
        state: 'kept',
        owner: { host: hostname() },
        containers: [`connector-harness-${stackId}-logto`, `connector-harness-${stackId}-postgres`],
        network: `connector-harness-${stackId}`,
        logto: env.LOGTO_ENDPOINT,
      });
      expect(stderr).toContain(`connector-harness stacks --remove ${stackId}`);
      // The printed removal command works as printed.
      const remove = /remove it\s+(.+)/.exec(stderr)?.[1];
      expect(remove).toContain(stackId);
      await execute('sh', ['-c', remove!]);
      expect(await stackLeftovers(stackId)).toEqual([]);
    } finally {
      if (stackId)
        await execute('sh', [
          '-c',
          `docker rm -f $(docker ps -aq --filter label=connector-harness.stack=${stackId}) 2>/dev/null;` +
            ` docker network rm connector-harness-${stackId} 2>/dev/null; true`,
        ]);
    }
  }, 600_000);

  it('removes the stack and exits 130 on Ctrl-C while Logto starts', async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'fixtures/scenarios', '--target', 'logto-container'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // PostgreSQL's and Logto's containers are being started side by side: the network (and perhaps they) exist.
      if (!interrupted && /starting \S*postgres\S* \(on \S+\) and \S*logto\S*/.test(stderr)) {
        interrupted = true;
        setTimeout(() => child.kill('SIGINT'), 1500);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(interrupted, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    // A progress line of the start may come between the two on a busy machine (the removal took over 10 s).
    expect(stderr).toMatch(/SIGINT: removing the stack's containers and network\n(?:.*\n)*?removed .*postgres/);
    expect(await stackLeftovers(announcedStackId(stderr)!)).toEqual([]);
  }, 300_000);
});
