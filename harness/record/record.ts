import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { interruption, InterruptedError, throwIfInterrupted } from '../../lib/interruption.ts';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import { rememberSecrets } from '../../lib/mask.ts';
import { UserError } from '../../lib/user-error.ts';
import { ensureWritableFolder } from '../../lib/writable-folder.ts';
import { loadFixture, parseFixture, type Fixture } from '../../mock-idp/index.ts';
import { assertInstalled, type ConnectorSource } from '../connectors/load.ts';
import { MAX_REDIRECTS, type FollowResult } from '../follow-redirects.ts';
import type { CheckResult, Scenario, ScenarioResult } from '../model.ts';
import { runChecks } from '../checks/index.ts';
import { loadScenario } from '../scenario/load.ts';
import { observed } from '../flow/observed.ts';
import { runConnector, type Browser } from '../flow/run-connector.ts';
import { scenarioResult } from '../result.ts';
import { runScenario } from '../run.ts';
import { createInProcessTarget } from '../targets/in-process/index.ts';
import { writeRecording, type RecordedFiles } from './fixture-writer.ts';
import { liveSecrets } from './live-secrets.ts';
import { FIXTURE_FILE, SCENARIO_FILE, type Recording } from './recording.ts';
import { loadRecordInput, type RecordInput } from './input.ts';
import type { Person } from './person.ts';
import type { Exchange } from './exchange.ts';
import { MAX_EXCHANGE_BYTES, startRecordingProxy, type RecordingProxy } from './proxy.ts';
import { diffShapes, fixtureShape, type Shape, type ShapeChange } from './shape.ts';

export interface RecordOptions {
  /** A connector config or a scenario file naming the real IdP. */
  input: string;
  /** The folder to write (default: fixtures/recorded/<host>). */
  out?: string;
  person: Person;
  connector?: 'oauth2' | 'oidc';
  /** The IdP user to sign in as (login_hint). */
  user?: string;
  /** Take Logto's token-storage path (getTokenResponseAndUserInfo). */
  tokenStorage?: boolean;
  /** Also record a refresh (implies token storage). */
  refresh?: boolean;
  /** How long any one request to the real IdP may take. */
  timeoutMs?: number;
  connectorVersion?: string;
  connectorPath?: string;
  signal?: AbortSignal;
  /** Pins the time written into the files (tests). */
  now?: Date;
}

/** Check id + status, the part of a verdict a replay must reproduce. */
export const verdictLines = (checks: CheckResult[]) => checks.map((check) => `${check.id}: ${check.status}`);

export interface RecordOutcome {
  /** The live sign-in, judged as the input asked (what `run` would report). */
  live: ScenarioResult;
  /** The live sign-in judged with the recorded scenario's expectations: what the replay must reproduce. */
  liveAsRecorded: ScenarioResult;
  /** The written scenario run against the written fixture, right away. */
  replay: ScenarioResult;
  /** `check: live → replay` lines where the replay disagrees (empty: identical verdicts). */
  replayDiffers: string[];
  files: { scenario: string; fixture: string };
  /** Against the fixture that was in --out before (undefined: a first recording). */
  changes?: ShapeChange[];
  notes: string[];
  /** The raw exchanges the proxy saw, tokens included: for tests, never printed or written. */
  exchanges: Exchange[];
}

/** An exchange the proxy could not record, as the one line the user reads (exit 2, nothing written). */
function refusedExchange(
  file: string,
  endpoint: Exchange['endpoint'],
  refused: NonNullable<Exchange['refused']>,
): Error {
  const field = endpoint === 'token' ? 'tokenEndpoint' : 'userInfoEndpoint';
  const nothing = 'nothing was written';
  switch (refused.kind) {
    case 'interrupted':
      return new InterruptedError(interruption.received() ?? 'SIGINT');
    case 'too-large':
      return new UserError({
        file,
        field,
        message: `the IdP's ${endpoint} answer is too large to record: ${refused.detail}`,
        hint:
          `a ${endpoint} answer is a few kB; is ${field} the IdP's ${endpoint} endpoint?` +
          ` (the proxy reads up to ${MAX_EXCHANGE_BYTES / (1024 * 1024)} MB); ${nothing}`,
      });
    case 'redirect':
      return new UserError({
        file,
        field,
        message: `the IdP answered the ${endpoint} request with a redirect (${refused.detail})`,
        hint:
          `a ${endpoint} endpoint answers directly (RFC 6749 §5.1), and a connector following a redirect loops or leaves the recording:` +
          ` set ${field} to the URL that answers (https? a trailing slash?); ${nothing}`,
      });
    default:
      return new UserError({
        file,
        field,
        message: `the IdP is unreachable: ${refused.detail}`,
        hint: `check the URL and that the IdP is up; ${nothing}`,
      });
  }
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

const folderName = (host: string) => host.replace(/[^A-Za-z0-9.-]+/g, '-');

/** Compares two verdicts check by check. Pure. */
// Checks whose evidence a live recording cannot see: the connector fetches the real IdP's JWKS
// itself, past the proxy, so only the replay's mock IdP journals it.
const SEEN_ONLY_IN_REPLAY = new Set(['mismatch.kid']);

export function verdictDifferences(expected: CheckResult[], actual: CheckResult[]): string[] {
  const before = new Map(expected.map((check) => [check.id, check.status]));
  const after = new Map(actual.map((check) => [check.id, check.status]));
  return [...new Set([...before.keys(), ...after.keys()])].flatMap((id) =>
    before.get(id) === after.get(id) || (!before.has(id) && SEEN_ONLY_IN_REPLAY.has(id))
      ? []
      : [`${id}: ${before.get(id) ?? '(none)'} live → ${after.get(id) ?? '(none)'} replayed`],
  );
}

/** The live sign-in, judged as the input asked, and what the fixture writer takes from it. */
interface LiveSignIn {
  scenario: Scenario;
  result: ScenarioResult;
  startedAt: number;
  signedIn: Recording;
}

/** The written files, and what the writer could not reproduce or found changed since the stored fixture. */
interface WrittenFiles {
  recording: RecordedFiles;
  files: { scenario: string; fixture: string };
  changes?: ShapeChange[];
}

/** What a recording session works with, from the input to the proxy in front of the real IdP. */
interface Session {
  options: RecordOptions;
  input: RecordInput;
  source: ConnectorSource;
  proxy: RecordingProxy;
  /** The real IdP's host (the token endpoint's). */
  host: string;
  out: string;
}

/**
 * Record once against the real IdP: the real connector runs with its token and userinfo endpoints
 * pointed at a recording proxy, a person (or a script) signs in, and a fixture + scenario that
 * replay what was seen are written, then replayed once to prove they reproduce the live verdicts.
 */
export async function recordProvider(options: RecordOptions): Promise<RecordOutcome> {
  const source: ConnectorSource = {
    projectRoot: PACKAGE_ROOT,
    ...(options.connectorVersion ? { version: options.connectorVersion } : {}),
    ...(options.connectorPath ? { path: options.connectorPath } : {}),
  };
  let input: RecordInput | undefined;
  try {
    input = await loadRecordInput(options.input, {
      ...(options.connector ? { connector: options.connector } : {}),
      ...(options.user ? { user: options.user } : {}),
      tokenStorage: Boolean(options.tokenStorage || options.refresh),
    });
    assertInstalled(input.connector, source);
    const realToken = input.config.tokenEndpoint as string;
    const host = new URL(realToken).host;
    const out = options.out ?? path.join('fixtures', 'recorded', folderName(host));
    // Before anyone signs in: a sign-in spent on an --out that cannot take the files is lost.
    await ensureWritableFolder(out, '--out', { create: false });
    const proxy = await startRecordingProxy(
      { token: realToken, userinfo: input.config.userInfoEndpoint as string | undefined },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(typeof input.config.clientSecret === 'string'
          ? { client: { clientId: String(input.config.clientId), clientSecret: input.config.clientSecret } }
          : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    try {
      const session: Session = { options, input, source, proxy, host, out };
      const live = await signInLive(session);
      const written = await writeFiles(session, live);
      const replayed = await replay(session, live, written);
      return {
        live: live.result,
        ...replayed,
        files: written.files,
        ...(written.changes ? { changes: written.changes } : {}),
        notes: written.recording.notes,
        exchanges: proxy.exchanges,
      };
    } finally {
      await proxy.close();
    }
  } finally {
    await options.person.close();
    await input?.stop?.();
  }
}

/**
 * The person signs in at the real IdP while the real connector runs through the proxy; what stops
 * the recording (an interruption, a redirect loop, an unreachable IdP, an exchange the proxy
 * refused) is thrown before anything is written.
 */
async function signInLive({ options, input, source, proxy, host }: Session): Promise<LiveSignIn> {
  const scenario: Scenario = {
    file: input.file,
    name: `record ${host}`,
    knownBad: false,
    connector: input.connector,
    config: {
      ...input.config,
      tokenEndpoint: proxy.urls.token,
      ...(input.config.userInfoEndpoint ? { userInfoEndpoint: proxy.urls.userinfo } : {}),
    },
    syncProfile: false,
    enableTokenStorage: input.enableTokenStorage,
    idp: { kind: 'url', url: new URL(input.config.authorizationEndpoint as string).origin },
    ...(input.user ? { user: input.user } : {}),
    expect: input.expect,
  };
  let authorizationUri: string | undefined;
  let authorizeStop: FollowResult['stoppedAt'];
  let personFailure: unknown;
  const browser: Browser = {
    redirectUri: options.person.redirectUri,
    async signIn(uri, signal) {
      authorizationUri = uri;
      try {
        const followed = await options.person.signIn(uri, signal);
        proxy.noteAuthorize(uri, followed);
        authorizeStop = followed.callbackUrl ? undefined : followed.stoppedAt;
        return followed;
      } catch (error) {
        personFailure = error;
        throw error;
      }
    },
  };
  const startedAt = performance.now();
  const observation = await runConnector({
    scenario,
    idp: { issuer: scenario.idp.kind === 'url' ? scenario.idp.url : '', journal: proxy.journal },
    source,
    ...(options.signal ? { signal: options.signal } : {}),
    browser,
  });
  // Nothing is written once the run is interrupted (Ctrl-C, SIGTERM): what it saw is cut short.
  throwIfInterrupted(options.signal);
  if (authorizeStop?.redirectLoop) {
    throw new UserError({
      file: input.file,
      field: 'authorizationEndpoint',
      message: `the IdP redirects in a loop at authorize (${MAX_REDIRECTS} redirects, the last to ${authorizeStop.url})`,
      hint:
        "a replay of a loop proves nothing: check authorizationEndpoint (the IdP's own authorize URL, https)" +
        ' and sign in once in a browser; nothing was written',
    });
  }
  if (personFailure instanceof UserError) throw personFailure;
  const refused = proxy.exchanges.find((exchange) => exchange.refused);
  if (refused?.refused) throw refusedExchange(input.file, refused.endpoint, refused.refused);
  if (observation.error?.cause === 'unreachable') {
    throw new UserError({
      file: input.file,
      field: 'authorizationEndpoint',
      message: `the IdP is unreachable: ${observation.error.message}`,
      hint: 'check the URL and that the IdP is up; nothing was written',
    });
  }
  const result = scenarioResult({ scenario, target: 'in-process', observed: observed(observation), startedAt });
  const signedIn: Recording = {
    config: input.config,
    connector: input.connector,
    enableTokenStorage: input.enableTokenStorage,
    ...(authorizationUri ? { authorizationUri } : {}),
    ...(authorizeStop ? { authorizeStop } : {}),
    exchanges: proxy.exchanges,
    observation,
    judge: (expect) => runChecks({ ...observation, scenario: { ...observation.scenario, knownBad: false, expect } }),
    recordedAt: options.now ?? new Date(),
    host,
  };
  // The code, the tokens and the Basic credentials the live run carried: masked in the report too.
  rememberSecrets([...liveSecrets(signedIn)]);
  return { scenario, result, startedAt, signedIn };
}

/** The fixture and the scenario that replay the live sign-in, written into --out (unless interrupted first). */
async function writeFiles({ options, input, proxy, out }: Session, live: LiveSignIn): Promise<WrittenFiles> {
  const { observation } = live.signedIn;
  const recording = writeRecording(live.signedIn);
  if (options.refresh && !proxy.exchanges.some((exchange) => exchange.form.grant_type === 'refresh_token')) {
    const why = observation.tokenResponse?.refresh_token
      ? 'the refresh did not reach the IdP (see storage.refresh)'
      : 'the IdP issued no refresh token (does scope need offline_access?)';
    recording.notes.push(`--refresh: no refresh was recorded, ${why}`);
  }
  const fixtureFile = path.join(out, FIXTURE_FILE);
  const scenarioFile = path.join(out, SCENARIO_FILE);
  const changes = await changesSinceStored(fixtureFile, recording, proxy.exchanges, input.connector);
  throwIfInterrupted(options.signal);
  try {
    await ensureWritableFolder(path.dirname(fixtureFile), '--out');
    await writeFile(fixtureFile, recording.fixtureYaml);
    await writeFile(scenarioFile, recording.scenarioYaml);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError({
      field: '--out',
      message: `cannot write the recording into ${out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      hint: 'give a folder you can write to (it is created when missing)',
    });
  }
  return { recording, files: { scenario: scenarioFile, fixture: fixtureFile }, ...(changes ? { changes } : {}) };
}

/** What changed against the fixture already in --out (undefined: none there, or none readable); notes say why. */
async function changesSinceStored(
  fixtureFile: string,
  recording: RecordedFiles,
  exchanges: Exchange[],
  connector: RecordInput['connector'],
): Promise<ShapeChange[] | undefined> {
  let stored: Fixture | undefined;
  if (await exists(fixtureFile)) {
    try {
      stored = await loadFixture(fixtureFile);
    } catch (error) {
      // The sign-in already happened: a broken stored fixture is replaced, not a reason to lose it.
      if (!(error instanceof UserError)) throw error;
      recording.notes.push(
        `the stored ${fixtureFile} is not a valid fixture (${error.problems[0]?.message ?? 'invalid'}): replaced without a comparison`,
      );
    }
  }
  if (!stored) return undefined;
  // What this sign-in never reached (a token error stops before userinfo) is not compared: its stub is no answer.
  const reached = (endpoint: string) => exchanges.some((exchange) => exchange.endpoint === endpoint);
  // (The OIDC connector never calls userinfo: its answer is the id_token.)
  const unreached = reached('token')
    ? connector === 'oauth2' && !reached('userinfo')
      ? ['userinfo.']
      : []
    : ['token.', 'refresh.', 'id_token.', 'userinfo.'];
  const compared = (shape: Shape) =>
    Object.fromEntries(Object.entries(shape).filter(([key]) => !unreached.some((prefix) => key.startsWith(prefix))));
  const changes = diffShapes(compared(fixtureShape(stored)), compared(fixtureShape(parseFixture(recording.fixture))));
  if (unreached.length > 0)
    recording.notes.push(
      `this sign-in stopped before ${reached('token') ? 'userinfo' : 'the token endpoint'}: what lies beyond is not compared with the stored recording`,
    );
  return changes;
}

/**
 * The written scenario run at once against the written fixture, as `run` would, next to the live
 * sign-in judged with the recorded scenario's expectations: their verdicts must be the same.
 */
async function replay(
  { options }: Session,
  live: LiveSignIn,
  written: WrittenFiles,
): Promise<Pick<RecordOutcome, 'liveAsRecorded' | 'replay' | 'replayDiffers'>> {
  const replayScenario = await loadScenario(written.files.scenario);
  const asRecorded = { ...live.scenario, knownBad: replayScenario.knownBad, expect: written.recording.liveExpect };
  const liveAsRecorded = scenarioResult({
    scenario: asRecorded,
    target: 'in-process',
    observed: observed({ ...live.signedIn.observation, scenario: asRecorded }),
    startedAt: live.startedAt,
  });
  const target = createInProcessTarget({
    ...(options.connectorVersion ? { connectorVersion: options.connectorVersion } : {}),
    ...(options.connectorPath ? { connectorPath: options.connectorPath } : {}),
  });
  let replayed: ScenarioResult;
  try {
    replayed = await runScenario(replayScenario, target, {
      progress: () => {},
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    await target.close?.();
  }
  return {
    liveAsRecorded,
    replay: replayed,
    replayDiffers: [
      ...verdictDifferences(liveAsRecorded.checks, replayed.checks),
      ...(replayed.status === 'passed'
        ? []
        : [`the replayed scenario ${replayed.status === 'error' ? 'could not run' : 'does not pass'}`]),
    ],
  };
}
