import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import { maskSecrets } from '../../../lib/mask.ts';
import { UserError } from '../../../lib/user-error.ts';
import { runChecks } from '../../checks/index.ts';
import type { RunContext, Scenario, ScenarioResult, Target } from '../../model.ts';
import type { Observation } from '../../observation.ts';
import { observationHops } from '../../hops.ts';
import { verdict } from '../../verdict.ts';
import { assertInstalled, loadConnectorFactory, type ConnectorSource } from '../../connectors/load.ts';
import { IdpPool } from './idp-pool.ts';
import { KeyedMutex, localJournal, remoteJournal } from './journal-source.ts';
import { runConnectorFlow } from './run-flow.ts';

export interface InProcessOptions {
  /** Another installed connector version, under .connector-versions/<version> (see harness/connectors/load.ts). */
  connectorVersion?: string;
  /** An npm install prefix holding node_modules/@logto/connector-oauth (and -oidc); wins over connectorVersion. */
  connectorPath?: string;
}

/** The observation's error plus what the IdP really answered, as a report shows it. */
function reportedError(observation: Observation): ScenarioResult['error'] {
  const { error } = observation;
  if (!error) return undefined;
  const failure = observation.journal.find((entry) => entry.endpoint !== 'login' && entry.response.status >= 400);
  return {
    code: error.logtoCode,
    message: error.message,
    ...(error.logtoStatus ? { status: error.logtoStatus } : {}),
    ...(failure
      ? { idpResponse: { endpoint: failure.endpoint, status: failure.response.status, body: failure.response.body } }
      : {}),
  };
}

/** One observation → the scenario's report: checks (secrets masked), verdict, the error a user would see. */
export function judgeObservation(observation: Observation, durationMs: number): ScenarioResult {
  const { scenario } = observation;
  const checks = maskSecrets(runChecks(observation));
  const { status, missed } = verdict(scenario, checks);
  const error = reportedError(observation);
  return {
    name: scenario.name,
    file: scenario.file,
    ...(scenario.line && scenario.line > 1 ? { line: scenario.line } : {}),
    target: 'in-process',
    knownBad: scenario.knownBad,
    status,
    connectorVersion: observation.connectorVersion,
    checks:
      missed.length > 0 && scenario.knownBad
        ? [
            ...checks,
            {
              id: 'known-bad',
              title: 'Known-bad config caught',
              status: 'fail',
              message: `not caught as expected: missing ${missed.join(', ')}`,
            },
          ]
        : checks,
    ...(error ? { error: maskSecrets(error) } : {}),
    hops: maskSecrets(observationHops(observation)),
    durationMs,
  };
}

export interface InProcessTarget extends Target {
  /** The raw observation of a scenario run (for the Logto target's side-by-side comparison). */
  observe(scenario: Scenario, context?: RunContext): Promise<Observation>;
  /** Mock IdPs started so far: one per distinct fixture (per concurrent scenario at most). */
  idpsStarted(): number;
}

/** Runs the published connector code in this process against the embedded mock IdP. */
export function createInProcessTarget(options: InProcessOptions = {}): InProcessTarget {
  const pool = new IdpPool();
  const remoteRuns = new KeyedMutex();
  const source: ConnectorSource = {
    projectRoot: PACKAGE_ROOT,
    ...(options.connectorVersion ? { version: options.connectorVersion } : {}),
    ...(options.connectorPath ? { path: options.connectorPath } : {}),
  };

  const observe = async (scenario: Scenario, context?: RunContext): Promise<Observation> => {
    if (scenario.idp.kind === 'url') {
      const issuer = scenario.idp.url.replace(/\/$/, '');
      const journal = await remoteJournal(issuer, context?.signal);
      if (!journal) return runConnectorFlow(scenario, { issuer }, source, context?.signal);
      return remoteRuns.run(issuer, () => runConnectorFlow(scenario, { issuer, journal }, source, context?.signal));
    }
    const { fixture } = scenario.idp;
    const idp = await pool.lease(fixture);
    try {
      return await runConnectorFlow(
        scenario,
        { issuer: idp.issuer, journal: localJournal(idp) },
        source,
        context?.signal,
      );
    } finally {
      pool.release(fixture, idp);
    }
  };

  return {
    name: 'in-process',
    observe,
    idpsStarted: () => pool.started,
    // Import each connector kind the run needs once, up front: a missing version is bad input (exit 2), not N failures.
    async prepare(scenarios) {
      const kinds = new Set(scenarios.map((scenario) => scenario.connector));
      const problems = [...kinds].flatMap((kind) => {
        try {
          assertInstalled(kind, source);
          return [];
        } catch (error) {
          if (error instanceof UserError) return error.problems;
          throw error;
        }
      });
      if (problems.length > 0) throw new UserError(problems);
      await Promise.all([...kinds].map((kind) => loadConnectorFactory(kind, source)));
    },
    async run(scenario, context) {
      const started = performance.now();
      return judgeObservation(await observe(scenario, context), Math.round(performance.now() - started));
    },
    close: () => pool.close(),
  };
}
