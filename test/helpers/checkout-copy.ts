import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');

/** What a checkout has that is not the repository's: installs, build output, reports. */
const NOT_TRACKED = new Set(['node_modules', '.git', 'dist', 'reports', '.connector-versions', '.npm-ca.pem']);

/**
 * This checkout's files in `target` (a fresh folder), as a clone of the repository would have them, so a build or
 * an install there leaves the checkout itself alone. `withDependencies` links its node_modules in.
 */
export function copyCheckout(target: string, { withDependencies = false } = {}): string {
  mkdirSync(target, { recursive: true });
  cpSync(REPO, target, {
    recursive: true,
    filter: (source) => !NOT_TRACKED.has(path.relative(REPO, source).split(path.sep)[0]!),
  });
  if (withDependencies) symlinkSync(realpathSync(path.join(REPO, 'node_modules')), path.join(target, 'node_modules'));
  return target;
}

/** The Node the project pins (the `node` devDependency), which npm scripts and the tests run on. */
export const PINNED_NODE = realpathSync(path.join(REPO, 'node_modules/.bin/node'));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`), its output kept. */
export function finish(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
