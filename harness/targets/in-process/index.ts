import { availableParallelism } from 'node:os';
import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import { UserError } from '../../../lib/user-error.ts';
import {
  assertInstalled,
  loadConnectorFactory,
  type ConnectorKind,
  type ConnectorSource,
} from '../../connectors/load.ts';
import { FlowRunner } from '../../flow/flow-runner.ts';
import { observed } from '../../flow/observed.ts';
import type { Observed, RunContext, Scenario, Target } from '../../model.ts';
import { secondThread, type ThreadSession } from './second-thread.ts';

export interface InProcessOptions {
  /** Another installed connector version, under .connector-versions/<version> (see harness/connectors/load.ts). */
  connectorVersion?: string;
  /** An npm install prefix holding node_modules/@logto/connector-oauth (and -oidc); wins over connectorVersion. */
  connectorPath?: string;
}

export interface InProcessTarget extends Target {
  /** Mock IdPs started so far: one per distinct fixture (per concurrent scenario at most), on each thread. */
  idpsStarted(): number;
  /** Scenarios observed on the main thread and on the second one (--parallel on several cores). */
  observedPerThread(): [number, number];
}

/** Runs the published connector code in this process against the embedded mock IdP. */
export function createInProcessTarget(options: InProcessOptions = {}): InProcessTarget {
  const source: ConnectorSource = {
    projectRoot: PACKAGE_ROOT,
    ...(options.connectorVersion ? { version: options.connectorVersion } : {}),
    ...(options.connectorPath ? { path: options.connectorPath } : {}),
  };
  const flows = new FlowRunner(source);
  let kinds: ConnectorKind[] = [];
  let second: ThreadSession | undefined;
  let here = 0;
  let observedHere = 0;
  // What the sessions of the second thread that this target closed did (a target may run again after close).
  let observedThere = 0;
  let idpsThere = 0;

  const observeHere = async (scenario: Scenario, context: RunContext): Promise<Observed> => {
    here += 1;
    try {
      const result = observed(await flows.run(scenario, context.signal));
      observedHere += 1;
      return result;
    } finally {
      here -= 1;
    }
  };

  return {
    name: 'in-process',
    idpsStarted: () => flows.idpsStarted + idpsThere + (second?.idpsStarted ?? 0),
    observedPerThread: () => [observedHere, observedThere + (second?.observedCount ?? 0)],
    // Import each connector kind the run needs once, up front: a missing version is bad input (exit 2), not N failures.
    async prepare(scenarios) {
      const needed = new Set(scenarios.map((scenario) => scenario.connector));
      const problems = [...needed].flatMap((kind) => {
        try {
          assertInstalled(kind, source);
          return [];
        } catch (error) {
          if (error instanceof UserError) return error.problems;
          throw error;
        }
      });
      if (problems.length > 0) throw new UserError(problems);
      await Promise.all([...needed].map((kind) => loadConnectorFactory(kind, source)));
      kinds = [...needed];
    },
    /*
     * One thread runs a scenario's connector calls and its IdP's answers in turn. With scenarios at the same time
     * (--parallel) on a machine of several cores, a second thread takes its share: it starts at the first
     * scenario that would wait for another, and takes a scenario whenever it holds fewer than this thread. An IdP
     * given by URL stays on this thread, where its runs take turns (one journal).
     */
    observe(scenario, context) {
      if (scenario.idp.kind === 'fixture' && here > 0 && !second && availableParallelism() > 1) {
        second = secondThread().open({ source, kinds, warmUp: scenario.idp.fixture });
      }
      if (scenario.idp.kind === 'fixture' && second?.available && second.inFlight < here) {
        return second.observe(scenario, context.signal);
      }
      return observeHere(scenario, context);
    },
    close: async () => {
      const closing = second;
      second = undefined;
      observedThere += closing?.observedCount ?? 0;
      idpsThere += closing?.idpsStarted ?? 0;
      await Promise.all([flows.close(), closing?.close()]);
    },
  };
}
