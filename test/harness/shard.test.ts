// `run --shard i/n` and `merge-reports`: the shards of the shipped suite run every scenario once, and their JSON
// reports merge into what one unsharded run reports; every bad value or report is one located line and exit 2.
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeReports } from '../../harness/report/merge.ts';
import { readJsonReport } from '../../harness/report/read-json-report.ts';
import { filesOfShard, parseShard } from '../../harness/shard.ts';
import { formatProblem, isUserError, type UserError } from '../../lib/user-error.ts';
import { HARNESS_CLI, runCli, STACK_LINE, type CliRun } from '../helpers/spawn-cli.ts';

const harness = (...args: string[]): Promise<CliRun> => runCli(HARNESS_CLI, args, { timeoutMs: 90_000 });

interface Report {
  tool: string;
  version: string;
  target: string;
  shard?: { index: number; total: number };
  summary: Record<string, number>;
  results: Array<{
    name: string;
    file: string;
    line?: number;
    status: string;
    knownBad: boolean;
    target: string;
    checks: Array<{ id: string; status: string; evidence?: Record<string, unknown> }>;
  }>;
}
const readReport = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, 'connector-harness.json'), 'utf8')) as Report;

/** What a verdict is made of; timings, tokens and ports differ between any two runs. */
const verdicts = (report: Report) => ({
  target: report.target,
  summary: report.summary,
  results: report.results.map((result) => ({
    scenario: `${result.file}:${result.line ?? 1} ${result.name}`,
    target: result.target,
    knownBad: result.knownBad,
    status: result.status,
    checks: result.checks.map((check) => `${check.id} ${check.status}`),
  })),
});

describe('filesOfShard', () => {
  const files = Array.from(
    { length: 23 },
    (_, index) => `suite/${String.fromCharCode(97 + (index % 26))}${index}.yaml`,
  );

  it('puts every file in exactly one shard, the sizes within one, whatever the order the files came in', () => {
    for (const total of [1, 2, 3, 5, 22, 23, 30]) {
      const shuffled = [...files].sort(() => Math.random() - 0.5);
      const shards = Array.from({ length: total }, (_, at) => filesOfShard(shuffled, { index: at + 1, total }));
      expect(shards.flat().sort()).toEqual([...files].sort());
      const sizes = shards.map((shard) => shard.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (const [at, shard] of shards.entries())
        expect(filesOfShard([...files].reverse(), { index: at + 1, total })).toEqual(shard);
    }
  });

  it('counts a file named twice once, and sorts Windows and POSIX separators alike', () => {
    expect(filesOfShard(['b.yaml', 'a.yaml', 'b.yaml'], { index: 2, total: 2 })).toEqual(['b.yaml']);
    const posix = ['s/a-b/x.yaml', 's/a/y.yaml', 's/a.yaml'];
    const windows = posix.map((file) => file.replaceAll('/', '\\'));
    expect(filesOfShard(windows, { index: 1, total: 3 })).toEqual([
      filesOfShard(posix, { index: 1, total: 3 })[0]!.replaceAll('/', '\\'),
    ]);
  });

  it('parses i/n and refuses what is not a part of n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
    for (const value of ['0/2', '3/2', 'a/b', '1/0', '2', '1/2/3', '-1/2', '1.5/2'])
      expect(() => parseShard(value)).toThrow();
  });
});

describe('run --shard and merge-reports on the shipped suite', () => {
  let work: string;
  let whole: CliRun;
  let shards: CliRun[];
  let merged: CliRun;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'shard-'));
    const out = (name: string) => ['-r', 'json', '-o', path.join(work, name)];
    [whole, ...shards] = await Promise.all([
      harness('run', 'fixtures/scenarios', '-p', '4', ...out('whole')),
      harness('run', 'fixtures/scenarios', '--shard', '1/2', '-p', '2', ...out('shard-1')),
      harness('run', 'fixtures/scenarios', '--shard', '2/2', '-p', '2', ...out('shard-2')),
    ]);
    // Given in the wrong order on purpose: the shards' own indices order the merged run.
    merged = await harness(
      'merge-reports',
      path.join(work, 'shard-2', 'connector-harness.json'),
      path.join(work, 'shard-1', 'connector-harness.json'),
      ...['-r', 'json', '-r', 'junit', '-r', 'html', '-o', path.join(work, 'merged')],
    );
  }, 180_000);

  it('the two shards run every scenario exactly once between them, half the files each', async () => {
    for (const run of [whole, ...shards]) expect(run.code, run.stderr).toBe(0);
    const [one, two] = [await readReport(path.join(work, 'shard-1')), await readReport(path.join(work, 'shard-2'))];
    expect(one.shard).toEqual({ index: 1, total: 2 });
    expect(two.shard).toEqual({ index: 2, total: 2 });
    const key = (result: Report['results'][number]) => `${result.file}:${result.line ?? 1} ${result.name}`;
    const all = (await readReport(path.join(work, 'whole'))).results.map(key);
    expect([...one.results, ...two.results].map(key).sort()).toEqual([...all].sort());
    expect(new Set([...one.results, ...two.results].map(key)).size).toBe(all.length);
    const files = (report: Report) => new Set(report.results.map((result) => result.file));
    const [filesOne, filesTwo] = [files(one), files(two)];
    expect([...filesOne].filter((file) => filesTwo.has(file))).toEqual([]);
    expect(Math.abs(filesOne.size - filesTwo.size)).toBeLessThanOrEqual(1);
    expect(shards[0]!.stderr).toContain(
      `shard 1/2: ${filesOne.size} of ${filesOne.size + filesTwo.size} scenario files`,
    );
  });

  it('merge-reports of their JSON gives the verdicts, counts, order and exit code of the unsharded run', async () => {
    expect(merged.code, merged.stderr).toBe(whole.code);
    const mergedReport = await readReport(path.join(work, 'merged'));
    const wholeReport = await readReport(path.join(work, 'whole'));
    expect(verdicts(mergedReport)).toEqual(verdicts(wholeReport));
    expect(mergedReport.summary.total).toBeGreaterThan(50);
    expect(mergedReport.shard).toBeUndefined();
    // Nothing of a result is changed on the way: the shards' results, in shard order.
    const [one, two] = [await readReport(path.join(work, 'shard-1')), await readReport(path.join(work, 'shard-2'))];
    expect(mergedReport.results).toEqual([...one.results, ...two.results]);
    // The terminal summary is the unsharded run's: the same blocks and closing line, but for timings and tokens.
    const closing = (run: CliRun) => run.stdout.split('\n').find((line) => /^\d+ passed, \d+ failed/.test(line));
    expect(closing(merged)).toBe(closing(whole));
    const heads = (run: CliRun) =>
      run.stdout
        .split('\n')
        .filter((line) => /^✓|^✗/.test(line))
        .map((line) => line.replace(/, \d+ ms\)$/, ')'));
    expect(heads(merged)).toEqual(heads(whole));
    const junit = await readFile(path.join(work, 'merged', 'connector-harness.junit.xml'), 'utf8');
    expect(junit).toContain(`tests="${wholeReport.summary.total}" failures="0" errors="0"`);
    expect(junit.match(/<testcase /g)).toHaveLength(wholeReport.summary.total!);
    const html = await readFile(path.join(work, 'merged', 'connector-harness.html'), 'utf8');
    expect(html.match(/<section class="scenario"/g)).toHaveLength(wholeReport.summary.total!);
  });
});

describe('a failing scenario across shards, and a shard with no scenario', () => {
  it('exits 1 merged as unsharded; the empty shard says so, exits 0 and its report still counts', async () => {
    const suite = await mkdtemp(path.join(tmpdir(), 'shard-suite-'));
    for (const file of ['github-like.yaml', 'oidc-standard.yaml'])
      await symlink(path.resolve('fixtures/scenarios', file), path.join(suite, file));
    const source = await readFile('fixtures/scenarios/known-bad/json-body-query-string-default.yaml', 'utf8');
    await writeFile(
      path.join(suite, 'not-marked.yaml'),
      source
        .replace('knownBad: true\n', '')
        .replace(/expect:[\s\S]*$/, '')
        .replace('../idp/standard.yaml', path.resolve('fixtures/scenarios/idp/standard.yaml')),
    );
    // Outside the suite: a report there would be one more (bad) scenario file.
    const reportsDir = await mkdtemp(path.join(tmpdir(), 'shard-reports-'));
    const out = (name: string) => ['-r', 'json', '-o', path.join(reportsDir, name)];
    const whole = await harness('run', suite, ...out('whole'));
    expect(whole.code).toBe(1);
    // Three files over four jobs: the first shard gets none.
    const runs = await Promise.all(
      [1, 2, 3, 4].map((index) => harness('run', suite, '--shard', `${index}/4`, ...out(`shard-${index}`))),
    );
    expect(runs[0]!.code, runs[0]!.stderr).toBe(0);
    expect(runs[0]!.stdout).toContain('shard 1/4: 0 of 3 scenario files: no scenario to run in this shard');
    expect(runs.map((run) => run.code).sort()).toEqual([0, 0, 0, 1]);
    const reports = [1, 2, 3, 4].map((index) => path.join(reportsDir, `shard-${index}`, 'connector-harness.json'));
    const merged = await harness('merge-reports', ...reports, ...out('merged'));
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('2 passed, 1 failed');
    expect(merged.stdout).toContain('connector.invalid_response');
    expect(verdicts(await readReport(path.join(reportsDir, 'merged')))).toEqual(
      verdicts(await readReport(path.join(reportsDir, 'whole'))),
    );
    // Without the empty shard's report the run is not whole.
    const short = await harness('merge-reports', ...reports.slice(1));
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/^shard 1\/4 missing: the run is not whole$/m);
  }, 120_000);
});

describe('a scenario file a shard could not read', () => {
  it('makes the merged run exit 2 as the unsharded run does, naming the file', async () => {
    const suite = await mkdtemp(path.join(tmpdir(), 'shard-unread-'));
    await symlink(path.resolve('fixtures/scenarios/github-like.yaml'), path.join(suite, 'a-good.yaml'));
    await writeFile(path.join(suite, 'b-bad.yaml'), await readFile('test/harness/bad/bad-inline-fixture.yaml'));
    const reportsDir = await mkdtemp(path.join(tmpdir(), 'shard-unread-reports-'));
    const out = (name: string) => ['-r', 'json', '-o', path.join(reportsDir, name)];
    const whole = await harness('run', suite, ...out('whole'));
    expect(whole.code).toBe(2);
    const [one, two] = await Promise.all(
      [1, 2].map((index) => harness('run', suite, '--shard', `${index}/2`, ...out(`${index}`))),
    );
    expect([one!.code, two!.code]).toEqual([0, 2]);
    // The shard of the bad file only: the problem, and its (empty) report naming the file for the merge.
    expect(two!.stderr).toContain('idp.fixture.clients[0].tokenEndpointAuthMethod');
    const merged = await harness(
      'merge-reports',
      ...['1', '2'].map((name) => path.join(reportsDir, name, 'connector-harness.json')),
    );
    expect(merged.code).toBe(2);
    expect(merged.stdout).toMatch(/^1 passed, 0 failed$/m);
    expect(merged.stderr).toContain(
      `1 file could not be read by its shard (the shard's output says why; the others ran): ${path.join(suite, 'b-bad.yaml')}`,
    );
  }, 90_000);
});

describe('bad input is one located line and exit 2', { timeout: 90_000 }, () => {
  it.each(['0/2', '3/2', 'a/b', '1/0'])('--shard %s', async (value) => {
    const run = await harness('run', 'fixtures/scenarios/github-like.yaml', '--shard', value);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(
      new RegExp(`^error: option '--shard <i/n>' argument '${value}' is invalid\\. `),
    );
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  describe('merge-reports', () => {
    let dir: string;
    let shardOne: string;
    let shardTwo: string;
    let report: Report;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'merge-bad-'));
      for (const index of [1, 2]) {
        const sharded = await harness(
          'run',
          'fixtures/scenarios/github-like.yaml',
          'fixtures/scenarios/oidc-standard.yaml',
          ...['--shard', `${index}/2`, '-r', 'json', '-o', path.join(dir, `shard-${index}`)],
        );
        expect(sharded.code, sharded.stderr).toBe(0);
      }
      shardOne = path.join(dir, 'shard-1', 'connector-harness.json');
      shardTwo = path.join(dir, 'shard-2', 'connector-harness.json');
      report = JSON.parse(await readFile(shardOne, 'utf8')) as Report;
    }, 60_000);

    const written = async (name: string, content: unknown) => {
      const file = path.join(dir, name);
      await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
      return file;
    };
    // What merge-reports reads and refuses, in this process: a CLI spawn per case is seconds on two busy cores. The
    // CLI's own exit code, line and no stack are proven on the first cases.
    const refused = async (files: string[], line: RegExp) => {
      const error = await (async () => {
        const reports = [];
        for (const file of files) reports.push(await readJsonReport(file));
        mergeReports(reports);
      })().catch((caught: unknown) => caught);
      expect(isUserError(error), String(error)).toBe(true);
      const lines = formatProblem((error as UserError).problems[0]!).split('\n');
      expect(lines[0]).toMatch(line);
      expect(lines.slice(1).every((rest) => rest.startsWith('  hint: '))).toBe(true);
    };

    it('merges the two shards (the control for the cases below)', async () => {
      const run = await harness('merge-reports', shardOne, shardTwo);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^2 passed, 0 failed$/m);
    });

    it('a missing file: exit 2, the line naming it, no stack, nothing on stdout', async () => {
      const file = path.join(dir, 'none.json');
      const run = await harness('merge-reports', shardOne, file);
      expect(run.code).toBe(2);
      expect(run.stderr.split('\n')[0]).toBe(`${file}: no such report file`);
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toMatch(STACK_LINE);
      await refused([shardOne, file], new RegExp(`^${file}: no such report file$`));
    });

    it('a file that is not a report: not JSON, another JSON', async () => {
      const notJson = await written('page.json', '<html></html>');
      await refused([notJson], new RegExp(`^${notJson}: not JSON, so not a JSON report$`));
      const other = await written('package.json', { name: 'x', version: '1.0.0' });
      await refused([other], new RegExp(`^${other}: not a connector-harness JSON report`));
    });

    it('a report of another version or shape', async () => {
      const older = await written('older.json', { ...report, version: '0.0.1' });
      await refused(
        [shardTwo, older],
        new RegExp(`^${older} version: a report of connector-harness 0\\.0\\.1, and this is `),
      );
      const shape = await written('shape.json', {
        ...report,
        results: [{ ...report.results[0], status: 'green' }],
      });
      await refused(
        [shape, shardTwo],
        new RegExp(`^${shape} results\\[0\\]\\.status: not the shape of a run's report`),
      );
      const edited = await written('edited.json', { ...report, summary: { ...report.summary, failed: 3 } });
      await refused([edited, shardTwo], new RegExp(`^${edited} summary: says .* but its results count`));
    });

    it('two reports with the same scenario, a shard twice, a shard missing, shards of two different n', async () => {
      const copy = await written('copy.json', { ...report, shard: { index: 2, total: 2 } });
      await refused(
        [shardOne, copy],
        new RegExp(`^${copy}: scenario ".+" \\(fixtures/scenarios/[^)]+\\) is in ${shardOne} too$`),
      );
      await refused([shardOne, shardOne, shardTwo], new RegExp(`^${shardOne}: shard 1/2 again`));
      await refused([shardTwo], /^shard 1\/2 missing: the run is not whole$/);
      const ofThree = await written('of-three.json', { ...report, shard: { index: 3, total: 3 } });
      await refused([shardOne, ofThree], new RegExp(`^${ofThree}: shard 3/3, but ${shardOne} is a shard of 2$`));
    });
  });
});

describe('merge-reports masks at its output whatever a report holds', { timeout: 90_000 }, () => {
  it('a secret-named value in a report is masked in the terminal, JSON, JUnit and HTML', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'merge-mask-'));
    const run = await harness('run', 'fixtures/scenarios/github-like.yaml', '-r', 'json', '-o', dir);
    expect(run.code).toBe(0);
    const report = await readReport(dir);
    const SECRET = 'unmasked-client-secret-0123456789';
    // A report written by hand or by a tool that did not mask: the merge masks again.
    report.results[0]!.checks[0]!.evidence = { client_secret: SECRET };
    report.results[0]!.checks[0]!.status = 'fail';
    report.results[0]!.status = 'failed';
    report.summary = { ...report.summary, passed: 0, failed: 1 };
    await mkdir(path.join(dir, 'in'));
    const file = path.join(dir, 'in', 'report.json');
    await writeFile(file, JSON.stringify(report));
    const out = path.join(dir, 'merged');
    const merged = await harness(
      'merge-reports',
      file,
      '-r',
      'json',
      '-r',
      'junit',
      '-r',
      'html',
      '-o',
      out,
      '--verbose',
    );
    expect(merged.code, merged.stderr).toBe(1);
    expect(merged.stdout).toContain('client_secret');
    const outputs = [merged.stdout, merged.stderr];
    for (const name of ['connector-harness.json', 'connector-harness.junit.xml', 'connector-harness.html'])
      outputs.push(await readFile(path.join(out, name), 'utf8'));
    for (const output of outputs) expect(output).not.toContain(SECRET.slice(4));
  });
});

interface WorkflowStep {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number>;
}
interface WorkflowJob {
  needs?: string;
  strategy?: { 'fail-fast'?: boolean; matrix: { shard: number[] } };
  steps: WorkflowStep[];
}

describe("the README's sharded GitHub Actions workflow", () => {
  it('runs as written: each matrix job its shard, the artifacts carried as download-artifact lays them out, the merged JUnit', async () => {
    const readme = await readFile('README.md', 'utf8');
    const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].find(([, body]) =>
      body!.startsWith('# .github/workflows/connectors-sharded.yml'),
    );
    expect(block, 'a yaml block starting with # .github/workflows/connectors-sharded.yml').toBeDefined();
    const { jobs } = parse(block![1]!) as { jobs: { shard: WorkflowJob; merge: WorkflowJob } };
    expect(jobs.merge.needs).toBe('shard');
    expect(jobs.shard.strategy!['fail-fast']).toBe(false);
    const matrix = jobs.shard.strategy!.matrix.shard;
    expect(matrix.length).toBeGreaterThan(1);

    const work = await mkdtemp(path.join(tmpdir(), 'sharded-workflow-'));
    // `npx connector-harness` is this checkout's CLI; any other npx call would be a command the test does not know.
    const bin = path.join(work, 'bin');
    await mkdir(bin);
    await writeFile(
      path.join(bin, 'npx'),
      `#!/bin/sh\n[ "$1" = connector-harness ] || { echo "npx $1: not connector-harness" >&2; exit 127; }\nshift\n` +
        `exec "${process.execPath}" "${HARNESS_CLI}" "$@"\n`,
      { mode: 0o755 },
    );
    const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
    // A fresh checkout per job: three scenario files, so one of four shards has none.
    const checkout = async (name: string) => {
      const dir = path.join(work, name);
      await mkdir(path.join(dir, 'connectors'), { recursive: true });
      for (const file of ['github-like.yaml', 'oidc-standard.yaml', 'nested-profile-basic.yaml'])
        await symlink(path.resolve('fixtures/scenarios', file), path.join(dir, 'connectors', file));
      return dir;
    };
    const expand = (text: string, context: Record<string, string>) =>
      text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_expression, inner: string) => {
        if (!(inner in context)) throw new Error(`the workflow's \${{ ${inner} }} is not one this test stands in for`);
        return context[inner]!;
      });
    const runLine = async (line: string, cwd: string) => {
      // The team's own `npm ci` is what test/package/installed-package.test.ts runs; here the harness is the checkout.
      if (line.startsWith('npm ci')) return;
      const { spawnSync } = await import('node:child_process');
      const step = spawnSync('bash', ['-ec', line], { cwd, env, encoding: 'utf8', timeout: 60_000 });
      expect(step.status, `${line}\n${step.stdout}\n${step.stderr}`).toBe(0);
    };

    const artifacts = path.join(work, 'artifacts');
    for (const value of matrix) {
      const job = await checkout(`shard-${value}`);
      const context = { 'matrix.shard': String(value), 'strategy.job-total': String(matrix.length) };
      for (const step of jobs.shard.steps) {
        if (step.run) await runLine(expand(step.run, context), job);
        if (step.uses?.startsWith('actions/upload-artifact@')) {
          const name = expand(String(step.with!.name), context);
          const uploaded = path.join(job, String(step.with!.path));
          await mkdir(path.join(artifacts, name), { recursive: true });
          await writeFile(path.join(artifacts, name, path.basename(uploaded)), await readFile(uploaded));
        }
      }
    }

    const job = await checkout('merge');
    let junit = '';
    for (const step of jobs.merge.steps) {
      if (step.run) await runLine(expand(step.run, {}), job);
      if (step.uses?.startsWith('actions/download-artifact@')) {
        // A pattern without merge-multiple: each artifact in a folder of its name under `path`.
        expect(step.with!['merge-multiple']).toBeUndefined();
        const prefix = String(step.with!.pattern).replace(/\*$/, '');
        const { readdir, cp } = await import('node:fs/promises');
        for (const name of (await readdir(artifacts)).filter((entry) => entry.startsWith(prefix)))
          await cp(path.join(artifacts, name), path.join(job, String(step.with!.path), name), { recursive: true });
      }
      if (step.uses?.startsWith('mikepenz/action-junit-report@'))
        junit = await readFile(path.join(job, String(step.with!.report_paths)), 'utf8');
    }
    expect(junit).toMatch(/<testsuite [^>]*tests="3" failures="0" errors="0"/);
    expect(junit.match(/<testcase /g)).toHaveLength(3);
  }, 180_000);
});
