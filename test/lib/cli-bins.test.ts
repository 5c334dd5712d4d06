import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STACK_LINE } from '../helpers/spawn-cli.ts';

// The bins as a user starts them (bin/*.js, through the start caches), not the .ts entry points.
const BINS = ['connector-harness', 'mock-idp'] as const;
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
// Commands that print more than a pipe holds: the reader is gone before the last of it.
const LONG_OUTPUT: Record<(typeof BINS)[number], string[]> = {
  'connector-harness': ['run', 'fixtures/scenarios/providers', '--verbose'],
  'mock-idp': ['validate', ...readdirSync('fixtures/idp').filter((name) => name.endsWith('.yaml')).map((name) => `fixtures/idp/${name}`)],
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bin; `closeStdoutAfter` bytes: the reader goes away then, as `| head -c N` does. */
function runBin(bin: string, args: string[], options: { nodeArgs?: string[]; closeStdoutAfter?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join('bin', `${bin}.js`), ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.closeStdoutAfter !== undefined && stdout.length >= options.closeStdoutAfter) child.stdout.destroy();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.each(BINS)('bin/%s.js', (bin) => {
  it('--version prints the package version', async () => {
    const run = await runBin(bin, ['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('a Node that cannot run TypeScript gets one clear line and exit 2, no loader stack trace', async () => {
    // Node 22 with stripping off stands in for Debian's Node 20: neither runs the .ts sources.
    const run = await runBin(bin, ['--help'], { nodeArgs: ['--no-experimental-strip-types'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bin} needs Node 22.18 or newer with type stripping`);
    expect(run.stderr).toContain(`npx ${bin} --help`);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stdout).toBe('');
  });

  it('output piped into a reader that stops early (`| head`) ends without a crash', async () => {
    const run = await runBin(bin, LONG_OUTPUT[bin], { closeStdoutAfter: 1 });
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.code).toBe(0);
  });
});
