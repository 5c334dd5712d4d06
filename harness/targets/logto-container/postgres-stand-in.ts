import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

// The name the stack's other containers reach it by, on the stack's network.
const ALIAS = 'postgres';
const PORT = 5432;

/**
 * The stack's PostgreSQL (the image the manifest names), reached as `postgres` on the stack's
 * network. Ready at the second "ready to accept connections": the first is the entrypoint's
 * temporary server for the first-start init.
 */
export class PostgresStandIn extends GenericContainer {
  #password = '';

  constructor(image: string) {
    super(image);
    this.withNetworkAliases(ALIAS).withWaitStrategy(
      Wait.forLogMessage(/database system is ready to accept connections/, 2),
    );
  }

  withPassword(password: string): this {
    this.#password = password;
    return this;
  }

  override async start(): Promise<StartedPostgresStandIn> {
    this.withEnvironment({ POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: this.#password });
    return new StartedPostgresStandIn(await super.start(), this.#password);
  }
}

export class StartedPostgresStandIn extends AbstractStartedContainer {
  readonly #password: string;

  constructor(started: StartedTestContainer, password: string) {
    super(started);
    this.#password = password;
  }

  /** A database of it as the stack's other containers reach it. */
  getConnectionUri(database: string): string {
    return `postgres://postgres:${this.#password}@${ALIAS}:${PORT}/${database}`;
  }
}
