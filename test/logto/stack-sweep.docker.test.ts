// Orphaned stacks on a real engine: stacks owned by processes killed with SIGKILL (which could not
// clean up), by this test process, kept by --keep-stack, and of "another host"; only the orphans go.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  removeStack,
  stackLabels,
  stackName,
  withoutRyuk,
} from '../../harness/targets/logto-container/stack-cleanup.ts';
import { listStacks, type FoundStack } from '../../harness/targets/logto-container/stack-sweep.ts';
import { detectContainerRuntime, newStackId, startLogtoStack } from '../../harness/targets/logto-container/stack.ts';
import { stackLeftovers } from '../helpers/docker-leftovers.ts';
import { idleImage, startIdleStack } from '../helpers/idle-stack.ts';
import { HARNESS_CLI, runCli, STACK_LINE } from '../helpers/spawn-cli.ts';

withoutRyuk();
const runtime = await detectContainerRuntime();
if (!runtime.available) console.log(`skipped: orphaned stack sweep — ${runtime.reason}; it needs Docker or Podman`);

const CHILD = path.resolve('test/helpers/idle-stack-child.ts');

/** Waits until `child` has printed `ready` (or fails with its stderr), then kills it with SIGKILL: no handler of its runs. */
async function killWhenReady(child: ReturnType<typeof spawn>, ready: RegExp, timeoutMs = 120_000): Promise<number> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms:\n${stderr.slice(-2000)}`)), timeoutMs);
    const check = () => {
      if (ready.test(stdout) || ready.test(stderr)) resolve();
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then(() => reject(new Error(`exited before it was ready:\n${stderr.slice(-2000)}`)));
  }).finally(() => {
    clearTimeout(timer);
    child.stdout!.removeAllListeners('data');
  });
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

const idleStackOfKilledChild = (stackId: string, image: string, kept: boolean) =>
  killWhenReady(
    spawn(process.execPath, [CHILD, stackId, image, kept ? 'kept' : 'not-kept'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    /^ready$/m,
  );

const idle = (stackId: string) => [`${stackName(stackId)}-idle`, `network ${stackName(stackId)}`];
const find = async (stackId: string): Promise<FoundStack | undefined> =>
  (await listStacks()).find((stack) => stack.stackId === stackId);

describe.skipIf(!runtime.available)('orphaned stacks are swept, and only they', () => {
  const ids = {
    orphan: newStackId(),
    kept: newStackId(),
    live: newStackId(),
    elsewhere: newStackId(),
    killedRun: undefined as string | undefined,
  };
  let orphanPid: number;

  beforeAll(async () => {
    const image = await idleImage();
    [orphanPid] = await Promise.all([
      idleStackOfKilledChild(ids.orphan, image, false),
      idleStackOfKilledChild(ids.kept, image, true),
      startIdleStack(ids.live, image, await stackLabels(ids.live)),
    ]);
    // Owned by the very process that owned the orphan, but on another host: its pid means nothing here.
    const { owner } = (await find(ids.orphan))!;
    await startIdleStack(
      ids.elsewhere,
      image,
      await stackLabels(ids.elsewhere, { owner: { ...owner!, host: `not-${hostname()}` } }),
    );
  }, 240_000);

  afterAll(async () => {
    const all = [ids.orphan, ids.kept, ids.live, ids.elsewhere, ...(ids.killedRun ? [ids.killedRun] : [])];
    for (const stackId of all) await removeStack(stackId, { sessionForwarder: false });
    // `docker ps -a` and `docker network ls` hold nothing of this test.
    for (const stackId of all) expect(await stackLeftovers(stackId), stackId).toEqual([]);
  }, 120_000);

  it('labels say who owns each stack: the killed child (gone), this process (running), --keep-stack, another host', async () => {
    const orphan = await find(ids.orphan);
    expect(orphan).toMatchObject({
      state: 'orphaned',
      kept: false,
      owner: { host: hostname(), pid: orphanPid },
      network: stackName(ids.orphan),
      containers: [`${stackName(ids.orphan)}-idle`],
    });
    expect(await find(ids.kept)).toMatchObject({ state: 'kept', kept: true, owner: { host: hostname() } });
    expect((await find(ids.kept))!.owner!.pid).not.toBe(orphanPid);
    expect(await find(ids.live)).toMatchObject({
      state: 'running',
      kept: false,
      owner: { host: hostname(), pid: process.pid },
    });
    expect(await find(ids.elsewhere)).toMatchObject({ state: 'other-host', owner: { pid: orphanPid } });
  }, 30_000);

  it('a stack start removes the orphan first, one line for it, and touches none of the others', async () => {
    const lines: string[] = [];
    // An image that is nowhere ends the start right after the sweep: nothing of it starts.
    await expect(
      startLogtoStack({ logtoImage: 'connector-harness/no-such-logto:0', log: (line) => lines.push(line) }),
    ).rejects.toThrow(/LOGTO_IMAGE: image connector-harness\/no-such-logto:0/);
    const about = (stackId: string) => lines.filter((line) => line.includes(stackId));
    expect(about(ids.orphan)).toEqual([
      `removed orphaned stack ${stackName(ids.orphan)} (pid ${orphanPid} on ${hostname()}, which is gone):` +
        ` ${stackName(ids.orphan)}-idle, network ${stackName(ids.orphan)}`,
    ]);
    for (const stackId of [ids.kept, ids.live, ids.elsewhere]) expect(about(stackId), stackId).toEqual([]);
    expect(await stackLeftovers(ids.orphan)).toEqual([]);
    for (const stackId of [ids.kept, ids.live, ids.elsewhere])
      expect(await stackLeftovers(stackId), stackId).toEqual(idle(stackId));
  }, 120_000);

  it('`connector-harness stacks` lists each with its state and owner', async () => {
    const { code, stdout, stderr } = await runCli(HARNESS_CLI, ['stacks']);
    expect(code, stderr).toBe(0);
    const row = (stackId: string) =>
      stdout
        .split('\n')
        .find((line) => line.startsWith(`${stackId}  `))
        ?.split(/ {2,}/);
    expect(row(ids.live)?.slice(1, 3)).toEqual(['running', `pid ${process.pid} on ${hostname()}`]);
    expect(row(ids.kept)?.[1]).toBe('kept');
    expect(row(ids.elsewhere)?.slice(1, 3)).toEqual(['other host', `pid ${orphanPid} on not-${hostname()}`]);
    expect(row(ids.live)?.[4]).toBe('1 container + network');
    expect(row(ids.orphan)).toBeUndefined();
    expect(stdout).toContain('connector-harness stacks --remove <id>');
  }, 30_000);

  it('--remove refuses a stack whose run is still going (exit 2, what to do), and says so for an unknown id', async () => {
    const live = await runCli(HARNESS_CLI, ['stacks', '--remove', ids.live]);
    expect(live.code).toBe(2);
    expect(live.stderr).toContain(
      `--remove: stack ${ids.live} belongs to a run that is still going (pid ${process.pid} on ${hostname()})`,
    );
    expect(live.stderr).toContain(`hint: end that run (Ctrl-C, or kill ${process.pid})`);
    expect(live.stderr).not.toMatch(STACK_LINE);
    expect(await stackLeftovers(ids.live)).toEqual(idle(ids.live));
    const unknown = await runCli(HARNESS_CLI, ['stacks', '--remove', 'feedf00d']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^--remove: no stack feedf00d on this Docker engine\n {2}hint: the stacks there are: .*/,
    );
    expect(unknown.stderr).toContain(ids.kept);
  }, 60_000);

  it('--remove removes a kept stack (named as docker names it too)', async () => {
    const { code, stdout, stderr } = await runCli(HARNESS_CLI, ['stacks', '--remove', stackName(ids.kept)]);
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe(
      `removed stack ${stackName(ids.kept)} (kept): ${stackName(ids.kept)}-idle, network ${stackName(ids.kept)}`,
    );
    expect(await stackLeftovers(ids.kept)).toEqual([]);
  }, 60_000);

  it('--remove-orphans removes what a real `run --target logto-container` killed with SIGKILL left, and only that', async () => {
    const run = spawn(
      process.execPath,
      [HARNESS_CLI, 'run', 'fixtures/scenarios/standard-post.yaml', '--target', 'logto-container'],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let announced = '';
    run.stderr.on('data', (chunk: Buffer) => (announced += chunk.toString()));
    const pid = await killWhenReady(run, /PostgreSQL ready/);
    ids.killedRun = /starting stack connector-harness-([0-9a-f]+)/.exec(announced)?.[1];
    expect(ids.killedRun).toBeDefined();
    // A container the run had asked for just before it died is made all the same: let it appear.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await find(ids.killedRun!)).toMatchObject({ state: 'orphaned', owner: { host: hostname(), pid } });
    const { code, stdout, stderr } = await runCli(HARNESS_CLI, ['stacks', '--remove-orphans']);
    expect(code, stderr).toBe(0);
    const line = stdout.split('\n').find((candidate) => candidate.includes(ids.killedRun!));
    expect(line).toMatch(
      new RegExp(
        `^removed orphaned stack ${stackName(ids.killedRun!)} \\(pid ${pid} on .+, which is gone\\):` +
          ` .*${stackName(ids.killedRun!)}-postgres.*, network ${stackName(ids.killedRun!)}$`,
      ),
    );
    expect(await stackLeftovers(ids.killedRun!)).toEqual([]);
    for (const stackId of [ids.live, ids.elsewhere])
      expect(await stackLeftovers(stackId), stackId).toEqual(idle(stackId));
    // Nothing orphaned is left: a second sweep says so.
    const again = await runCli(HARNESS_CLI, ['stacks', '--remove-orphans']);
    expect(again.stdout).not.toContain(ids.killedRun!);
  }, 300_000);
});
