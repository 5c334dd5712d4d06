// The package as a team installs it into its own repository: `npm pack` of a copy of this checkout (prepack builds
// dist/), `npm install -D` of the tarball into a fresh project, then the bins and the library run from that project
// on the machine's Node 20 and on the Node 22 this project pins, and the README's GitLab CI job runs there as
// written. npm reads the registry only for what its cache lacks (--prefer-offline).
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyCheckout, finish, PINNED_NODE, REPO } from '../helpers/checkout-copy.ts';
import { STACK_LINE } from '../helpers/spawn-cli.ts';

const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund'];

/** The first `node` on PATH that is Node 20 (Debian's, usually /usr/bin/node), outside any node_modules. */
function machineNode20(): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, 'node');
    if (folder.includes('node_modules') || !existsSync(candidate)) continue;
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version.startsWith('v20.')) return candidate;
  }
  return undefined;
}
const NODE_20 = machineNode20();
if (!NODE_20) console.log('skipped: the installed package on Node 20 — no Node 20 on PATH outside node_modules');

let work: string;
let project: string;
let tarball: string;
const bins = new Map<string, string>();

/** An environment whose `node` is `binary`, as a machine with only that Node has: npx and the bins' shebangs use it. */
function withNode(binary: string): NodeJS.ProcessEnv {
  let folder = bins.get(binary);
  if (!folder) {
    folder = path.join(work, `node-${bins.size}`);
    mkdirSync(folder);
    symlinkSync(binary, path.join(folder, 'node'));
    bins.set(binary, folder);
  }
  const rest = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => !entry.includes('node_modules'));
  return { ...process.env, PATH: [folder, ...rest].join(path.delimiter), NO_COLOR: '1' };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'installed-package-'));
  const checkout = copyCheckout(path.join(work, 'checkout'), { withDependencies: true });
  const pack = await finish('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: checkout,
    env: withNode(PINNED_NODE),
  });
  expect(pack.code, pack.stderr).toBe(0);
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [{ filename: string }];
  tarball = path.join(work, packed.filename);
  project = path.join(work, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'team-repo', private: true }));
  // Installed with the Node a team on Node 20 has (npm only warns about the connectors' engines, Node 22).
  const install = await finish('npm', ['install', '-D', ...NPM_QUIET, tarball], {
    cwd: project,
    env: withNode(NODE_20 ?? PINNED_NODE),
  });
  expect(install.code, install.stderr).toBe(0);
}, 400_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('holds JavaScript and declarations only: no TypeScript source that it runs', () => {
    const installed = path.join(project, 'node_modules', 'logto-connector-harness');
    const files = readdirSync(installed, { recursive: true, encoding: 'utf8' });
    expect(files.filter((file) => /\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        path.join('dist', 'harness', 'cli.js'),
        path.join('dist', 'harness', 'index.d.ts'),
        path.join('dist', 'mock-idp', 'index.d.ts'),
        path.join('fixtures', 'default.yaml'),
        path.join('fixtures', 'scenarios', 'providers', 'github', 'github.yaml'),
      ]),
    );
    // The connectors are the user's dependencies now, hoisted beside the harness, not inside it.
    expect(existsSync(path.join(project, 'node_modules', '@logto', 'connector-oauth', 'package.json'))).toBe(true);
  });

  it('without its built code (what an install from a git URL gets) says so: one line, exit 2', async () => {
    const unbuilt = path.join(work, 'unbuilt');
    for (const part of ['package.json', 'bin'])
      cpSync(path.join(project, 'node_modules', 'logto-connector-harness', part), path.join(unbuilt, part), {
        recursive: true,
      });
    const run = await finish(PINNED_NODE, [path.join(unbuilt, 'bin', 'connector-harness.js'), '--version'], {
      cwd: work,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`connector-harness is installed without its built code (${unbuilt}`);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

describe.each([
  { label: "Node 20 (the machine's)", node: NODE_20, folder: 'node20' },
  { label: 'Node 22 (the pinned one)', node: PINNED_NODE, folder: 'node22' },
])('from a fresh project, on $label', ({ node, folder }) => {
  // Each Node in a folder of its own inside the project: what runs is found from the package, not from here.
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const npx = (...args: string[]) => finish('npx', args, { cwd, env, timeoutMs: 60_000 });
  const skip = !node;

  beforeAll(() => {
    if (!node) return;
    cwd = path.join(project, folder);
    mkdirSync(cwd);
    env = withNode(node);
  });

  it.skipIf(skip)('npx connector-harness --version', async () => {
    expect(spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout).toBe(
      spawnSync(node!, ['--version'], { encoding: 'utf8' }).stdout,
    );
    const run = await npx('connector-harness', '--version');
    expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it.skipIf(skip)('init github, then run and validate the scenario it wrote', async () => {
    const init = await npx('connector-harness', 'init', 'github');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('wrote github.scenario.yaml');
    // The starter runs against the fixture the package ships, named relative to where the scenario landed.
    expect(readFileSync(path.join(cwd, 'github.scenario.yaml'), 'utf8')).toContain(
      'idp: { fixture: ../node_modules/logto-connector-harness/fixtures/scenarios/providers/github/idp/github.yaml }',
    );
    const run = await npx('connector-harness', 'run', 'github.scenario.yaml', '-r', 'junit', '-r', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('1 passed, 0 failed');
    expect(run.stdout).toContain('in-process 1.7.8');
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(readFileSync(path.join(cwd, 'reports', 'connector-harness.junit.xml'), 'utf8')).toMatch(
      /<testsuite [^>]*tests="1" failures="0"/,
    );
    const validate = await npx('connector-harness', 'validate', 'github.scenario.yaml');
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('✓ github.scenario.yaml: GitHub (OAuth app)');
  });

  it.skipIf(skip)('npx mock-idp serve: the shipped default fixture, discovery answers, Ctrl-C stops it', async () => {
    const child = spawn('npx', ['mock-idp', 'serve', '--port', '0'], { cwd, env, detached: true, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let discovery: string | undefined;
    try {
      discovery = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no discovery line in 30 s: ${stdout}${stderr}`)), 30_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          const found = /discovery\s+(http\S+)/.exec(stdout)?.[1];
          if (found) resolve(found);
          if (found) clearTimeout(timer);
        });
      });
      expect(stdout).toContain('mock IdP serving ../node_modules/logto-connector-harness/fixtures/default.yaml');
      const answer = await fetch(discovery);
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { issuer: string }).issuer).toBe(discovery.replace(/\/\.well-known.*$/, ''));
    } finally {
      // Ctrl-C in a terminal: the whole group, npx and the IdP under it.
      process.kill(-child.pid!, 'SIGINT');
    }
    await exited;
    expect(stdout).toContain('stopping');
    await expect(fetch(discovery)).rejects.toThrow();
    expect(stderr).not.toMatch(STACK_LINE);
  });

  it.skipIf(skip)('the library API from an .mjs file: logto-connector-harness and its mock-idp entry', async () => {
    writeFileSync(
      path.join(cwd, 'check.mjs'),
      [
        "import { loadScenarios, runScenarios, targets, reporters } from 'logto-connector-harness';",
        "import { startMockIdp } from 'logto-connector-harness/mock-idp';",
        'const target = targets.inProcess();',
        "const results = await runScenarios(await loadScenarios(['github.scenario.yaml']), target);",
        'await target.close?.();',
        'console.log(JSON.stringify(reporters.summarize(results)));',
        'const idp = await startMockIdp({',
        "  clients: [{ clientId: 'app', clientSecret: 'app-secret-0123456789' }],",
        "  users: [{ id: 'alice', profile: { sub: 'alice' } }],",
        '});',
        'const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();',
        'console.log(discovery.token_endpoint);',
        'await idp.stop();',
      ].join('\n'),
    );
    const run = await finish('node', ['check.mjs'], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const [summary, tokenEndpoint] = run.stdout.trim().split('\n');
    expect(JSON.parse(summary!)).toMatchObject({ total: 1, passed: 1, failed: 0 });
    expect(tokenEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
  });

  it.skipIf(skip)('--target logto-container, which needs a checkout, says so: one line, exit 2', async () => {
    const run = await npx('connector-harness', 'run', 'github.scenario.yaml', '--target', 'logto-container');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--target logto-container: runs from a checkout of logto-connector-harness only');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

/** The YAML block of the README that starts with `# <file>`. */
function readmeBlock(file: string): Record<string, unknown> {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)].find(([, body]) => body!.startsWith(`# ${file}`));
  if (!block) throw new Error(`README.md has no yaml block starting with "# ${file}"`);
  return parse(block[1]!) as Record<string, unknown>;
}

describe("the README's GitLab CI job (the harness a devDependency of the team's repository)", () => {
  it('runs its script lines as written: exit 0, the JUnit report where the job names it', async () => {
    const jobs = readmeBlock('.gitlab-ci.yml — the package');
    const [job] = Object.values(jobs) as { image: string; script: string[]; artifacts: Record<string, unknown> }[];
    expect(job!.image).toBe('node:22-slim');
    // The team's repository: its package.json and lock naming the tarball, scenario files under connectors/.
    const repository = path.join(work, 'gitlab');
    mkdirSync(repository);
    for (const file of ['package.json', 'package-lock.json'])
      writeFileSync(path.join(repository, file), readFileSync(path.join(project, file)));
    cpSync(path.join(REPO, 'fixtures', 'scenarios'), path.join(repository, 'connectors'), { recursive: true });
    const env = { ...withNode(PINNED_NODE), npm_config_prefer_offline: 'true' };
    for (const line of job!.script) {
      const step = await finish('bash', ['-ec', line], { cwd: repository, env, timeoutMs: 120_000 });
      expect(step.code, `${line}\n${step.stderr}`).toBe(0);
    }
    const junit = (job!.artifacts.reports as { junit: string }).junit;
    expect(readFileSync(path.join(repository, junit), 'utf8')).toMatch(/<testsuite [^>]*failures="0"/);
    for (const folder of job!.artifacts.paths as string[]) expect(existsSync(path.join(repository, folder))).toBe(true);
  }, 180_000);
});
