import { spawn } from 'node:child_process';
import path from 'node:path';

export interface CliRun {
  /** null when the child was killed (by the timeout or a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

// The bins, as a user starts them (their start keeps compiled and type-stripped code for the next start).
export const HARNESS_CLI = path.resolve('bin/connector-harness.js');
export const MOCK_IDP_CLI = path.resolve('bin/mock-idp.js');

/** A stack trace line: what a user mistake must never print. */
export const STACK_LINE = /^\s+at /m;

/**
 * Runs a CLI as a user would, killed after `timeoutMs` so a hang fails the test instead of
 * stalling it. `onStderr` / `onStdout` get the text so far and the child (to send it signals or
 * close its stdout); `nodeArgs` go before the CLI (node's own flags).
 */
export function runCli(
  cli: string,
  args: string[],
  options: {
    timeoutMs?: number;
    cwd?: string;
    nodeArgs?: string[];
    onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
    onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
    /** The child as soon as it exists (to signal it when something outside it happens). */
    onSpawn?: (child: ReturnType<typeof spawn>) => void;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cli, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 25_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
