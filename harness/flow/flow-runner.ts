import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import type { ConnectorSource } from '../connectors/load.ts';
import type { Scenario } from '../model.ts';
import type { Observation } from '../observation.ts';
import { IdpPool } from './idp-pool.ts';
import { KeyedMutex, localJournal, remoteJournal } from './journal-source.ts';
import { runConnector } from './run-connector.ts';

/**
 * Runs scenarios' connector flows against their IdPs: a fixture's embedded mock IdP (pooled, one
 * leased per running scenario), or the IdP a URL names (its journal read when it is a mock-idp,
 * one run at a time then, so each run's journal slice is its own).
 */
export class FlowRunner {
  readonly #pool = new IdpPool();
  readonly #remoteRuns = new KeyedMutex();
  readonly #source: ConnectorSource;

  constructor(source: ConnectorSource) {
    this.#source = source;
  }

  async run(scenario: Scenario, signal?: AbortSignal): Promise<Observation> {
    const source = this.#source;
    const optional = signal ? { signal } : {};
    if (scenario.idp.kind === 'url') {
      const issuer = scenario.idp.url.replace(/\/$/, '');
      const journal = await remoteJournal(issuer, signal);
      if (!journal) return runConnector({ scenario, idp: { issuer }, source, ...optional });
      return this.#remoteRuns.run(issuer, () =>
        runConnector({ scenario, idp: { issuer, journal }, source, ...optional }),
      );
    }
    const { fixture } = scenario.idp;
    const idp = await this.#pool.lease(fixture);
    try {
      return await runConnector({
        scenario,
        idp: { issuer: idp.issuer, journal: localJournal(idp) },
        source,
        ...optional,
      });
    } finally {
      this.#pool.release(fixture, idp);
    }
  }

  /** Starts an IdP for this fixture ahead of its scenarios (it joins the pool): the first start loads oidc-provider. */
  async warm(fixture: Fixture): Promise<void> {
    this.#pool.release(fixture, await this.#pool.lease(fixture));
  }

  /** Mock IdPs started so far: one per distinct fixture (per concurrent scenario at most). */
  get idpsStarted(): number {
    return this.#pool.started;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
