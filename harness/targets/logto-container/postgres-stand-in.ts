import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

// The name the stack's other containers reach it by, on the stack's network.
const ALIAS = 'postgres';
const PORT = 5432;

/**
 * Settings for a database that lives as long as one test stack: no flush to disk is waited for
 * (a crash loses the stack anyway). The snapshot is taken after a clean shutdown, which writes
 * everything, so it does not depend on them.
 */
export const THROWAWAY_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];

/**
 * The stack's PostgreSQL (the image the manifest names, or the stack's snapshot of it), reached as
 * `postgres` on the stack's network, run with THROWAWAY_SETTINGS. A first start initialises the
 * data directory and is ready at the second "ready to accept connections" (the first is the
 * entrypoint's temporary server); a start on data already there (the snapshot) at the first.
 */
export class PostgresStandIn extends GenericContainer {
  #password = '';
  #readyLines = 2;

  constructor(image: string) {
    super(image);
    this.withNetworkAliases(ALIAS).withCommand([
      'postgres',
      ...THROWAWAY_SETTINGS.flatMap((setting) => ['-c', setting]),
    ]);
  }

  withPassword(password: string): this {
    this.#password = password;
    return this;
  }

  /** PGDATA: a path of the image's own filesystem is kept by `docker commit`; a declared VOLUME is not. */
  withDataDirectory(path: string): this {
    return this.withEnvironment({ PGDATA: path });
  }

  /** The data directory is initialised already (the snapshot): no temporary server, one ready line. */
  withInitialisedData(): this {
    this.#readyLines = 1;
    return this;
  }

  override async start(): Promise<StartedPostgresStandIn> {
    this.withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, this.#readyLines));
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
    return postgresUri(this.#password, database);
  }
}

/** A database of the stack's PostgreSQL as the stack's other containers reach it. */
export const postgresUri = (password: string, database: string) =>
  `postgres://postgres:${password}@${ALIAS}:${PORT}/${database}`;
