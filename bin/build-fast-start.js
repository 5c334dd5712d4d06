// Builds .fast-start/ in a checkout (`npm run build:fast-start`; `npm run bench` runs it first), what
// bin/start-fast.js starts the CLIs from when it is there and current; a start without it, or with a
// stale one, loads the modules one by one as before. Two parts, each measured (docs/benchmarks.md):
// - stripped/: every TypeScript source of lib/, mock-idp/ and harness/ with its types stripped, under
//   the same key as the temp-folder cache (the source's text and the Node version), so even a first
//   run ever never loads Node's TypeScript stripper. A source edited since is stripped as before.
// - vendor/: oidc-provider, koa, @koa/router, koa-compose and jose as one bundle (esbuild, code split
//   per package), which the mock-idp CLI's own modules import instead of the ~250 modules of
//   node_modules they stand for: the same code, fewer files to resolve, read and link. manifest.json
//   lists every file bundled with its size and mtime; a start that finds one changed uses node_modules.
// - compile-cache/: V8's compile cache of a first start that validates its fixture and answers an
//   authorization request, which a first run copies into its empty temp folder (start-fast.js).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_START, VENDORED, strippedKey, stripTypes } from './start-fast.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['lib', 'mock-idp', 'harness'];

function* typescriptFiles(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(file);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield file;
  }
}

function buildStripped(out) {
  mkdirSync(out, { recursive: true });
  let count = 0;
  // The mock IdP's image is built without harness/: only what it runs.
  for (const folder of SOURCES.filter((name) => existsSync(path.join(ROOT, name))))
    for (const file of typescriptFiles(path.join(ROOT, folder))) {
      const source = readFileSync(file, 'utf8');
      const stripped = stripTypes(source);
      if (stripped === undefined) continue; // Node reports its syntax error at run time, as usual.
      writeFileSync(path.join(out, `${strippedKey(source)}.js`), stripped);
      count += 1;
    }
  return count;
}

/** Each vendored specifier re-exported as Node's own import of it shows it (a CommonJS package's default too). */
async function entrySource(specifier) {
  const names = Object.keys(await import(specifier));
  return `export { ${names.join(', ')} } from ${JSON.stringify(specifier)};`;
}

async function buildVendor(out) {
  const sources = Object.fromEntries(await Promise.all(VENDORED.map(async (name) => [name, await entrySource(name)])));
  const fileOf = (specifier) => specifier.replace(/[^a-z0-9]+/gi, '_');
  const result = await build({
    entryPoints: VENDORED.map((specifier) => ({ in: `vendored:${specifier}`, out: fileOf(specifier) })),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: out,
    metafile: true,
    logLevel: 'warning',
    // A bundled CommonJS module's require() of a Node built-in.
    banner: {
      js: "import { createRequire as vendorRequire } from 'node:module'; const require = vendorRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'vendored',
        setup(bundler) {
          bundler.onResolve({ filter: /^vendored:/ }, ({ path: specifier }) => ({
            path: specifier.slice('vendored:'.length),
            namespace: 'vendored',
          }));
          bundler.onLoad({ filter: /.*/, namespace: 'vendored' }, ({ path: specifier }) => ({
            contents: sources[specifier],
            resolveDir: ROOT,
          }));
          // An ES import of a built-in reads every export, and node:http's include lazy ones that load
          // undici (WebSocket, fetch): 40 ms of CPU at start, for nothing here. require() reads none.
          bundler.onResolve({ filter: /^[a-z:_/]+$/ }, ({ path: specifier, kind }) =>
            kind === 'import-statement' && isBuiltin(specifier)
              ? { path: specifier, namespace: 'built-in' }
              : undefined,
          );
          bundler.onLoad({ filter: /.*/, namespace: 'built-in' }, ({ path: specifier }) => ({
            contents: `module.exports = require(${JSON.stringify(specifier)});`,
          }));
        },
      },
    ],
  });
  // Each entry with the files it was made from: its own output's and those of the chunks it imports.
  const outputs = result.metafile.outputs;
  const outputOf = (file) => path.relative(ROOT, path.join(out, file));
  const stats = new Map();
  const statOf = (input) => {
    const file = path.resolve(ROOT, input);
    if (!stats.has(file)) {
      const { size, mtimeMs } = statSync(file);
      stats.set(file, [path.relative(ROOT, file), size, mtimeMs]);
    }
    return stats.get(file);
  };
  const inputsOf = (output, seen = new Set()) => {
    if (seen.has(output)) return [];
    seen.add(output);
    const own = Object.keys(outputs[output].inputs).filter((input) => !/^[a-z-]+:/.test(input));
    const chunks = outputs[output].imports.filter(({ external }) => !external).map(({ path: chunk }) => chunk);
    return [...own, ...chunks.flatMap((chunk) => inputsOf(chunk, seen))];
  };
  const entries = Object.fromEntries(
    VENDORED.map((specifier) => {
      const file = `${fileOf(specifier)}.js`;
      return [specifier, { file, inputs: inputsOf(outputOf(file)).map(statOf) }];
    }),
  );
  writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(entries)}\n`);
  const inputs = stats;
  return inputs.size;
}

// --out <folder>: elsewhere than .fast-start/ (a start finds it through FAST_START_DIR).
const outIndex = process.argv.indexOf('--out');
const OUT = outIndex > 0 ? path.resolve(process.argv[outIndex + 1] ?? '') : path.join(ROOT, FAST_START);
/** One start from OUT with nothing cached: its compiled code is written to OUT/compile-cache at exit. */
async function buildCompileCache(out) {
  const temp = mkdtempSync(path.join(tmpdir(), 'fast-start-build-'));
  const env = {
    ...process.env,
    FAST_START_DIR: out,
    NODE_COMPILE_CACHE: path.join(out, 'compile-cache'),
    TMPDIR: temp,
  };
  const child = spawn(process.execPath, ['bin/mock-idp.js', 'serve', 'fixtures/default.yaml', '--port', '0'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    let output = '';
    for await (const chunk of child.stdout.setEncoding('utf8')) {
      output += chunk;
      const issuer = /issuer\s+(\S+)/.exec(output)?.[1];
      if (!issuer || !output.includes('sign-in')) continue;
      const redirect = encodeURIComponent('http://localhost/callback');
      const answer = await fetch(
        `${issuer}/authorize?response_type=code&client_id=logto-basic&redirect_uri=${redirect}&scope=openid`,
        {
          redirect: 'manual',
        },
      );
      if (answer.status !== 303) throw new Error(`the authorization request got ${answer.status}`);
      break;
    }
  } finally {
    child.kill('SIGINT'); // exits 0, writing the cache
    await exited;
    rmSync(temp, { recursive: true, force: true });
  }
  return readdirSync(path.join(out, 'compile-cache'), { recursive: true }).length;
}

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
const stripped = buildStripped(path.join(OUT, 'stripped'));
const bundled = await buildVendor(path.join(OUT, 'vendor'));
const compiled = await buildCompileCache(OUT);
console.log(
  `${path.relative(process.cwd(), OUT) || '.'}/: ${stripped} stripped sources, ${bundled} files of ` +
    `${VENDORED.join(', ')} bundled, ${compiled} compile cache files (${Math.round(performance.now() - started)} ms)`,
);
