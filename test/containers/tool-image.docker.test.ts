// The tool's image (the Dockerfile at the root) as a team runs it: its repository mounted at /repo, as an ordinary
// user. Built through containers/build-images.sh (docker's layer cache makes an unchanged checkout seconds), or the
// image CONNECTOR_HARNESS_IMAGE names. Containers and the network are named tool-image-test-<pid>, removed after.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapM2m } from '../../harness/logto-api/bootstrap-m2m.ts';
import { imageManifest, localImage } from '../../harness/targets/logto-container/image-manifest.ts';
import { REPO } from '../helpers/checkout-copy.ts';
import { STACK_LINE } from '../helpers/spawn-cli.ts';

const manifest = imageManifest();
const IMAGE = process.env.CONNECTOR_HARNESS_IMAGE || localImage(manifest.LOCAL_HARNESS);
// Not root: the reports on the mounted folder must be the invoking user's (docker run --user).
const USER = '1234:1234';
const NAME = `tool-image-test-${process.pid}`;

const engine = spawnSync('docker', ['info'], { timeout: 20_000, stdio: 'ignore' }).status === 0;
const present = (image: string) =>
  engine && spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status === 0;
const buildable = !process.env.CONNECTOR_HARNESS_IMAGE && present(localImage(manifest.LOCAL_NODE));
if (!engine) console.log('skipped: the tool image tests — no Docker engine answers (containers/engine.sh starts one)');
else if (!buildable && !present(IMAGE))
  console.log(`skipped: the tool image tests — ${IMAGE} is missing; build it with containers/build-images.sh harness`);
const usable = engine && (buildable || present(IMAGE));

const docker = (...args: string[]) =>
  spawnSync('docker', args, { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });

let work: string;
const started: string[] = [];

/** A folder for the image to mount, writable by USER; `scenarios` copied to its connectors/. */
function mountedRepository(): string {
  const folder = mkdtempSync(path.join(work, 'repo-'));
  cpSync(path.join(REPO, 'fixtures', 'scenarios'), path.join(folder, 'connectors'), { recursive: true });
  chmodSync(folder, 0o777);
  return folder;
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'tool-image-'));
  if (!usable || !buildable) return;
  const build = spawnSync(path.join(REPO, 'containers/build-images.sh'), ['harness'], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  expect(build.status, build.stdout + build.stderr).toBe(0);
  expect(build.stdout).toContain(IMAGE);
}, 900_000);

afterAll(() => {
  for (const name of started.reverse()) docker('rm', '-f', '-v', name);
  docker('network', 'rm', NAME);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!usable)(`the tool image (${IMAGE})`, () => {
  it('docker run -v "$PWD:/repo" <image> run connectors: exit 0, JSON and JUnit in the mounted folder, the user’s', () => {
    const repository = mountedRepository();
    const run = docker(
      'run',
      '--rm',
      '--user',
      USER,
      '-v',
      `${repository}:/repo`,
      IMAGE,
      'run',
      'connectors',
      '--parallel',
      '2',
      '-r',
      'json',
      '-r',
      'junit',
    );
    expect(run.status, run.stderr).toBe(0);
    const passed = /\b([1-9]\d*) passed, 0 failed/.exec(run.stdout)?.[1];
    expect(passed, run.stdout.slice(-2000)).toBeDefined();
    expect(run.stdout).toContain('wrote reports/connector-harness.junit.xml');
    for (const report of ['connector-harness.json', 'connector-harness.junit.xml']) {
      const file = path.join(repository, 'reports', report);
      expect(statSync(file).uid, report).toBe(1234);
    }
    expect(readFileSync(path.join(repository, 'reports', 'connector-harness.junit.xml'), 'utf8')).toMatch(
      new RegExp(`<testsuite [^>]*tests="${passed}" failures="0"`),
    );
  }, 120_000);

  it('passes the exit code through: 1 for a failing scenario, 2 for a path that is not there', () => {
    const repository = mountedRepository();
    const scenario = readFileSync(path.join(repository, 'connectors', 'standard-post.yaml'), 'utf8');
    writeFileSync(
      path.join(repository, 'connectors', 'failing.yaml'),
      scenario.replace('name: Alice Example', 'name: Someone Else'),
    );
    const failing = docker(
      'run',
      '--rm',
      '--user',
      USER,
      '-v',
      `${repository}:/repo`,
      IMAGE,
      'run',
      'connectors/failing.yaml',
    );
    expect(failing.status, failing.stderr).toBe(1);
    expect(failing.stdout).toContain('0 passed, 1 failed');
    const missing = docker('run', '--rm', '--user', USER, '-v', `${repository}:/repo`, IMAGE, 'run', 'connectors/nope');
    expect(missing.status).toBe(2);
    expect(missing.stderr).not.toMatch(STACK_LINE);
  }, 120_000);

  it("runs the README's GitLab job on the image as written: its script in the image's shell, the JUnit it names", () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const block = /```yaml\n(# \.gitlab-ci\.yml — the image[\s\S]*?)```/.exec(readme)?.[1];
    const [job] = Object.values(parse(block!) as Record<string, unknown>) as {
      image: { name: string; entrypoint: string[] };
      script: string[];
      artifacts: { reports: { junit: string } };
    }[];
    expect(job!.image.entrypoint).toEqual(['']);
    const repository = mountedRepository();
    const checkout = '/builds/team/repository';
    for (const line of job!.script) {
      const step = docker(
        'run',
        '--rm',
        '--user',
        USER,
        '--entrypoint',
        '',
        '-v',
        `${repository}:${checkout}`,
        '-w',
        checkout,
        IMAGE,
        'sh',
        '-c',
        line,
      );
      expect(step.status, `${line}\n${step.stderr}`).toBe(0);
    }
    expect(readFileSync(path.join(repository, job!.artifacts.reports.junit), 'utf8')).toMatch(/failures="0"/);
  }, 120_000);
});

const READY = /database system is ready to accept connections/g;
const logsOf = (name: string) => {
  const result = docker('logs', name);
  return result.stdout + result.stderr;
};

async function until(what: string | (() => string), done: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The Logto and PostgreSQL images the container suites use: a setting, the official one, or the local stand-in. */
function stackImage(setting: string, official: string, substitute: string): string | undefined {
  return [process.env[setting], official, localImage(substitute)].find((image) => image && present(image));
}
const LOGTO_IMAGE = stackImage('LOGTO_IMAGE', manifest.OFFICIAL_LOGTO, manifest.LOCAL_LOGTO);
const POSTGRES_IMAGE = stackImage('POSTGRES_IMAGE', manifest.OFFICIAL_POSTGRES, manifest.LOCAL_POSTGRES);
if (usable && !(LOGTO_IMAGE && POSTGRES_IMAGE))
  console.log('skipped: the tool image against Logto — no Logto or PostgreSQL image here (containers/build-images.sh)');

describe.skipIf(!usable || !LOGTO_IMAGE || !POSTGRES_IMAGE)('the tool image with --target logto', () => {
  it('drives a Logto on the same Docker network, which reaches the mock IdP in the tool’s container by its name', async () => {
    const detached = (name: string, ...args: string[]) => {
      started.push(name);
      const result = docker('run', '-d', '--name', name, '--network', NAME, ...args);
      expect(result.status, result.stderr).toBe(0);
    };
    expect(docker('network', 'create', NAME).status).toBe(0);
    const password = randomBytes(12).toString('hex');
    detached(
      `${NAME}-postgres`,
      '--network-alias',
      'postgres',
      '-e',
      'POSTGRES_USER=postgres',
      '-e',
      `POSTGRES_PASSWORD=${password}`,
      POSTGRES_IMAGE!,
    );
    // Ready once the init server has stopped and the real one started: the line twice, as the container target waits.
    await until('PostgreSQL', () => (logsOf(`${NAME}-postgres`).match(READY) ?? []).length >= 2, 90_000);
    // Logto knows itself by the name the network gives it: its ENDPOINT is what the tool's container reaches.
    detached(
      `${NAME}-logto`,
      '--network-alias',
      'logto',
      '-p',
      '127.0.0.1::3001',
      '-e',
      `DB_URL=postgres://postgres:${password}@postgres:5432/logto`,
      '-e',
      'ENDPOINT=http://logto:3001',
      '-e',
      'TRUST_PROXY_HEADER=1',
      '-e',
      `SECRET_VAULT_KEK=${randomBytes(32).toString('base64')}`,
      '-e',
      'INTEGRATION_TEST=true',
      '--entrypoint',
      'sh',
      LOGTO_IMAGE!,
      '-c',
      // --dapc: the seed's password breach check calls api.pwnedpasswords.com.
      'npm run cli db seed -- --swe --dapc && npm start',
    );
    const port = execFileSync('docker', ['port', `${NAME}-logto`, '3001'], { encoding: 'utf8' })
      .trim()
      .split(':')
      .at(-1);
    const local = `http://127.0.0.1:${port}`;
    const status = () =>
      fetch(`${local}/api/status`).then(
        (answer) => answer.status === 204,
        () => false,
      );
    await until(() => `Logto: ${logsOf(`${NAME}-logto`).slice(-3000)}`, status, 240_000);
    const { appId, appSecret } = await bootstrapM2m(local);
    const repository = mountedRepository();
    const run = docker(
      'run',
      '--rm',
      '--name',
      `${NAME}-harness`,
      '--network',
      NAME,
      '--user',
      USER,
      '-v',
      `${repository}:/repo`,
      '-e',
      `LOGTO_M2M_APP_ID=${appId}`,
      '-e',
      `LOGTO_M2M_APP_SECRET=${appSecret}`,
      IMAGE,
      'run',
      'connectors/standard-post.yaml',
      '--target',
      'logto',
      '--endpoint',
      'http://logto:3001',
      '--idp-public-url',
      `http://${NAME}-harness:4000`,
      '-r',
      'junit',
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('1 passed, 0 failed');
    expect(run.stdout + run.stderr).not.toContain(appSecret);
    expect(existsSync(path.join(repository, 'reports', 'connector-harness.junit.xml'))).toBe(true);
  }, 420_000);
});
