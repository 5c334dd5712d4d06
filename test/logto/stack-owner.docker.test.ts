// The pure parts of telling an orphaned stack from one in use: labels, /proc parsing, the decision. No Docker.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HARNESS_CLI, runCli, STACK_LINE } from '../helpers/spawn-cli.ts';
import { renderStacks } from '../../harness/targets/logto-container/stacks-command.ts';
import { STACK_LABEL, stackLabels } from '../../harness/targets/logto-container/stack-cleanup.ts';
import {
  isKept,
  isSameProcess,
  KEPT_LABEL,
  NO_MARKER,
  OWNER_PID_LABEL,
  ownerLabels,
  processMarker,
  procStartTicks,
  readOwner,
  stackState,
  thisProcess,
  type StackOwner,
} from '../../harness/targets/logto-container/stack-owner.ts';

const owner: StackOwner = { host: 'ci-7', pid: 4242, started: 'linux:boot-a:1000' };

describe('stack owner labels', () => {
  it('read back the owner and the kept mark they were made from', () => {
    expect(readOwner(ownerLabels(owner, false))).toEqual(owner);
    expect(isKept(ownerLabels(owner, true))).toBe(true);
    expect(isKept(ownerLabels(owner, false))).toBe(false);
  });

  it('name no owner when a label is missing or the pid is not a pid (a stack of an older version, a hand-made label)', () => {
    expect(readOwner(undefined)).toBeUndefined();
    expect(readOwner({ [STACK_LABEL]: 'abc' })).toBeUndefined();
    for (const pid of ['', '0', '-3', '12.5', 'x1'])
      expect(readOwner({ ...ownerLabels(owner, false), [OWNER_PID_LABEL]: pid }), pid).toBeUndefined();
    expect(isKept({ [KEPT_LABEL]: 'yes' })).toBe(false);
  });

  it('stackLabels: the stack id, this process as owner (its own marker), kept only when asked', async () => {
    const labels = await stackLabels('f00d', { kept: true });
    expect(labels[STACK_LABEL]).toBe('f00d');
    expect(readOwner(labels)).toEqual({
      host: hostname(),
      pid: process.pid,
      started: await processMarker(process.pid),
    });
    expect(isKept(labels)).toBe(true);
    expect(isKept(await stackLabels('f00d'))).toBe(false);
    expect(readOwner(await stackLabels('f00d', { owner }))).toEqual(owner);
  });
});

describe('procStartTicks', () => {
  it('takes field 22 of /proc/<pid>/stat, also when the command name holds spaces and parentheses', () => {
    const rest = 'S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 19 20';
    expect(procStartTicks(`123 (node) ${rest}`)).toBe('987654');
    expect(procStartTicks(`123 (a b) (c)) ${rest}`)).toBe('987654');
    expect(procStartTicks('123 (node) S 1 2')).toBeUndefined();
  });
});

describe('processMarker', () => {
  it('is stable for a running process, differs between processes, and is undefined once the process is gone', async () => {
    const mine = await processMarker(process.pid);
    expect(mine).toBeDefined();
    expect(await processMarker(process.pid)).toBe(mine);
    expect((await thisProcess()).started).toBe(mine);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    const theirs = await processMarker(child.pid!);
    expect(theirs).toBeDefined();
    if (process.platform === 'linux') expect(theirs).not.toBe(mine);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await processMarker(child.pid!)).toBeUndefined();
  });
});

describe('isSameProcess', () => {
  it('is the owner only with the same marker; no process is never the owner; an uncomparable marker counts as the owner', () => {
    expect(isSameProcess('linux:boot-a:1000', 'linux:boot-a:1000')).toBe(true);
    expect(isSameProcess('linux:boot-a:1000', 'linux:boot-a:2000')).toBe(false); // the pid was given to a later process
    expect(isSameProcess('linux:boot-a:1000', 'linux:boot-b:1000')).toBe(false); // rebooted since
    expect(isSameProcess('linux:boot-a:1000', undefined)).toBe(false);
    expect(isSameProcess(NO_MARKER, undefined)).toBe(false);
    expect(isSameProcess(NO_MARKER, NO_MARKER)).toBe(true);
    expect(isSameProcess('ps:Mon Nov 24 10:00:00 2026', 'linux:boot-a:1000')).toBe(true);
  });
});

describe('stackState: only a stack whose owner on this host is gone, and not kept, is orphaned', () => {
  const cases: Array<[string, { kept: boolean; owner?: StackOwner }, string, string | undefined, string]> = [
    ['owner runs here', { kept: false, owner }, 'ci-7', owner.started, 'running'],
    ['owner gone', { kept: false, owner }, 'ci-7', undefined, 'orphaned'],
    ['pid recycled', { kept: false, owner }, 'ci-7', 'linux:boot-a:5555', 'orphaned'],
    ['kept, owner gone', { kept: true, owner }, 'ci-7', undefined, 'kept'],
    ['kept, its run still going', { kept: true, owner }, 'ci-7', owner.started, 'running'],
    ['another host (its pid means nothing here)', { kept: false, owner }, 'laptop', undefined, 'other-host'],
    ['no owner labels', { kept: false }, 'ci-7', undefined, 'unknown-owner'],
  ];
  for (const [name, stack, host, markerNow, state] of cases) {
    it(name, () => expect(stackState(stack, host, markerNow)).toBe(state));
  }
});

describe('renderStacks', () => {
  it("one aligned row a stack, with what it holds and Logto's URL", () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    const text = renderStacks(
      [
        {
          stackId: 'aaaa1111',
          state: 'kept',
          kept: true,
          owner,
          containers: ['x-logto', 'x-postgres'],
          network: 'connector-harness-aaaa1111',
          created: new Date(now - 3 * 3600_000),
          logto: 'http://localhost:40001',
        },
        {
          stackId: 'bbbb2222',
          state: 'unknown-owner',
          kept: false,
          containers: [],
          network: 'connector-harness-bbbb2222',
          created: new Date(now - 5 * 60_000),
        },
      ],
      now,
    );
    expect(text.split('\n')).toEqual([
      'STACK     STATE          OWNER             CREATED    HOLDS                   LOGTO',
      'aaaa1111  kept           pid 4242 on ci-7  3 h ago    2 containers + network  http://localhost:40001',
      'bbbb2222  unknown owner  -                 5 min ago  network',
    ]);
  });
});

describe('connector-harness stacks, before any engine is asked', () => {
  it('--help teaches: the states, examples, exit status (exit 0)', async () => {
    const { code, stdout } = await runCli(HARNESS_CLI, ['stacks', '--help']);
    expect(code).toBe(0);
    for (const text of [
      '--remove <id>',
      '--remove-orphans',
      'orphaned',
      'kept',
      'other host',
      'Examples:',
      'Exit status: 0',
    ])
      expect(stdout).toContain(text);
  });

  it('--remove with --remove-orphans is a usage error, exit 2', async () => {
    const { code, stdout, stderr } = await runCli(HARNESS_CLI, ['stacks', '--remove', 'abc', '--remove-orphans']);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain("option '--remove <id>' cannot be used with option '--remove-orphans'");
    expect(stderr).not.toMatch(STACK_LINE);
  });
});
