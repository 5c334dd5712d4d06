import { freePort } from '../../../lib/free-port.ts';
import { getContainerRuntimeClient, type StartedNetwork } from 'testcontainers';
import { rejectWhenExited } from './exit-watch.ts';
import { exposeHostPort } from './host-ports.ts';
import { resolveImages, type ResolvedImages } from './images.ts';
import { ensureDbSnapshot } from './db-snapshot.ts';
import { createStackNetwork, newStackId, removeStack, stackLabels, stackName, withoutRyuk } from './stack-cleanup.ts';
import { sweepOrphanedStacks } from './stack-sweep.ts';
import { LogtoContainer } from './logto-container.ts';
import { PostgresStandIn, postgresUri } from './postgres-stand-in.ts';

export { newStackId } from './stack-cleanup.ts';
/** The Management API resource of a self-hosted Logto's default tenant. */
export const OSS_MANAGEMENT_RESOURCE = 'https://default.logto.app/api';

export interface LogtoStack {
  /** Names everything the stack started: containers `connector-harness-<id>-*` labelled connector-harness.stack=<id>, network `connector-harness-<id>`. */
  stackId: string;
  /** Logto's user endpoint as this process reaches it (also its issuer: ENDPOINT is set to it). */
  endpoint: string;
  m2mAppId: string;
  m2mAppSecret: string;
  resource: string;
  /** The stack's network, for a mock IdP container that Logto reaches by its alias. */
  network: StartedNetwork;
  /** What every container of the stack carries (stackLabels): give them to a container added to it. */
  labels: Record<string, string>;
  images: ResolvedImages;
  /** With `hostIdp`: where Logto, inside its container, reaches a mock IdP listening on `idpPort` of this host. */
  idpPublicUrl?: string;
  idpPort?: number;
  /** How long the start took, in ms (images checked → Logto answering with an M2M app). */
  timings: StackTimings;
  /** Removes every container and the network of the stack (by label and name, so also a half-started one). */
  stop(): Promise<void>;
}

export interface StackOptions {
  logtoImage?: string;
  postgresImage?: string;
  /**
   * Also make a host port reachable from Logto, for a mock IdP running in this process (needs the
   * sshd port-forwarder image). Without it the mock IdP runs as a container on the stack network.
   */
  hostIdp?: boolean;
  /** Host port the in-process mock IdP will listen on (default: a free one). */
  idpPort?: number;
  stackId?: string;
  /** --keep-stack: the stack is labelled kept, so no later run's sweep removes it. */
  kept?: boolean;
  /** Per call of the M2M bootstrap (default DEFAULT_API_TIMEOUT_MS). */
  apiTimeoutMs?: number;
  /**
   * Called once the stack's network exists, before PostgreSQL and Logto start: a container that
   * joins the network (the mock IdP's) can start meanwhile. It gets the stack's labels, so the
   * stack's removal removes it too.
   */
  onNetwork?: (network: StartedNetwork, labels: Record<string, string>, images: ResolvedImages) => void;
  log?: (line: string) => void;
}

/** Whether testcontainers can reach a Docker/Podman engine, and if not, why (one line). */
export async function detectContainerRuntime(): Promise<{ available: true } | { available: false; reason: string }> {
  try {
    await getContainerRuntimeClient();
    return { available: true };
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    return {
      available: false,
      reason: `no container runtime reachable (${detail}; DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unset'})`,
    };
  }
}

/**
 * Awaits a container's start, calling `log` every `everyMs` (a start that takes a minute says it
 * is alive) and failing at once, with its last log lines, if the container exits meanwhile.
 */
async function starting<T>(
  container: string,
  work: Promise<T>,
  log: (line: string) => void,
  what: string,
  everyMs = 10_000,
): Promise<T> {
  const started = performance.now();
  const timer = setInterval(
    () => log(`  still ${what} (${Math.round((performance.now() - started) / 1000)} s)`),
    everyMs,
  );
  const watch = new AbortController();
  try {
    return await Promise.race([work, rejectWhenExited(container, watch.signal)]);
  } finally {
    watch.abort();
    clearInterval(timer);
    // The start may still settle after the race was lost: the stack's removal takes care of it.
    work.catch(() => undefined);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Where a stack's start went, in ms (phases in order; PostgreSQL and Logto start side by side). */
export interface StackTimings {
  /** The removal of orphaned stacks (sweepOrphanedStacks). */
  sweep: number;
  /** Every image checked (resolveImages). */
  images: number;
  /** The seeded database snapshot found, or made (the first stack of a pair of images: see `snapshotMade`). */
  snapshot: number;
  snapshotMade: boolean;
  network: number;
  /** PostgreSQL's container started on the snapshot, until it accepts connections. */
  postgres: number;
  /** Logto's container started beside it, until core listens and GET /api/status answers 204. */
  logto: number;
  /** The M2M app made through the Management API (bootstrapM2m). */
  m2m: number;
  /** Images checked → Logto answering with the M2M app, the sweep included. */
  total: number;
}

/**
 * PostgreSQL + Logto (Secret Vault on) on a network of their own, ready for the Logto target;
 * every image is checked first (a missing one is a UserError naming the build command).
 * PostgreSQL starts on the seeded snapshot of its image and Logto's (made once per pair, see
 * ensureDbSnapshot) and Logto's core beside it, directly. stop() removes it all; so does
 * removeStack(stackId) from anywhere (Ctrl-C). First it removes the stacks whose process was
 * killed before it could (sweepOrphanedStacks), one line each.
 */
export async function startLogtoStack(options: StackOptions = {}): Promise<LogtoStack> {
  withoutRyuk();
  const log = options.log ?? (() => {});
  const stackId = options.stackId ?? newStackId();
  const began = performance.now();
  let mark = began;
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - mark);
    mark = now;
    return ms;
  };
  await sweepOrphanedStacks(log).catch((error: unknown) =>
    log(`could not look for orphaned stacks: ${(error as Error).message.split('\n')[0]}`),
  );
  const sweepMs = lap();
  const env = {
    ...process.env,
    ...(options.logtoImage ? { LOGTO_IMAGE: options.logtoImage } : {}),
    ...(options.postgresImage ? { POSTGRES_IMAGE: options.postgresImage } : {}),
  };
  const images = await resolveImages(
    ['postgres', 'logto', 'mockIdp', ...(options.hostIdp ? (['sshd'] as const) : [])],
    log,
    env,
  );
  const imagesMs = lap();
  const name = stackName(stackId);
  const labels = await stackLabels(stackId, { kept: Boolean(options.kept) });
  const logtoPort = await freePort();
  const stop = async () => {
    const removed = await removeStack(stackId);
    if (removed.length > 0) log(`removed ${removed.join(', ')}`);
  };
  try {
    let idpPort: number | undefined;
    if (options.hostIdp) {
      idpPort = options.idpPort ?? (await freePort());
      log(`exposing host port ${idpPort} to the containers (${images.sshd})`);
      // Must precede the containers: it adds host.testcontainers.internal to the ones started after.
      await exposeHostPort(idpPort, images.sshd, labels, log);
    }
    const network = await createStackNetwork(stackId, labels);
    options.onNetwork?.(network, labels, images);
    const networkMs = lap();
    const snapshot = await ensureDbSnapshot(images, log);
    const snapshotMs = lap();
    log(`starting ${images.postgres} (on ${snapshot.image}) and ${images.logto}`);
    const phase = async <T>(work: Promise<T>) => {
      const started = performance.now();
      const value = await work;
      return { value, ms: Math.round(performance.now() - started) };
    };
    const [postgres, logto] = await Promise.all([
      phase(
        starting(
          `${name}-postgres`,
          new PostgresStandIn(snapshot.image)
            .withName(`${name}-postgres`)
            .withLabels(labels)
            .withNetwork(network)
            .withPassword(snapshot.password)
            .withInitialisedData()
            .start(),
          log,
          'waiting for PostgreSQL',
        ),
      ),
      phase(
        starting(
          `${name}-logto`,
          new LogtoContainer(images.logto)
            .withName(`${name}-logto`)
            .withLabels(labels)
            .withNetwork(network)
            .withHostPort(logtoPort)
            .withDatabase(postgresUri(snapshot.password, 'logto'))
            .start(),
          log,
          'waiting for Logto',
        ),
      ),
    ]);
    log(`  PostgreSQL ready in ${seconds(postgres.ms)}, Logto answering in ${seconds(logto.ms)} (side by side)`);
    lap();
    const { endpoint } = logto.value;
    const { appId, appSecret } = await logto.value.bootstrapM2m(
      options.apiTimeoutMs ? { timeoutMs: options.apiTimeoutMs } : {},
    );
    const m2mMs = lap();
    const total = Math.round(performance.now() - began);
    log(`  Logto ready at ${endpoint} in ${seconds(total)} (the whole stack start, M2M app made)`);
    return {
      stackId,
      endpoint,
      m2mAppId: appId,
      m2mAppSecret: appSecret,
      resource: OSS_MANAGEMENT_RESOURCE,
      network,
      labels,
      images,
      ...(idpPort ? { idpPublicUrl: `http://host.testcontainers.internal:${idpPort}`, idpPort } : {}),
      timings: {
        sweep: sweepMs,
        images: imagesMs,
        network: networkMs,
        snapshot: snapshotMs,
        snapshotMade: snapshot.madeMs !== undefined,
        postgres: postgres.ms,
        logto: logto.ms,
        m2m: m2mMs,
        total,
      },
      stop,
    };
  } catch (error) {
    await stop().catch((cleanupError: unknown) => log(`cleanup failed: ${(cleanupError as Error).message}`));
    throw error;
  }
}
