// containers/lib.sh, what the scripts in containers/ share, run by real bash; apt-get and id are shell
// functions here so that no package is installed. Also the scripts' --help and their one prefix each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageManifest } from '../../harness/targets/logto-container/image-manifest.ts';

const containers = path.resolve(import.meta.dirname, '../../containers');
const scratch = mkdtempSync(path.join(tmpdir(), 'containers-lib-'));
const log = path.join(scratch, 'step.log');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `body` in bash after sourcing lib.sh under the prefix `t`, with `set -euo pipefail` as the scripts do. */
const withLib = (body: string, env: NodeJS.ProcessEnv = {}) => {
  rmSync(log, { force: true });
  const script = `set -euo pipefail\nSAY_PREFIX=t\n. "${containers}/lib.sh"\n${body}`;
  const { status, stdout, stderr } = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status, stdout, stderr };
};
const logText = () => readFileSync(log, 'utf8');

describe('containers/lib.sh', () => {
  it('needs SAY_PREFIX, and prints everything under it', () => {
    const unset = spawnSync('bash', ['-c', `. "${containers}/lib.sh"`], { encoding: 'utf8' });
    expect(unset.status).not.toBe(0);
    expect(unset.stderr).toContain('set SAY_PREFIX before sourcing containers/lib.sh');
    expect(withLib('say one two; warn three')).toMatchObject({
      status: 0,
      stdout: 't: one two\n',
      stderr: 't: three\n',
    });
  });

  it('run_logged LOG CMD: the output goes to LOG; a failure shows its tail and stops the script with 1', () => {
    expect(withLib(`run_logged "${log}" echo quiet; say after`)).toMatchObject({ status: 0, stdout: 't: after\n' });
    expect(logText()).toBe('quiet\n');
    const failed = withLib(`run_logged "${log}" sh -c 'echo why >&2; exit 3'; say never`);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toBe(`t: FAILED: sh -c echo why >&2; exit 3 (last lines of ${log}):\nwhy\n`);
  });

  it('apt_install LOG PKG: update then a quiet install, its output in LOG', () => {
    const ok = withLib(`id() { echo 0; }\napt-get() { echo "apt-get $*"; }\napt_install "${log}" rsync tar`);
    expect(ok).toMatchObject({ status: 0, stdout: `t: installing rsync tar with apt (log: ${log})\n`, stderr: '' });
    expect(logText()).toBe('apt-get update -qq\napt-get install -y -qq rsync tar\n');
  });

  it('apt_install returns 1 with the tail of LOG when the install fails, 2 when this machine cannot install', () => {
    const failing = 'apt-get() { [ "$1" = update ] || { echo "E: no rsync"; return 100; }; }';
    const failed = withLib(`id() { echo 0; }\n${failing}\napt_install "${log}" rsync || echo "status $?"`);
    expect(failed.stdout).toBe(`t: installing rsync with apt (log: ${log})\nstatus 1\n`);
    expect(failed.stderr).toBe('E: no rsync\nt: apt-get install rsync failed\n');
    const notRoot = withLib(
      `id() { echo 1000; }\napt-get() { echo ran; }\napt_install "${log}" rsync || echo "status $?"`,
    );
    expect(notRoot).toMatchObject({
      stdout: 'status 2\n',
      stderr: 't: cannot install rsync here (needs root and apt-get)\n',
    });
  });

  it('local_image puts a stand-in under HARNESS_IMAGE_PREFIX (harness-local when unset or empty)', () => {
    const { LOCAL_POSTGRES } = imageManifest();
    const name = LOCAL_POSTGRES.slice(LOCAL_POSTGRES.indexOf('/') + 1);
    expect(withLib(`local_image "${LOCAL_POSTGRES}"`, { HARNESS_IMAGE_PREFIX: 'try' }).stdout).toBe(`try/${name}\n`);
    expect(withLib(`local_image "${LOCAL_POSTGRES}"`, { HARNESS_IMAGE_PREFIX: '' }).stdout).toBe(
      `harness-local/${name}\n`,
    );
  });
});

describe('the scripts in containers/', () => {
  const scripts = ['build-images.sh', 'build-logto-image.sh', 'ci-prepare.sh', 'engine.sh'];
  const source = (script: string) => readFileSync(path.join(containers, script), 'utf8');

  it.each(scripts)('%s prints under one prefix, through lib.sh', (script) => {
    const text = source(script);
    expect(text.match(/^SAY_PREFIX=\S+$/gm)).toHaveLength(1);
    expect(text).toMatch(/^\. "\$(here|\(dirname "\$0"\))\/lib\.sh"$/m);
    // A line printed by hand would carry a prefix of its own.
    expect(text.match(/echo "[\w.-]+:/g) ?? []).toEqual([]);
    expect(text).not.toMatch(/^run_logged\(\)|^apt_install\(\)/m);
  });

  it.each(['build-images.sh', 'build-logto-image.sh', 'engine.sh'])(
    '%s --help prints its whole header comment',
    (script) => {
      const text = source(script);
      const header = text.split('\n').slice(
        1,
        text.split('\n').findIndex((line) => line.startsWith('set -euo pipefail')),
      );
      // build-logto-image.sh names its default base by the manifest's value.
      const unComment = (line: string) =>
        line.replace(/^# ?/, '').replace('OFFICIAL_NODE', imageManifest().OFFICIAL_NODE);
      const expected = header.map(unComment).join('\n');
      const help = spawnSync('bash', [path.join(containers, script), '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout.startsWith(`${expected}\n`)).toBe(true);
    },
  );
});
