import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fixtureFromDocument, loadFixture } from '../../mock-idp/fixture/load.ts';
import { rememberSecrets } from '../../lib/mask.ts';
import { readStructuredFile, validateDocument, type LocatedDocument } from '../../lib/structured-file.ts';
import { UserError, fieldPath, type Problem } from '../../lib/user-error.ts';
import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import type { Scenario } from './scenario.ts';
import { withEnvReferences } from './env-references.ts';
import { scenarioListSchema, scenarioSchema } from './schema.ts';

const SCENARIO_FILE = /\.(ya?ml|json)$/i;

/** Files and folders (searched recursively, sorted) → scenario files. */
export async function expandScenarioPaths(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
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
      files.push(...(await scenarioFilesIn(input)).sort());
    } else {
      files.push(input);
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
export async function loadScenarioFile(file: string): Promise<Scenario[]> {
  const document = withEnvReferences(await readStructuredFile(file));
  // Whatever prints a scenario (run, list, validate, a mistake in it) masks the secrets it holds, under any name.
  rememberSecrets(document.data);
  const data = document.data;
  if (!data || typeof data !== 'object' || Array.isArray(data) || !('scenarios' in data)) {
    return withFixtureSecretsRemembered([await scenarioAt(document, data, [])]);
  }
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

// A fixture file's client secrets, as the scenario's own.
function withFixtureSecretsRemembered(scenarios: Scenario[]): Scenario[] {
  rememberSecrets(
    ...scenarios.map((scenario) => (scenario.idp.kind === 'fixture' ? scenario.idp.fixture.clients : [])),
  );
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
        hint: `the path is resolved from the scenario's folder (${folder}${linked ? ', where the link points' : ''}): write it relative to that folder, or absolute`,
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

  return {
    file,
    line,
    name: input.name,
    ...(input.description ? { description: input.description } : {}),
    knownBad: input.knownBad,
    connector: connectorKind(input.connector, objectForm?.connectorId, config),
    config,
    syncProfile: input.syncProfile ?? objectForm?.syncProfile ?? false,
    enableTokenStorage: input.enableTokenStorage ?? objectForm?.enableTokenStorage ?? false,
    idp,
    ...(input.user ? { user: input.user } : {}),
    ...(input.secondSignIn ? { secondSignIn: input.secondSignIn } : {}),
    expect: input.expect,
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
  const files = await expandScenarioPaths(inputs);
  const problems: Problem[] = [];
  const scenarios: Scenario[] = [];
  for (const file of files) {
    try {
      scenarios.push(...(await loadScenarioFile(file)));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  return scenarios;
}
