// `pnpm install --prod` drops devDependencies, but a few built workspace packages import some of
// theirs at runtime (in 1.42.0: ky, @silverhand/essentials; watched too: @silverhand/slonik,
// chalk). Keep those as dependencies of the package that imports them, printed one line each.
// Usage: node runtime-dependencies.mjs <logto tree>
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const tree = process.argv[2];
const watched = ['ky', '@silverhand/slonik', '@silverhand/essentials', 'chalk'];
const outputDirs = ['lib', 'build', 'dist'];

const packageDirs = (dir) =>
  readdirSync(join(tree, dir))
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(tree, path, 'package.json')));

const jsFiles = function* (dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* jsFiles(path);
    else if (/\.(m?js|cjs)$/.test(name)) yield path;
  }
};

const imports = (source, name) =>
  new RegExp(`(from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*)['"]${name.replace('/', '\\/')}(/[^'"]*)?['"]`).test(
    source,
  );

for (const dir of [...packageDirs('packages'), ...packageDirs('packages/toolkit')]) {
  const manifest = join(tree, dir, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  const candidates = watched.filter(
    (name) => !pkg.dependencies?.[name] && (pkg.devDependencies?.[name] || pkg.peerDependencies?.[name]),
  );
  if (candidates.length === 0) continue;
  const outputs = outputDirs.map((out) => join(tree, dir, out)).filter((path) => existsSync(path));
  const used = new Set();
  for (const out of outputs) {
    for (const file of jsFiles(out)) {
      const source = readFileSync(file, 'utf8');
      for (const name of candidates) if (imports(source, name)) used.add(name);
    }
  }
  if (used.size === 0) continue;
  pkg.dependencies ??= {};
  for (const name of used) {
    pkg.dependencies[name] = pkg.devDependencies?.[name] ?? pkg.peerDependencies[name];
    // pnpm leaves a name that is also a peer dependency to the consumer, which a production
    // install of this workspace package never provides: it must be a plain dependency only.
    delete pkg.devDependencies?.[name];
    delete pkg.peerDependencies?.[name];
    console.log(`${dir}/package.json: ${name} kept as a runtime dependency (its build output imports it)`);
  }
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}
