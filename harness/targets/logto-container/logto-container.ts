import { randomBytes } from 'node:crypto';
import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { bootstrapM2m } from '../../logto-api/bootstrap-m2m.ts';

const PORT = 3001;

/**
 * Logto on the stack's network as `logto`: it seeds its database, then starts (about a minute),
 * with the Secret Vault on and INTEGRATION_TEST set for the M2M bootstrap. Its ENDPOINT (also its
 * issuer) is the URL this process reaches it at, on the host port given.
 */
export class LogtoContainer extends GenericContainer {
  #databaseUri = '';
  #endpoint = '';

  constructor(image: string) {
    super(image);
    this.withNetworkAliases('logto')
      // --dapc: the seed's admin password breach check calls api.pwnedpasswords.com, unreachable offline (and pointless for a throwaway stack).
      .withEntrypoint(['sh', '-c', 'npm run cli db seed -- --swe --dapc && npm start'])
      .withWaitStrategy(Wait.forHttp('/api/status', PORT).forStatusCode(204))
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
      DB_URL: this.#databaseUri,
      ENDPOINT: this.#endpoint,
      TRUST_PROXY_HEADER: '1',
      SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
      INTEGRATION_TEST: 'true',
    });
    return new StartedLogtoContainer(await super.start(), this.#endpoint);
  }
}

export class StartedLogtoContainer extends AbstractStartedContainer {
  /** Logto's user endpoint as this process reaches it (also its issuer). */
  readonly endpoint: string;

  constructor(started: StartedTestContainer, endpoint: string) {
    super(started);
    this.endpoint = endpoint;
  }

  /** An M2M app with the Management API role, for the Logto target (see bootstrapM2m). */
  bootstrapM2m(options: { timeoutMs?: number } = {}): Promise<{ appId: string; appSecret: string }> {
    return bootstrapM2m(this.endpoint, options);
  }
}
