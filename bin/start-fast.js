// Caches for a CLI's start, kept in the OS temp folder: the part of a cold start that comes before
// the port opens is mostly Node loading code, not the CLI's own work.
// - V8's compile cache: zod, yaml, commander are not compiled again at every start.
// - The type-stripped sources: Node strips the types of every .ts file at every start, and loading
//   its stripper (amaro, WebAssembly) costs more than anything the CLI does before listening. The
//   stripped text is the same for the same source and Node, so it is kept under their hash; a
//   source that changes gets a new entry. A first run fills both caches.
// A checkout may also hold .fast-start/ (bin/build-fast-start.js): the same stripped sources made
// ahead, so a first run strips nothing either, and the mock IdP's heavy packages as one bundle.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')).href + '/';
const CACHE = path.join(tmpdir(), 'mock-idp-stripped-ts');
export const FAST_START = '.fast-start';
// FAST_START_DIR: another folder bin/build-fast-start.js made, or `none` to start as if there were
// none (its tests, and measuring what it saves).
const PREBUILT =
  process.env.FAST_START_DIR === 'none'
    ? undefined
    : pathToFileURL(path.resolve(fileURLToPath(PROJECT), process.env.FAST_START_DIR ?? FAST_START)).href + '/';
/**
 * The packages the mock IdP imports from .fast-start/vendor/, in groups used whole or not at all (a
 * package of one group never meets another copy of its neighbours): what it loads once its port is
 * open (oidc-provider and what the mock's own modules import of its dependencies, one copy each,
 * shared as in node_modules), and the fixture validation's zod and yaml, loaded when no cached fixture fits.
 */
export const VENDORED_GROUPS = [
  ['oidc-provider', 'oidc-provider/lib/helpers/als.js', 'koa', '@koa/router', 'koa-compose', 'jose'],
  ['zod', 'yaml'],
];
export const VENDORED = VENDORED_GROUPS.flat();

/** The key of a stripped source: the same text stripped by the same Node gives the same JavaScript. */
export const strippedKey = (source) =>
  createHash('sha256').update(process.version).update('\0').update(source).digest('hex');

/** The source without its types; undefined for a syntax error, which Node's own loading reports as usual. */
export function stripTypes(source) {
  const warn = process.emitWarning;
  // stripTypeScriptTypes announces itself as experimental; the user did not ask for it, Node's own
  // stripping (which it replaces) stays quiet.
  process.emitWarning = () => {};
  try {
    return nodeModule.stripTypeScriptTypes(source, { mode: 'strip' });
  } catch {
    return undefined;
  } finally {
    process.emitWarning = warn;
  }
}

/** The stripped source, from the cache or made now; undefined leaves the file to Node as usual. */
function strippedSource(file) {
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const key = strippedKey(source);
  if (PREBUILT) {
    try {
      return readFileSync(new URL(`stripped/${key}.js`, PREBUILT), 'utf8');
    } catch {
      // Not built, or the source changed since.
    }
  }
  const entry = path.join(CACHE, `${key}.js`);
  try {
    return readFileSync(entry, 'utf8');
  } catch {
    // Not cached yet.
  }
  const stripped = stripTypes(source);
  if (stripped === undefined) return undefined;
  try {
    mkdirSync(CACHE, { recursive: true });
    // Written aside and renamed: another process starting at the same moment never reads half a file.
    const partial = `${entry}.${process.pid}`;
    writeFileSync(partial, stripped);
    renameSync(partial, entry);
  } catch {
    // A read-only temp folder only costs the next start the stripping again.
  }
  return stripped;
}

/**
 * The sources are TypeScript that Node strips itself (22.18 and later). An older Node (Debian's 20,
 * a system Node outside npm scripts) would fail on the first .ts import with a loader stack trace.
 */
function requireTypeStripping(cli) {
  if (process.features.typescript) return;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const recent = major > 22 || (major === 22 && minor >= 18);
  const why = recent
    ? `Node ${process.version} runs with type stripping turned off (--no-experimental-strip-types)`
    : `this is Node ${process.version}`;
  process.stderr.write(
    `error: ${cli} needs Node 22.18 or newer with type stripping, which runs its TypeScript sources; ${why}.\n` +
      `  Run it through npx or npm scripts (they use the Node 22 this project installs: node_modules/.bin/node),\n` +
      `  e.g. npx ${cli} --help, or start it with node_modules/.bin/node bin/${cli}.js.\n`,
  );
  process.exit(2);
}

/** The built JavaScript runs on Node 20 and later (package.json `engines`); an older one gets one line, not a syntax error. */
function requireNode20(cli) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 20) return;
  process.stderr.write(
    `error: ${cli} needs Node 20 or newer; this is Node ${process.version}.\n` +
      `  Install a current Node (https://nodejs.org), or run the container image (see the README).\n`,
  );
  process.exit(2);
}

/**
 * Starts a CLI from `entry` (e.g. `harness/cli`): the TypeScript source in a checkout (the source is
 * there), else the JavaScript `npm pack` built into dist/, which is all the installed package holds
 * (Node strips no types under node_modules, and an older Node strips none anywhere).
 * `vendored`: the CLI's own modules import the VENDORED packages from .fast-start/vendor/ when it is
 * current. Only the mock IdP's: the harness shares jose with the connectors, which import their own.
 */
export async function startCli(cli, entry, { vendored = false } = {}) {
  const source = new URL(`${entry}.ts`, PROJECT);
  if (existsSync(source)) {
    startFast(cli, vendored);
    await import(source.href);
    return;
  }
  requireNode20(cli);
  const built = new URL(`dist/${entry}.js`, PROJECT);
  if (!existsSync(built)) {
    // npm builds a package at `npm pack` (prepack), which an install from a git URL does not run.
    process.stderr.write(
      `error: ${cli} is installed without its built code (${fileURLToPath(built)} is missing).\n` +
        `  Install the tarball \`npm pack\` makes in a checkout of logto-connector-harness (README: Use it in your repository).\n`,
    );
    process.exit(2);
  }
  nodeModule.enableCompileCache?.();
  await import(built.href);
}

/** The vendored package a module of ours imports: its bundle's URL, if its group in .fast-start/vendor/ is current. */
let manifest;
const currentEntries = new Map();
function vendoredUrl(specifier, parentURL) {
  if (!VENDORED.includes(specifier) || !parentURL?.startsWith(PROJECT) || parentURL.includes('/node_modules/'))
    return undefined;
  // Checked at the first import of the group: oidc-provider's once the port is open (the mock loads it
  // then), zod's and yaml's only when a fixture is validated, never all on every start.
  if (!currentEntries.has(specifier)) {
    const group = VENDORED_GROUPS.find((members) => members.includes(specifier));
    const urls = currentGroup(group);
    for (const member of group) currentEntries.set(member, urls?.[member]);
  }
  return currentEntries.get(specifier);
}

/** The group's URLs, if every file its bundle was made from is still what it was (an install changes them). */
function currentGroup(group) {
  if (!PREBUILT) return undefined;
  const folder = new URL('vendor/', PREBUILT);
  try {
    manifest ??= JSON.parse(readFileSync(new URL('manifest.json', folder), 'utf8'));
    const checked = new Set();
    for (const member of group)
      for (const [input, size, mtimeMs] of manifest[member].inputs) {
        if (checked.has(input)) continue;
        checked.add(input);
        const now = statSync(new URL(input, PROJECT), { throwIfNoEntry: false });
        if (now?.size !== size || now.mtimeMs !== mtimeMs) return undefined;
      }
    return Object.fromEntries(group.map((member) => [member, new URL(manifest[member].file, folder).href]));
  } catch {
    return undefined;
  }
}

/**
 * A first run (no compile cache in the temp folder yet) starts from the one .fast-start/ holds, made
 * by a start at build time: copied, since Node writes to the cache it reads, and .fast-start/ stays
 * what the build made. About 10 ms, against compiling everything (100–150 ms before the port opens).
 */
function seedCompileCache() {
  const target = path.join(tmpdir(), 'node-compile-cache');
  if (!PREBUILT || process.env.NODE_COMPILE_CACHE || existsSync(target)) return;
  try {
    cpSync(fileURLToPath(new URL('compile-cache', PREBUILT)), target, { recursive: true });
  } catch {
    // None built: Node compiles, and caches, as usual.
  }
}

function startFast(cli, vendored) {
  requireTypeStripping(cli);
  seedCompileCache();
  nodeModule.enableCompileCache?.();
  if (!nodeModule.registerHooks || !nodeModule.stripTypeScriptTypes) return;
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = vendored ? vendoredUrl(specifier, context.parentURL) : undefined;
      return url ? { url, format: 'module', shortCircuit: true } : nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (!url.startsWith(PROJECT) || !url.endsWith('.ts') || url.includes('/node_modules/'))
        return nextLoad(url, context);
      const source = strippedSource(fileURLToPath(url));
      return source === undefined ? nextLoad(url, context) : { format: 'module', source, shortCircuit: true };
    },
  });
}
