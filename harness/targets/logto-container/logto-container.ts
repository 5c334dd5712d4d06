import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { bootstrapM2m } from '../../logto-api/bootstrap-m2m.ts';
import { WAIT_FOR_POSTGRES_IMPORT } from './wait-for-postgres.ts';

const PORT = 3001;
/** Where the official image (and ours, built alike) holds Logto; core is packages/core. */
export const LOGTO_ROOT = '/etc/logto';

/**
 * Logto on the stack's network as `logto`, on a database already seeded (the stack's snapshot):
 * core runs as `node .` in packages/core with what `npm start` sets (NODE_ENV=production), without
 * npm's two processes, its connections to PostgreSQL held until PostgreSQL answers (it starts beside it: see
 * WAIT_FOR_POSTGRES).
 * The Secret Vault is on and INTEGRATION_TEST set for the M2M bootstrap. Its ENDPOINT (also its
 * issuer) is the URL this process reaches it at, on the host port given.
 */
export class LogtoContainer extends GenericContainer {
  #databaseUri = '';
  #endpoint = '';

  constructor(image: string) {
    super(image);
    this.withNetworkAliases('logto')
      .withWorkingDir(`${LOGTO_ROOT}/packages/core`)
      .withEntrypoint(['sh', '-c', 'exec node --import "$HARNESS_WAIT_FOR_POSTGRES" .'])
      // The log line, not an HTTP poll: testcontainers polls once a second, half a second lost on average.
      .withWaitStrategy(Wait.forLogMessage(/Core app is running at/))
      .withStartupTimeout(240_000);
  }

  withDatabase(uri: string): this {
    this.#databaseUri = uri;
    return this;
  }

  /** Where this process reaches Logto: http://localhost:<port>. */
  withHostPort(port: number): this {
    this.#endpoint = `http://localhost:${port}`;
    return this.withExposedPorts({ container: PORT, host: port });
  }

  override async start(): Promise<StartedLogtoContainer> {
    this.withEnvironment({
      NODE_ENV: 'production',
      DB_URL: this.#databaseUri,
      HARNESS_POSTGRES: new URL(this.#databaseUri).host,
      HARNESS_WAIT_FOR_POSTGRES: WAIT_FOR_POSTGRES_IMPORT,
      ENDPOINT: this.#endpoint,
      TRUST_PROXY_HEADER: '1',
      SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
      INTEGRATION_TEST: 'true',
    });
    const started = new StartedLogtoContainer(await super.start(), this.#endpoint);
    await started.answering();
    return started;
  }
}

export class StartedLogtoContainer extends AbstractStartedContainer {
  /** Logto's user endpoint as this process reaches it (also its issuer). */
  readonly endpoint: string;

  constructor(started: StartedTestContainer, endpoint: string) {
    super(started);
    this.endpoint = endpoint;
  }

  /**
   * Until GET /api/status answers 204 (the first call also loads the default tenant), every 100 ms:
   * core listens when its log line says so, so this normally passes at the first call.
   */
  async answering(timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = '';
    while (performance.now() < deadline) {
      try {
        const response = await fetch(`${this.endpoint}/api/status`, { signal: AbortSignal.timeout(10_000) });
        if (response.status === 204) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(100);
    }
    throw new Error(
      `Logto at ${this.endpoint} logged that it runs, but GET /api/status did not answer 204 (last: ${last})`,
    );
  }

  /** An M2M app with the Management API role, for the Logto target (see bootstrapM2m). */
  bootstrapM2m(options: { timeoutMs?: number } = {}): Promise<{ appId: string; appSecret: string }> {
    return bootstrapM2m(this.endpoint, options);
  }
}
