import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { promisify } from 'node:util';

/**
 * Who started a stack, on its containers and network: Ryuk is off (it cannot be pulled without a
 * registry), so a stack whose process was killed (kill -9, a CI timeout, OOM) stays until someone
 * removes it, and these labels let a later run tell such an orphan from a stack still in use.
 */
export const OWNER_HOST_LABEL = 'connector-harness.owner.host';
export const OWNER_PID_LABEL = 'connector-harness.owner.pid';
/** Tells the owner from a later process given the same pid (see processMarker). */
export const OWNER_STARTED_LABEL = 'connector-harness.owner.started';
/** `true` on a stack started with --keep-stack: left on purpose, never swept. */
export const KEPT_LABEL = 'connector-harness.kept';

export interface StackOwner {
  host: string;
  pid: number;
  /** processMarker(pid) when the stack started. */
  started: string;
}

export function ownerLabels(owner: StackOwner, kept: boolean): Record<string, string> {
  return {
    [OWNER_HOST_LABEL]: owner.host,
    [OWNER_PID_LABEL]: String(owner.pid),
    [OWNER_STARTED_LABEL]: owner.started,
    [KEPT_LABEL]: String(kept),
  };
}

/** The owner a container's or network's labels name; undefined when they name none (a stack of an older version) or a malformed one. */
export function readOwner(labels: Record<string, string> | undefined): StackOwner | undefined {
  const host = labels?.[OWNER_HOST_LABEL];
  const pid = Number(labels?.[OWNER_PID_LABEL]);
  const started = labels?.[OWNER_STARTED_LABEL];
  if (!host || !started || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { host, pid, started };
}

export const isKept = (labels: Record<string, string> | undefined): boolean => labels?.[KEPT_LABEL] === 'true';

/** The start time of a process in clock ticks since boot: field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
export function procStartTicks(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 3 (state) is the first after the name: field 22 is the 20th.
  const ticks = fields[19];
  return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
}

/** A marker scheme this platform cannot produce: a process exists, nothing tells it from a later one. */
export const NO_MARKER = 'none';

const execute = promisify(execFile);
let bootId: Promise<string> | undefined;

/**
 * What tells a process from a later one given the same pid; undefined when no process has that pid.
 * Linux: `linux:<boot id>:<start ticks>` (a reboot changes the boot id); elsewhere `ps:<start time>`
 * from `ps -o lstart=`; without either, NO_MARKER while the pid exists.
 */
export async function processMarker(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') {
    bootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((text) => text.trim());
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' || error.code === 'ESRCH' ? null : Promise.reject(error),
    );
    if (stat === null) return undefined;
    const ticks = procStartTicks(stat);
    if (ticks) return `linux:${await bootId}:${ticks}`;
  }
  if (process.platform !== 'win32') {
    const lstart = await execute('ps', ['-o', 'lstart=', '-p', String(pid)]).then(
      ({ stdout }) => stdout.trim(),
      (error: { code?: number | string }) => (error.code === 1 ? '' : undefined),
    );
    if (lstart === '') return undefined;
    if (lstart) return `ps:${lstart}`;
  }
  try {
    process.kill(pid, 0);
    return NO_MARKER;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? NO_MARKER : undefined;
  }
}

let self: Promise<StackOwner> | undefined;

/** This process as a stack owner. */
export function thisProcess(): Promise<StackOwner> {
  self ??= processMarker(process.pid).then((started) => ({
    host: hostname(),
    pid: process.pid,
    started: started ?? NO_MARKER,
  }));
  return self;
}

/**
 * Whether the process running under the owner's pid now (its marker; undefined: none) is the
 * owner. A marker that cannot be compared (another scheme, NO_MARKER) counts as the owner: a stack
 * is never removed on a guess.
 */
export function isSameProcess(labelled: string, now: string | undefined): boolean {
  if (now === undefined) return false;
  const scheme = (marker: string) => (marker === NO_MARKER ? NO_MARKER : marker.split(':')[0]);
  if (scheme(labelled) === NO_MARKER || scheme(now) === NO_MARKER || scheme(labelled) !== scheme(now)) return true;
  return labelled === now;
}

/**
 * running: its owner still runs on this host (it removes the stack itself) · kept: --keep-stack ·
 * unknown-owner: no owner labels (an older version) · other-host: started from another machine
 * sharing this engine · orphaned: its owner on this host is gone; the only state swept.
 */
export type StackState = 'running' | 'kept' | 'unknown-owner' | 'other-host' | 'orphaned';

/**
 * A stack's state from its labels, this host's name and the marker of the process now holding the
 * owner's pid (undefined: no such process; only looked up for an owner on this host).
 */
export function stackState(
  stack: { kept: boolean; owner?: StackOwner },
  host: string,
  ownerMarkerNow: string | undefined,
): StackState {
  const { owner } = stack;
  if (owner && owner.host === host && isSameProcess(owner.started, ownerMarkerNow)) return 'running';
  if (stack.kept) return 'kept';
  if (!owner) return 'unknown-owner';
  if (owner.host !== host) return 'other-host';
  return 'orphaned';
}
