import { fixtureSecrets } from './fixture-secrets.ts';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fixtureFromDocument, loadFixture } from '../../mock-idp/fixture/load.ts';
import { rememberSecrets } from '../../lib/mask.ts';
import { readStructuredFile, validateDocument, type LocatedDocument } from '../../lib/structured-file.ts';
import { UserError, fieldPath, type Problem } from '../../lib/user-error.ts';
import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import type { Scenario } from './scenario.ts';
import { nearest } from '../../lib/did-you-mean.ts';
import { findProvider, providerForEndpoints, providers } from '../providers/catalog.ts';
import { libraryProviderFixture, scenarioFromConfig } from './bare-config.ts';
import { documentKind } from './document-kind.ts';
import { withEnvReferences } from './env-references.ts';
import { endpointsElsewhere, pointAtFixture } from './idp-endpoints.ts';
import { scenarioListSchema, scenarioSchema } from './schema.ts';

const SCENARIO_FILE = /\.(ya?ml|json)$/i;

const nearestProvider = (id: string) => {
  const meant = nearest(
    id,
    providers.map((entry) => entry.id),
  );
  return meant ? `: did you mean ${meant}?` : '';
};

/** What a file that is no scenario is, and what to do with it. */
const NOT_A_SCENARIO = {
  fixture: (file: string) => ({
    message: 'this is a mock-idp fixture (clients, users), not a scenario',
    hint:
      `validate it with \`mock-idp validate ${file}\`, serve it with \`mock-idp serve\`` +
      `, or name it from a scenario: idp: { fixture: ${path.basename(file)} }`,
  }),
  other: {
    message: 'neither a scenario nor a connector config',
    hint:
      'a scenario has name, config (or connectorObject) and idp;' +
      ' a connector config (as pasted from the Logto Console) has authorizationEndpoint, tokenEndpoint, clientId…, and runs as it is',
  },
};

/** Files and folders (searched recursively, sorted) → scenario files. */
export async function expandScenarioPaths(inputs: string[]): Promise<string[]> {
  return (await expandPaths(inputs)).map(({ file }) => file);
}

/** As expandScenarioPaths, and whether each file was found in a folder (there a fixture is skipped, not an error). */
async function expandPaths(inputs: string[]): Promise<Array<{ file: string; inFolder: boolean }>> {
  const files: Array<{ file: string; inFolder: boolean }> = [];
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch {
      throw new UserError({
        file: input,
        message: 'no such file or folder',
        hint: 'give scenario files (YAML or JSON) or a folder of them, e.g. fixtures/scenarios',
      });
    }
    if (info.isDirectory()) {
      files.push(...(await scenarioFilesIn(input)).sort().map((file) => ({ file, inFolder: true })));
    } else {
      files.push({ file: input, inFolder: false });
    }
  }
  if (files.length === 0)
    throw new UserError({
      message: `no scenario files in ${inputs.join(', ')}`,
      hint: 'scenario files end in .yaml, .yml or .json (folders named idp/ hold fixtures and are skipped)',
    });
  return files;
}

/**
 * Scenario files under a folder, following symlinked files and folders (a suite assembled from
 * links is common); each real folder is read once, so a link loop ends.
 */
async function scenarioFilesIn(folder: string, visited = new Set<string>()): Promise<string[]> {
  const real = await realpath(folder);
  if (visited.has(real)) return [];
  visited.add(real);
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const entryPath = path.join(folder, entry.name);
    let isFile = entry.isFile();
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const target = await stat(entryPath).catch(() => undefined);
      if (!target) {
        if (SCENARIO_FILE.test(entry.name))
          throw new UserError({
            file: entryPath,
            message: 'a symlink to nothing (its target is missing)',
            hint: 'fix or remove the link',
          });
        continue;
      }
      isFile = target.isFile();
      isDirectory = target.isDirectory();
    }
    // Folders named idp/ hold fixtures, not scenarios.
    if (isDirectory && entry.name !== 'idp') files.push(...(await scenarioFilesIn(entryPath, visited)));
    else if (isFile && SCENARIO_FILE.test(entry.name)) files.push(entryPath);
  }
  return files;
}

function connectorKind(
  declared: 'oauth2' | 'oidc' | undefined,
  connectorId: string | undefined,
  config: Record<string, unknown>,
): 'oauth2' | 'oidc' {
  if (declared) return declared;
  if (connectorId === 'oidc' || connectorId === 'oauth2') return connectorId;
  return 'idTokenVerificationConfig' in config ? 'oidc' : 'oauth2';
}

/** One scenario file → its scenarios (one, or a `scenarios:` list), fixtures resolved; every mistake names file, line, field. */
export async function loadScenarioFile(file: string, options: { skipFixtures?: boolean } = {}): Promise<Scenario[]> {
  const document = withEnvReferences(await readStructuredFile(file));
  // Whatever prints a scenario (run, list, validate, a mistake in it) masks the secrets it holds, under any name.
  rememberSecrets(document.data);
  const data = document.data;
  const kind = documentKind(data);
  if (kind === 'connector-config' || kind === 'connector-object') {
    const scenario = await scenarioFromConfig(
      file,
      data as Record<string, unknown>,
      libraryProviderFixture(loadScenario),
    );
    return withFixtureSecretsRemembered([scenario]);
  }
  if (kind === 'fixture') {
    // In a folder, a fixture is recognised by what it holds, wherever it lives (not only under idp/).
    if (options.skipFixtures) return [];
    throw new UserError({ file, ...NOT_A_SCENARIO.fixture(file) });
  }
  if (kind === 'other') throw new UserError({ file, ...NOT_A_SCENARIO.other });
  if (kind === 'scenario') return withFixtureSecretsRemembered([await scenarioAt(document, data, [])]);
  const { scenarios: items } = validateDocument(scenarioListSchema, document);
  const scenarios: Scenario[] = [];
  const problems: Problem[] = [];
  for (const [index, item] of items.entries()) {
    try {
      scenarios.push(await scenarioAt(document, item, ['scenarios', index]));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  return withFixtureSecretsRemembered(scenarios);
}

// A fixture file's client secrets and private signing keys, as the scenario's own.
function withFixtureSecretsRemembered(scenarios: Scenario[]): Scenario[] {
  rememberSecrets(...scenarios.map(fixtureSecrets));
  return scenarios;
}

/** One scenario file with a single scenario (the first, for a `scenarios:` list). */
export async function loadScenario(file: string): Promise<Scenario> {
  const [first] = await loadScenarioFile(file);
  return first!;
}

async function scenarioAt(document: LocatedDocument, data: unknown, at: PropertyKey[]): Promise<Scenario> {
  const { file } = document;
  const input = validateDocument(scenarioSchema, document, data, at);
  const objectForm = input.connectorObject;
  const config = (input.config ?? objectForm?.config) as Record<string, unknown>;
  const line = at.length === 0 ? 1 : (document.locate(at)?.line ?? 1);

  let idp: Scenario['idp'];
  if ('url' in input.idp) {
    idp = { kind: 'url', url: input.idp.url };
  } else if (typeof input.idp.fixture === 'string') {
    // From where the file really is: a shipped scenario linked into a suite of one's own keeps its fixture.
    const folder = path.dirname(await realpath(file));
    const fixturePath = path.resolve(folder, input.idp.fixture);
    const fixtureInfo = await stat(fixturePath).catch(() => undefined);
    if (!fixtureInfo?.isFile()) {
      const position = document.locate([...at, 'idp', 'fixture']);
      const linked = folder !== path.dirname(path.resolve(file));
      throw new UserError({
        file,
        line: position?.line,
        field: fieldPath([...at, 'idp', 'fixture']),
        message: `${fixtureInfo ? 'is a folder, not a fixture file' : 'no such fixture file'}: ${fixturePath}`,
        hint:
          `the path is resolved from the scenario's folder (${folder}${linked ? ', where the link points' : ''})` +
          `: write it relative to that folder, or absolute`,
      });
    }
    try {
      idp = {
        kind: 'fixture',
        fixture: await loadFixtureOnce(fixturePath),
        source: path.relative(process.cwd(), fixturePath),
      };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      const position = document.locate([...at, 'idp', 'fixture']);
      const referrer: Problem = {
        file,
        line: position?.line,
        field: fieldPath([...at, 'idp', 'fixture']),
        message: `the fixture it names is not usable (${path.relative(process.cwd(), fixturePath)})`,
      };
      throw new UserError([referrer, ...error.problems]);
    }
  } else {
    idp = {
      kind: 'fixture',
      fixture: fixtureFromDocument(document, input.idp.fixture, [...at, 'idp', 'fixture']),
      source: `${file}:${line} (inline)`,
    };
  }

  if (idp.kind === 'fixture' && input.user && !idp.fixture.users.some((user) => user.id === input.user)) {
    const position = document.locate([...at, 'user']);
    throw new UserError({
      file,
      line: position?.line,
      field: fieldPath([...at, 'user']),
      message: `"${input.user}" is not a user of the fixture`,
      hint: `use one of: ${idp.fixture.users.map((user) => user.id).join(', ')}`,
    });
  }

  const replaceWith = input.link?.replaceWith;
  if (idp.kind === 'fixture' && replaceWith !== undefined) {
    const where = [...at, 'link', 'replaceWith'];
    const users = idp.fixture.users.map((user) => user.id);
    const linked = input.user ?? idp.fixture.defaultUser ?? users[0];
    const problem = !users.includes(replaceWith)
      ? { message: `"${replaceWith}" is not a user of the fixture`, hint: `use one of: ${users.join(', ')}` }
      : replaceWith === linked
        ? {
            message: `"${replaceWith}" is the user who is linked first: replacing an identity with itself changes nothing`,
            hint: `name another user of the fixture: ${users.filter((id) => id !== linked).join(', ') || '(it has no other)'}`,
          }
        : undefined;
    if (problem) throw new UserError({ file, line: document.locate(where)?.line, field: fieldPath(where), ...problem });
  }

  if (input.provider !== undefined && !findProvider(input.provider)) {
    const where = [...at, 'provider'];
    throw new UserError({
      file,
      line: document.locate(where)?.line,
      field: fieldPath(where),
      message: `no provider "${input.provider}" in the library${nearestProvider(input.provider)}`,
      hint: 'connector-harness list-providers shows the ids',
    });
  }
  const provider = input.provider
    ? findProvider(input.provider)
    : providerForEndpoints(config.authorizationEndpoint, config.tokenEndpoint);
  // Requests (and the client secret) go only where the scenario says the IdP is.
  const configAt = input.config ? [...at, 'config'] : [...at, 'connectorObject', 'config'];
  const notes: string[] = [];
  let pointedConfig = config;
  if (idp.kind === 'fixture') {
    const pointed = pointAtFixture(config, idp.fixture);
    pointedConfig = pointed.config;
    for (const rewrite of pointed.rewrites) {
      notes.push(
        `${fieldPath([...configAt, ...rewrite.field.split('.')])} ${rewrite.from} → ${rewrite.to}: ` +
          `the scenario names a fixture, so its IdP answers (nothing is sent to ${new URL(rewrite.from).host})`,
      );
    }
  } else {
    const elsewhere = endpointsElsewhere(config, idp.url);
    if (elsewhere.length > 0) {
      throw new UserError(
        elsewhere.map(({ field, value }) => {
          const where = [...configAt, ...field.split('.')];
          return {
            file,
            line: document.locate(where)?.line,
            field: fieldPath(where),
            message: `${value} is not at the IdP this scenario names (idp.url ${idp.url}): a request and the client secret would go there`,
            hint: `point it at ${new URL(idp.url).origin}, or set idp.url to the IdP you mean`,
          };
        }),
      );
    }
  }

  return {
    file,
    line,
    name: input.name,
    ...(input.description ? { description: input.description } : {}),
    knownBad: input.knownBad,
    connector: connectorKind(input.connector, objectForm?.connectorId, config),
    config: pointedConfig,
    syncProfile: input.syncProfile ?? objectForm?.syncProfile ?? false,
    enableTokenStorage: input.enableTokenStorage ?? objectForm?.enableTokenStorage ?? false,
    idp,
    ...(input.user ? { user: input.user } : {}),
    ...(input.secondSignIn ? { secondSignIn: input.secondSignIn } : {}),
    ...(input.link ? { link: input.link } : {}),
    expect: input.expect,
    ...(notes.length > 0 ? { notes } : {}),
    ...(provider ? { provider: provider.id } : {}),
  };
}

// Fixture files named by many scenarios are read and validated once per run.
const fixtureFiles = new Map<string, Promise<Fixture>>();
function loadFixtureOnce(file: string): Promise<Fixture> {
  let loading = fixtureFiles.get(file);
  if (!loading) {
    loading = loadFixture(file);
    fixtureFiles.set(file, loading);
    loading.catch(() => fixtureFiles.delete(file));
  }
  return loading;
}

/** Loads every scenario, reporting all bad files at once rather than stopping at the first. */
export async function loadScenarios(inputs: string[]): Promise<Scenario[]> {
  const { scenarios, problems } = await loadScenarioSet(inputs);
  if (problems.length > 0) throw new UserError(problems);
  return scenarios;
}

export interface ScenarioSet {
  scenarios: Scenario[];
  /** The files that could not be loaded, each with what is wrong in it: the CLI runs the rest, then exits 2. */
  problems: Problem[];
  /** Files that could not be loaded. */
  badFiles: string[];
}

export interface ScenarioSetOptions {
  /**
   * The files to load, in the order to load them, out of every scenario file the inputs hold (a shard's part). With
   * it, a set with no scenario is no mistake: the part may hold none.
   */
  pick?: (files: string[]) => string[];
}

/** Every scenario that loads, and every problem of the files that do not: one bad file does not stop a suite. */
export async function loadScenarioSet(inputs: string[], options: ScenarioSetOptions = {}): Promise<ScenarioSet> {
  const found = await expandPaths(inputs);
  const files = options.pick
    ? options.pick(found.map(({ file }) => file)).map((file) => found.find((entry) => entry.file === file)!)
    : found;
  const set: ScenarioSet = { scenarios: [], problems: [], badFiles: [] };
  for (const { file, inFolder } of files) {
    try {
      set.scenarios.push(...(await loadScenarioFile(file, { skipFixtures: inFolder })));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      set.problems.push(...error.problems);
      set.badFiles.push(file);
    }
  }
  if (set.scenarios.length === 0 && set.problems.length === 0 && !options.pick) {
    throw new UserError({
      message: `no scenarios in ${inputs.join(', ')}: only mock-idp fixtures`,
      hint: 'give scenario files or connector configs; fixtures are named from a scenario (idp: { fixture: … })',
    });
  }
  return set;
}
