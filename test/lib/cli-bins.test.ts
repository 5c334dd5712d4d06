import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from '../helpers/spawn-cli.ts';

// The bins as a user starts them (bin/*.js, through the start caches), not the .ts entry points.
const BINS = ['connector-harness', 'mock-idp'] as const;
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
// Commands that print more than a pipe holds: the reader is gone before the last of it.
const LONG_OUTPUT: Record<(typeof BINS)[number], string[]> = {
  'connector-harness': ['run', 'fixtures/scenarios/providers', '--verbose'],
  'mock-idp': [
    'validate',
    ...readdirSync('fixtures/idp')
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => `fixtures/idp/${name}`),
  ],
};

const bin = (name: string) => path.join('bin', `${name}.js`);

describe.each(BINS)('bin/%s.js', (name) => {
  it('--version prints the package version', async () => {
    const run = await runCli(bin(name), ['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('a Node that cannot run TypeScript gets one clear line and exit 2, no loader stack trace', async () => {
    // Node 22 with stripping off stands in for Debian's Node 20: neither runs the .ts sources.
    const run = await runCli(bin(name), ['--help'], { nodeArgs: ['--no-experimental-strip-types'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${name} needs Node 22.18 or newer with type stripping`);
    expect(run.stderr).toContain(`npx ${name} --help`);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stdout).toBe('');
  });

  it('output piped into a reader that stops early (`| head`) ends without a crash', async () => {
    // The reader goes away after the first chunk, as `| head -c 1` does.
    // The output must be well over a pipe's 64 KiB to test anything: 5–6 s here, 17–27 s on a machine at load 12.
    const run = await runCli(bin(name), LONG_OUTPUT[name], {
      onStdout: (_text, child) => child.stdout?.destroy(),
      timeoutMs: 80_000,
    });
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.code).toBe(0);
  }, 90_000);
});

describe("connector-harness's start loads what its command needs", () => {
  // Every resolved module URL, printed at exit: a hook registered before the bin's own.
  const LIST_LOADS =
    'data:text/javascript,' +
    encodeURIComponent(
      `import { registerHooks } from 'node:module';
const urls = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); urls.push(r.url); return r; } });
process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(urls) + '\\n'));`,
    );
  const loaded = (run: { stderr: string }) => JSON.parse(/^LOADED (.*)$/m.exec(run.stderr)?.[1] ?? '[]') as string[];

  it.each([
    ['--version', ['--version'], 0],
    ['a bad flag', ['run', 'fixtures/scenarios/github-like.yaml', '--parallel', 'many'], 2],
  ] as const)(
    '%s: no scenario schema, runner, connector, IdP or report writer (each spawn paid for them)',
    async (_name, args, code) => {
      const run = await runCli(bin('connector-harness'), [...args], { nodeArgs: ['--import', LIST_LOADS] });
      expect(run.code, run.stderr).toBe(code);
      const urls = loaded(run);
      expect(urls.some((url) => url.endsWith('/harness/cli.ts'))).toBe(true);
      const heavy =
        /\/node_modules\/(zod|yaml|jose|oidc-provider|@logto)\/|\/harness\/(scenario|report|flow|targets\/in-process)\//;
      expect(urls.filter((url) => heavy.test(url))).toEqual([]);
    },
  );
});
