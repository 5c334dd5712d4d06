// action.yml's `run:` steps as a runner runs them (bash -eo pipefail, GITHUB_ACTION_PATH a checkout of the action,
// GITHUB_ENV carried to the next steps, ${{ inputs.* }} from the declared defaults or a workflow's `with:`), in a
// workspace holding the shipped scenarios: the commands the action runs are the ones proven here. setup-node's Node
// is the pinned Node 22; upload-artifact's `path` is checked to hold the reports.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyCheckout, finish, PINNED_NODE, REPO, type Finished } from '../helpers/checkout-copy.ts';
import { STACK_LINE } from '../helpers/spawn-cli.ts';
import { standInLogto } from '../helpers/stand-in-logto.ts';

interface Step {
  name?: string;
  uses?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { description: string; default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;
const DEFAULTS = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default ?? '']));

/** ${{ inputs.x }} → its value; any other expression is one this test cannot stand in for, and fails it. */
function expand(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_expression, inner: string) => {
    const name = /^inputs\.([\w-]+)$/.exec(inner)?.[1];
    if (name === undefined || !(name in inputs))
      throw new Error(`action.yml: \${{ ${inner} }} is not a declared input`);
    return inputs[name]!;
  });
}

let work: string;
let actionPath: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'action-'));
  actionPath = copyCheckout(path.join(work, 'action'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface ActionRun {
  steps: { step: Step; result: Finished }[];
  /** The folder upload-artifact would upload. */
  artifact: string;
  workspace: string;
  runnerTemp: string;
}

/**
 * The action's steps in order in a fresh workspace (`prepare` fills it) and runner temp folder; stops after the first
 * `run:` step that fails, as a runner does (upload-artifact runs anyway: `if: always()`).
 */
async function runAction(
  given: Record<string, string>,
  prepare: (workspace: string) => void,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ActionRun> {
  const inputs = { ...DEFAULTS, ...given };
  const workspace = mkdtempSync(path.join(work, 'workspace-'));
  const runnerTemp = mkdtempSync(path.join(work, 'runner-temp-'));
  const githubEnv = path.join(runnerTemp, 'github-env');
  writeFileSync(githubEnv, '');
  prepare(workspace);
  const nodeFolder = path.join(runnerTemp, 'setup-node');
  const steps: ActionRun['steps'] = [];
  let artifact = '';
  for (const step of action.runs.steps) {
    if (step.uses?.startsWith('actions/setup-node@')) {
      // setup-node's Node here is the pinned one: the version the input asks for must be its major.
      const wanted = expand(step.with!['node-version']!, inputs);
      expect(spawnSync(PINNED_NODE, ['--version'], { encoding: 'utf8' }).stdout).toMatch(new RegExp(`^v${wanted}\\.`));
      mkdirSync(nodeFolder);
      cpSync(PINNED_NODE, path.join(nodeFolder, 'node'));
      continue;
    }
    if (step.uses?.startsWith('actions/upload-artifact@')) {
      expect(step.if).toBe('always()');
      artifact = path.resolve(workspace, expand(step.with!.path!, inputs));
      continue;
    }
    if (step.uses) throw new Error(`action.yml uses ${step.uses}, which this test does not stand in for`);
    if (steps.some(({ result }) => result.code !== 0)) break;
    expect(step.shell).toBe('bash');
    const fromGithubEnv = Object.fromEntries(
      readFileSync(githubEnv, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([key, value]) => [key, expand(value, inputs)]),
    );
    const script = path.join(runnerTemp, `step-${steps.length}.sh`);
    writeFileSync(script, expand(step.run!, inputs));
    const PATH = [
      nodeFolder,
      ...(process.env.PATH ?? '').split(path.delimiter).filter((entry) => !entry.includes('node_modules')),
    ];
    const env = {
      ...process.env,
      PATH: PATH.join(path.delimiter),
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_WORKSPACE: workspace,
      GITHUB_ENV: githubEnv,
      RUNNER_TEMP: runnerTemp,
      NO_COLOR: '1',
      // The registry only for what npm's cache lacks.
      npm_config_prefer_offline: 'true',
      ...extraEnv,
      ...fromGithubEnv,
      ...stepEnv,
    };
    const cwd = step['working-directory']
      ? path.resolve(workspace, expand(step['working-directory'], inputs))
      : workspace;
    // A runner's `shell: bash`.
    const result = await finish('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env,
      timeoutMs: 150_000,
    });
    steps.push({ step, result });
  }
  return { steps, artifact, workspace, runnerTemp };
}

const lastStep = (run: ActionRun) => run.steps.at(-1)!.result;
const shippedScenarios = (workspace: string) =>
  cpSync(path.join(REPO, 'fixtures', 'scenarios'), path.join(workspace, 'connectors'), { recursive: true });

describe('action.yml', () => {
  it('is a composite action: setup-node, the install, the run, upload-artifact of out-dir whatever happened', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps.map((step) => step.uses?.replace(/@.*/, '') ?? 'run')).toEqual([
      'actions/setup-node',
      'run',
      'run',
      'actions/upload-artifact',
    ]);
    const upload = action.runs.steps.at(-1)!;
    expect(upload.with).toMatchObject({ path: '${{ inputs.out-dir }}', name: '${{ inputs.artifact-name }}' });
    // Inputs reach the shell as environment variables, never spliced into a script.
    for (const step of action.runs.steps) expect(step.run ?? '').not.toContain('${{');
  });

  it('with its defaults runs the connectors/ folder: exit 0, JUnit and HTML in the uploaded folder', async () => {
    const run = await runAction({}, shippedScenarios);
    for (const { step, result } of run.steps) expect(result.code, `${step.name}\n${result.stderr}`).toBe(0);
    expect(run.steps).toHaveLength(2);
    expect(lastStep(run).stdout).toMatch(/\b[1-9]\d* passed, 0 failed/);
    expect(run.artifact).toBe(path.join(run.workspace, 'connector-harness-reports'));
    expect(readFileSync(path.join(run.artifact, 'connector-harness.junit.xml'), 'utf8')).toMatch(
      /<testsuite [^>]*tests="[1-9]\d*" failures="0"/,
    );
    expect(readFileSync(path.join(run.artifact, 'connector-harness.html'), 'utf8')).toContain('<!doctype html>');
  }, 240_000);

  it('a failing scenario fails the step with exit 1; its reports are still written for the upload', async () => {
    const run = await runAction({ paths: 'failing.yaml' }, (workspace) => {
      const scenario = readFileSync(path.join(REPO, 'fixtures/scenarios/standard-post.yaml'), 'utf8');
      cpSync(path.join(REPO, 'fixtures/scenarios/idp'), path.join(workspace, 'idp'), { recursive: true });
      writeFileSync(
        path.join(workspace, 'failing.yaml'),
        scenario.replace('name: Alice Example', 'name: Someone Else'),
      );
    });
    expect(lastStep(run).code, lastStep(run).stderr).toBe(1);
    expect(lastStep(run).stdout).toContain('0 passed, 1 failed');
    expect(readFileSync(path.join(run.artifact, 'connector-harness.junit.xml'), 'utf8')).toMatch(
      /<testsuite [^>]*tests="1" failures="1"/,
    );
  }, 240_000);

  it('connector-packages: the named version and the pinned one of the other connector, in a prefix the run uses', async () => {
    const paths = 'connectors/standard-post.yaml connectors/oidc-standard.yaml';
    const run = await runAction({ 'connector-packages': '@logto/connector-oauth@1.7.8', paths }, shippedScenarios);
    for (const { step, result } of run.steps) expect(result.code, `${step.name}\n${result.stderr}`).toBe(0);
    const prefix = path.join(run.runnerTemp, 'connector-harness-connectors');
    const installed = (name: string) =>
      (JSON.parse(readFileSync(path.join(prefix, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    expect(installed('@logto/connector-oauth')).toBe('1.7.8');
    expect(installed('@logto/connector-oidc')).toBe('1.7.5');
    expect(readFileSync(path.join(run.runnerTemp, 'github-env'), 'utf8')).toBe(`HARNESS_CONNECTOR_PATH=${prefix}\n`);
    expect(lastStep(run).stdout).toContain('2 passed, 0 failed');
  }, 240_000);

  it("runs the README's audit workflow (its `with:` as written) against a stand-in Logto: exit 1 on a finding, reports uploaded", async () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const block = /```yaml\n(# \.github\/workflows\/audit-connectors\.yml[\s\S]*?)```/.exec(readme)?.[1];
    const workflow = parse(block!) as { jobs: { audit: { steps: Step[] } } };
    const [step] = workflow.jobs.audit.steps;
    expect(step!.uses).toBe('<owner>/<repo>@<ref>');
    const M2M_SECRET = 'audit-m2m-secret-0123456789';
    const logto = await standInLogto([
      {
        id: 'conn-empty-secret',
        connectorId: 'oauth2',
        metadata: { target: 'acme', name: { en: 'Acme' } },
        syncProfile: false,
        config: {
          authorizationEndpoint: 'http://127.0.0.1:9/authorize',
          tokenEndpoint: 'http://127.0.0.1:9/token',
          userInfoEndpoint: 'http://127.0.0.1:9/userinfo',
          clientId: 'acme-client',
          clientSecret: '',
          tokenEndpointAuthMethod: 'client_secret_post',
          scope: 'profile',
        },
      },
    ]);
    const context: Record<string, string> = {
      'vars.LOGTO_ENDPOINT': logto.endpoint,
      'vars.LOGTO_RESOURCE': 'https://default.logto.app/api',
      'secrets.LOGTO_AUDIT_M2M_APP_ID': 'audit-m2m',
      'secrets.LOGTO_AUDIT_M2M_APP_SECRET': M2M_SECRET,
    };
    const given = Object.fromEntries(
      Object.entries(step!.with!).map(([name, value]) => [
        name,
        String(value).replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_expression, key: string) => context[key]!),
      ]),
    );
    let run: ActionRun;
    try {
      run = await runAction(given, () => {});
    } finally {
      await logto.stop();
    }
    expect(lastStep(run).code, lastStep(run).stderr).toBe(1);
    expect(lastStep(run).stdout).toContain('✗ Client secret: no clientSecret is stored');
    // `args: --probe` reached the command: the token endpoint was asked.
    expect(lastStep(run).stdout).toContain('✗ Token request with an invalid code');
    expect(lastStep(run).stdout + lastStep(run).stderr).not.toContain(M2M_SECRET);
    expect(lastStep(run).stderr).not.toMatch(STACK_LINE);
    expect(path.basename(run.artifact)).toBe('connector-harness-reports');
    for (const report of ['connector-harness.junit.xml', 'connector-harness.json', 'connector-harness.html'])
      expect(existsSync(path.join(run.artifact, report)), report).toBe(true);
  }, 240_000);
});
