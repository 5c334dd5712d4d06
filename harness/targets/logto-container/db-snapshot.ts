import { randomBytes } from 'node:crypto';
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import { UserError } from '../../../lib/user-error.ts';
import { LOGTO_ROOT } from './logto-container.ts';
import { PostgresStandIn, postgresUri } from './postgres-stand-in.ts';
import { createStackNetwork, newStackId, removeStack, stackLabels, stackName, withoutRyuk } from './stack-cleanup.ts';

/**
 * The seeded database every stack starts from: a PostgreSQL container on which Logto's CLI ran
 * `db seed` once, stopped cleanly and committed as an image. One per (PostgreSQL image, Logto
 * image) pair, named and labelled by both image ids, so a different image of either makes a new
 * one. A stack then starts PostgreSQL on it (no initdb, no seed) and Logto's core directly.
 */
export const SNAPSHOT_REPOSITORY = 'connector-harness/logto-db';
/** Changes when the way a snapshot is made changes, so an older one is never reused. */
const SNAPSHOT_FORMAT = '1';
export const SNAPSHOT_LABELS = {
  format: 'connector-harness.snapshot.format',
  postgres: 'connector-harness.snapshot.postgres-image',
  logto: 'connector-harness.snapshot.logto-image',
} as const;
/** Not under the official image's VOLUME (/var/lib/postgresql/data; /var/lib/postgresql from 18), which a commit would drop. */
export const SNAPSHOT_PGDATA = '/var/lib/connector-harness/pgdata';

export interface DbSnapshot {
  image: string;
  /** The password of the snapshot's `postgres` user (PostgreSQL listens on the stack's network only). */
  password: string;
  /** How long making it took, in ms, when this call made it. */
  madeMs?: number;
}

const short = (imageId: string) => imageId.replace(/^sha256:/, '').slice(0, 12);

/** The snapshot's tag for a pair of image ids. */
export const snapshotTag = (postgresId: string, logtoId: string) =>
  `${SNAPSHOT_REPOSITORY}:v${SNAPSHOT_FORMAT}-${short(postgresId)}-${short(logtoId)}`;

/** Where a declared VOLUME of the PostgreSQL image would swallow SNAPSHOT_PGDATA (a commit keeps no volume). */
export function volumeOver(
  volumes: Record<string, unknown> | null | undefined,
  path = SNAPSHOT_PGDATA,
): string | undefined {
  return Object.keys(volumes ?? {})
    .map((volume) => volume.replace(/\/+$/, '') || '/')
    .find((volume) => volume === '/' || path === volume || path.startsWith(`${volume}/`));
}

async function docker() {
  return (await getContainerRuntimeClient()).container.dockerode;
}

/**
 * The snapshot for these two images: the one on this engine, else made now (one progress line
 * saying so, one saying how long it took). Making it also removes the snapshots whose images are
 * gone from this engine (they can never be used again).
 */
export async function ensureDbSnapshot(
  images: { postgres: string; logto: string },
  log: (line: string) => void = () => {},
): Promise<DbSnapshot> {
  withoutRyuk();
  const engine = await docker();
  const [postgres, logto] = await Promise.all([
    engine.getImage(images.postgres).inspect(),
    engine.getImage(images.logto).inspect(),
  ]);
  const tag = snapshotTag(postgres.Id, logto.Id);
  const existing = await engine
    .getImage(tag)
    .inspect()
    .catch(() => undefined);
  if (existing) return { image: tag, password: passwordOf(existing.Config.Env) };
  const swallowed = volumeOver(postgres.Config.Volumes);
  if (swallowed)
    throw new UserError({
      field: 'POSTGRES_IMAGE',
      message: `${images.postgres} declares ${swallowed} a volume, which holds ${SNAPSHOT_PGDATA}: the seeded snapshot cannot keep its data`,
      hint: 'use postgres:17-alpine or another image that declares no volume there',
    });
  log(`making the seeded database ${tag} for ${images.postgres} + ${images.logto} (once per pair of images)`);
  const started = performance.now();
  await makeSnapshot(images, tag, { postgres: postgres.Id, logto: logto.Id });
  const madeMs = Math.round(performance.now() - started);
  log(`  made in ${(madeMs / 1000).toFixed(1)} s; every later stack starts from it`);
  await removeStaleSnapshots(log);
  const made = await engine.getImage(tag).inspect();
  return { image: tag, password: passwordOf(made.Config.Env), madeMs };
}

function passwordOf(env: string[] | null | undefined): string {
  const password = env?.find((entry) => entry.startsWith('POSTGRES_PASSWORD='))?.slice('POSTGRES_PASSWORD='.length);
  if (!password)
    throw new Error('the database snapshot has no POSTGRES_PASSWORD: remove it (docker rmi) to have it made again');
  return password;
}

/**
 * PostgreSQL initialised in SNAPSHOT_PGDATA, Logto's CLI seed run against it (`logto db seed --swe
 * --dapc`, node without npm), PostgreSQL stopped cleanly, the container committed. It runs as a
 * stack of its own (labels, network), so a process killed meanwhile leaves an orphan the next
 * stack's sweep removes.
 */
async function makeSnapshot(
  images: { postgres: string; logto: string },
  tag: string,
  ids: { postgres: string; logto: string },
): Promise<void> {
  const stackId = newStackId();
  const name = stackName(stackId);
  const labels = await stackLabels(stackId);
  const password = randomBytes(12).toString('hex');
  try {
    const network = await createStackNetwork(stackId, labels);
    const postgres = await new PostgresStandIn(images.postgres)
      .withName(`${name}-postgres`)
      .withLabels(labels)
      .withNetwork(network)
      .withPassword(password)
      .withDataDirectory(SNAPSHOT_PGDATA)
      .withStartupTimeout(120_000)
      .start();
    await new GenericContainer(images.logto)
      .withName(`${name}-seed`)
      .withLabels(labels)
      .withNetwork(network)
      .withWorkingDir(LOGTO_ROOT)
      // --dapc: the seed's admin password breach check calls api.pwnedpasswords.com, unreachable offline (and pointless here).
      .withEntrypoint(['node', 'packages/cli/bin/logto.js', 'db', 'seed', '--swe', '--dapc'])
      .withEnvironment({ DB_URL: postgresUri(password, 'logto') })
      .withWaitStrategy(Wait.forOneShotStartup())
      .withStartupTimeout(180_000)
      .start();
    const engine = await docker();
    // The image's STOPSIGNAL (SIGINT): a fast shutdown, which checkpoints, so the data is whole without fsync.
    await engine.getContainer(postgres.getId()).stop({ t: 60 });
    await engine.getContainer(postgres.getId()).commit({
      repo: SNAPSHOT_REPOSITORY,
      tag: tag.slice(SNAPSHOT_REPOSITORY.length + 1),
      comment: `Logto's seeded database for ${images.postgres} + ${images.logto}`,
      changes: [
        `LABEL ${SNAPSHOT_LABELS.format}=${SNAPSHOT_FORMAT}`,
        `LABEL ${SNAPSHOT_LABELS.postgres}=${ids.postgres}`,
        `LABEL ${SNAPSHOT_LABELS.logto}=${ids.logto}`,
      ],
    });
  } finally {
    await removeStack(stackId, { sessionForwarder: false });
  }
}

/** Every database snapshot on this engine, with whether both images it was made from are still here. */
export async function listDbSnapshots(): Promise<Array<{ tag: string; id: string; current: boolean }>> {
  const engine = await docker();
  const found = await engine.listImages({ filters: { label: [SNAPSHOT_LABELS.format] } });
  const here = async (id: string | undefined) =>
    Boolean(id) &&
    (await engine
      .getImage(id!)
      .inspect()
      .then(
        () => true,
        () => false,
      ));
  return Promise.all(
    found.map(async (image) => ({
      tag: image.RepoTags?.find((candidate) => candidate.startsWith(`${SNAPSHOT_REPOSITORY}:`)) ?? image.Id,
      id: image.Id,
      current:
        image.Labels?.[SNAPSHOT_LABELS.format] === SNAPSHOT_FORMAT &&
        (await here(image.Labels[SNAPSHOT_LABELS.postgres])) &&
        (await here(image.Labels[SNAPSHOT_LABELS.logto])),
    })),
  );
}

/** Removes the snapshots that can never be used again (an image they were made from is gone, or an older format). */
export async function removeStaleSnapshots(log: (line: string) => void): Promise<string[]> {
  const engine = await docker();
  const removed: string[] = [];
  for (const snapshot of (await listDbSnapshots()).filter((candidate) => !candidate.current)) {
    await engine
      .getImage(snapshot.id)
      .remove({ force: false })
      .then(
        () => {
          removed.push(snapshot.tag);
          log(`removed the database snapshot ${snapshot.tag} (an image it was made from is gone)`);
        },
        // Still used by a container (a kept stack): it goes with a later making.
        () => undefined,
      );
  }
  return removed;
}
