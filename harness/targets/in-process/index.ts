import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import { UserError } from '../../../lib/user-error.ts';
import { assertInstalled, loadConnectorFactory, type ConnectorSource } from '../../connectors/load.ts';
import { FlowRunner } from '../../flow/flow-runner.ts';
import { observed } from '../../flow/observed.ts';
import type { Target } from '../../model.ts';

export interface InProcessOptions {
  /** Another installed connector version, under .connector-versions/<version> (see harness/connectors/load.ts). */
  connectorVersion?: string;
  /** An npm install prefix holding node_modules/@logto/connector-oauth (and -oidc); wins over connectorVersion. */
  connectorPath?: string;
}

export interface InProcessTarget extends Target {
  /** Mock IdPs started so far: one per distinct fixture (per concurrent scenario at most). */
  idpsStarted(): number;
}

/** Runs the published connector code in this process against the embedded mock IdP. */
export function createInProcessTarget(options: InProcessOptions = {}): InProcessTarget {
  const source: ConnectorSource = {
    projectRoot: PACKAGE_ROOT,
    ...(options.connectorVersion ? { version: options.connectorVersion } : {}),
    ...(options.connectorPath ? { path: options.connectorPath } : {}),
  };
  const flows = new FlowRunner(source);

  return {
    name: 'in-process',
    idpsStarted: () => flows.idpsStarted,
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
    observe: async (scenario, context) => observed(await flows.run(scenario, context.signal)),
    close: () => flows.close(),
  };
}
