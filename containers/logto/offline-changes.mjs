// Changes a Logto source tree needs before `pnpm install` can run from the npm registry alone.
// Each change is printed (one line each) so a build never differs silently from its source.
// Usage: node offline-changes.mjs <logto tree>
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const tree = process.argv[2];
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const onNpm = (spec) => {
  try {
    return (
      execFileSync('npm', ['view', spec, 'version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== ''
    );
  } catch {
    return false;
  }
};

// A prerelease of @logto/cloud that is on npm and works with this core (types only at runtime).
const cloudFallback = '0.2.5-faca9a9';
const workspaceDirs = ['packages', 'packages/toolkit', 'packages/connectors'];
const manifests = workspaceDirs.flatMap((dir) =>
  readdirSync(join(tree, dir))
    .map((name) => `${dir}/${name}/package.json`)
    .filter((manifest) => existsSync(join(tree, manifest))),
);
const available = new Map();
const isOnNpm = (spec) => {
  if (!available.has(spec)) available.set(spec, onNpm(spec));
  return available.get(spec);
};

for (const manifest of manifests) {
  const file = join(tree, manifest);
  const pkg = readJson(file);
  let changed = false;
  for (const section of ['dependencies', 'devDependencies']) {
    const deps = pkg[section] ?? {};
    const cloud = deps['@logto/cloud'];
    if (cloud && !isOnNpm(`@logto/cloud@${cloud}`)) {
      deps['@logto/cloud'] = cloudFallback;
      changed = true;
      console.log(`${manifest}: @logto/cloud ${cloud} -> ${cloudFallback} (the pinned prerelease is not on npm)`);
    }
    const oidc = deps['oidc-provider'];
    if (oidc?.startsWith('github:')) {
      // The fork's version is the upstream release it is based on; the lockfile records it.
      const lock = readFileSync(join(tree, 'pnpm-lock.yaml'), 'utf8');
      const match = lock.match(/oidc-provider@https:\/\/codeload\.github\.com[^\n]*\n[^\n]*\n\s+version: (\S+)/);
      if (!match) throw new Error('pnpm-lock.yaml: no version recorded for the oidc-provider fork');
      deps['oidc-provider'] = match[1];
      changed = true;
      console.log(
        `${manifest}: oidc-provider ${oidc} (Logto's GitHub fork, not fetchable) -> upstream ${match[1]} from npm; ` +
          'the fork behaviours Logto relies on are ported after install (see "oidc-provider fork:" lines)',
      );
    }
  }
  if (changed) writeJson(file, pkg);
}
