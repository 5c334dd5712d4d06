import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import { rememberSecrets } from '../../lib/mask.ts';
import { UserError } from '../../lib/user-error.ts';
import { ensureWritableFolder } from '../../lib/writable-folder.ts';
import { loadFixture, parseFixture, type Fixture } from '../../mock-idp/index.ts';
import { assertInstalled, type ConnectorSource } from '../connectors/load.ts';
import type { FollowResult } from '../follow-redirects.ts';
import type { CheckResult, Scenario, ScenarioResult } from '../model.ts';
import { runChecks } from '../checks/index.ts';
import { loadScenario } from '../scenario/load.ts';
import { createInProcessTarget, judgeObservation } from '../targets/in-process/index.ts';
import { runConnectorFlow, type Browser } from '../targets/in-process/run-flow.ts';
import { FIXTURE_FILE, liveSecrets, SCENARIO_FILE, writeRecording, type Recording } from './fixture-writer.ts';
import { loadRecordInput, type RecordInput } from './input.ts';
import type { Person } from './person.ts';
import { startRecordingProxy, type Exchange } from './proxy.ts';
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

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

const folderName = (host: string) => host.replace(/[^A-Za-z0-9.-]+/g, '-');

/** Compares two verdicts check by check. Pure. */
export function verdictDifferences(expected: CheckResult[], actual: CheckResult[]): string[] {
  const before = new Map(expected.map((check) => [check.id, check.status]));
  const after = new Map(actual.map((check) => [check.id, check.status]));
  return [...new Set([...before.keys(), ...after.keys()])].flatMap((id) =>
    before.get(id) === after.get(id)
      ? []
      : [`${id}: ${before.get(id) ?? '(none)'} live → ${after.get(id) ?? '(none)'} replayed`],
  );
}

/**
 * Record once against the real IdP: the real connector runs with its token and userinfo endpoints
 * pointed at a recording proxy, a person (or a script) signs in, and a fixture + scenario that
 * replay what was seen are written, then replayed once to prove they reproduce the live verdicts.
 */
export async function recordProvider(options: RecordOptions): Promise<RecordOutcome> {
  const timeoutMs = options.timeoutMs ?? 30_000;
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
    const realUserinfo = input.config.userInfoEndpoint as string | undefined;
    const host = new URL(realToken).host;
    const out = options.out ?? path.join('fixtures', 'recorded', folderName(host));
    // Before anyone signs in: a sign-in spent on an --out that cannot take the files is lost.
    await ensureWritableFolder(out, '--out', { create: false });
    const proxy = await startRecordingProxy(
      { token: realToken, userinfo: realUserinfo },
      {
        timeoutMs,
        ...(typeof input.config.clientSecret === 'string' ? { clientSecret: input.config.clientSecret } : {}),
      },
    );
    try {
      const liveScenario: Scenario = {
        file: input.file,
        name: `record ${host}`,
        knownBad: false,
        connector: input.connector,
        config: {
          ...input.config,
          tokenEndpoint: proxy.urls.token,
          ...(realUserinfo ? { userInfoEndpoint: proxy.urls.userinfo } : {}),
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
      const started = performance.now();
      const observation = await runConnectorFlow(
        liveScenario,
        { issuer: liveScenario.idp.kind === 'url' ? liveScenario.idp.url : '', journal: proxy.journal },
        source,
        options.signal,
        browser,
      );
      if (personFailure instanceof UserError) throw personFailure;
      const unreachable = proxy.exchanges.find((exchange) => exchange.unreachable);
      if (unreachable)
        throw new UserError({
          file: input.file,
          field: unreachable.endpoint === 'token' ? 'tokenEndpoint' : 'userInfoEndpoint',
          message: `the IdP is unreachable: ${unreachable.unreachable}`,
          hint: 'check the URL and that the IdP is up; nothing was written',
        });
      if (observation.error?.stage === 'idp-redirect' && observation.error.message.startsWith('could not reach')) {
        throw new UserError({
          file: input.file,
          field: 'authorizationEndpoint',
          message: `the IdP is unreachable: ${observation.error.message}`,
          hint: 'check the URL and that the IdP is up; nothing was written',
        });
      }
      const live = judgeObservation(observation, Math.round(performance.now() - started));

      const signedIn: Recording = {
        config: input.config,
        connector: input.connector,
        enableTokenStorage: input.enableTokenStorage,
        ...(authorizationUri ? { authorizationUri } : {}),
        ...(authorizeStop ? { authorizeStop } : {}),
        exchanges: proxy.exchanges,
        observation,
        judge: (expect) =>
          runChecks({ ...observation, scenario: { ...observation.scenario, knownBad: false, expect } }),
        recordedAt: options.now ?? new Date(),
        host,
      };
      // The code, the tokens and the Basic credentials the live run carried: masked in the report too.
      rememberSecrets([...liveSecrets(signedIn)]);
      const recording = writeRecording(signedIn);
      if (options.refresh && !proxy.exchanges.some((exchange) => exchange.form.grant_type === 'refresh_token')) {
        recording.notes.push(
          `--refresh: no refresh was recorded, ${observation.tokenResponse?.refresh_token ? 'the refresh did not reach the IdP (see storage.refresh)' : 'the IdP issued no refresh token (does scope need offline_access?)'}`,
        );
      }
      const fixtureFile = path.join(out, FIXTURE_FILE);
      const scenarioFile = path.join(out, SCENARIO_FILE);
      let changes: ShapeChange[] | undefined;
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
      if (stored) {
        // What this sign-in never reached (a token error stops before userinfo) is not compared: its stub is no answer.
        const reached = (endpoint: string) => proxy.exchanges.some((exchange) => exchange.endpoint === endpoint);
        // (The OIDC connector never calls userinfo: its answer is the id_token.)
        const unreached = reached('token')
          ? input.connector === 'oauth2' && !reached('userinfo')
            ? ['userinfo.']
            : []
          : ['token.', 'refresh.', 'id_token.', 'userinfo.'];
        const compared = (shape: Shape) =>
          Object.fromEntries(
            Object.entries(shape).filter(([key]) => !unreached.some((prefix) => key.startsWith(prefix))),
          );
        changes = diffShapes(compared(fixtureShape(stored)), compared(fixtureShape(parseFixture(recording.fixture))));
        if (unreached.length > 0)
          recording.notes.push(
            `this sign-in stopped before ${reached('token') ? 'userinfo' : 'the token endpoint'}: what lies beyond is not compared with the stored recording`,
          );
      }
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

      const replayScenario = await loadScenario(scenarioFile);
      const liveAsRecorded = judgeObservation(
        {
          ...observation,
          scenario: { ...liveScenario, knownBad: replayScenario.knownBad, expect: recording.liveExpect },
        },
        live.durationMs,
      );
      const target = createInProcessTarget({
        ...(options.connectorVersion ? { connectorVersion: options.connectorVersion } : {}),
        ...(options.connectorPath ? { connectorPath: options.connectorPath } : {}),
      });
      let replay: ScenarioResult;
      try {
        replay = await target.run(replayScenario, {
          progress: () => {},
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } finally {
        await target.close?.();
      }
      return {
        live,
        liveAsRecorded,
        replay,
        replayDiffers: [
          ...verdictDifferences(liveAsRecorded.checks, replay.checks),
          ...(replay.status === 'passed'
            ? []
            : [`the replayed scenario ${replay.status === 'error' ? 'could not run' : 'does not pass'}`]),
        ],
        files: { scenario: scenarioFile, fixture: fixtureFile },
        ...(changes ? { changes } : {}),
        notes: recording.notes,
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
