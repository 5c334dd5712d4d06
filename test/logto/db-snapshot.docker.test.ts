// The seeded database snapshot on a real engine: made once per pair of images and reused, seeded,
// run with the throwaway settings, left alone by the sweep, and made anew (the old one removed once
// its image is gone) for another Logto image.
import { randomBytes } from 'node:crypto';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDbSnapshot,
  listDbSnapshots,
  removeStaleSnapshots,
  SNAPSHOT_LABELS,
  type DbSnapshot,
} from '../../harness/targets/logto-container/db-snapshot.ts';
import { resolveImages, type ResolvedImages } from '../../harness/targets/logto-container/images.ts';
import { PostgresStandIn } from '../../harness/targets/logto-container/postgres-stand-in.ts';
import { withoutRyuk } from '../../harness/targets/logto-container/stack-cleanup.ts';
import { sweepOrphanedStacks } from '../../harness/targets/logto-container/stack-sweep.ts';
import { detectContainerRuntime } from '../../harness/targets/logto-container/stack.ts';

withoutRyuk();
const runtime = await detectContainerRuntime();
if (!runtime.available) console.log(`skipped: seeded database snapshot — ${runtime.reason}; it needs Docker or Podman`);

const engine = async () => (await getContainerRuntimeClient()).container.dockerode;
const exists = async (image: string) =>
  (await engine())
    .getImage(image)
    .inspect()
    .then(
      () => true,
      () => false,
    );

describe.skipIf(!runtime.available)('the seeded database snapshot', () => {
  let images: ResolvedImages;
  let snapshot: DbSnapshot;
  /** Another Logto image (the same files, one more label: another id), removed again at the end. */
  const derived = `connector-harness-test/logto-derived:${randomBytes(4).toString('hex')}`;
  const log = (line: string) => console.log(line);

  beforeAll(async () => {
    images = await resolveImages(['postgres', 'logto'], log);
    snapshot = await ensureDbSnapshot(images, log);
  }, 300_000);

  afterAll(async () => {
    const docker = await engine();
    await docker
      .getImage(derived)
      .remove()
      .catch(() => undefined);
    await removeStaleSnapshots(log);
  });

  it('is reused by the next call, labelled with both image ids, and no sweep removes it', async () => {
    const again = await ensureDbSnapshot(images);
    expect(again).toEqual({ image: snapshot.image, password: snapshot.password });
    const docker = await engine();
    const { Config } = await docker.getImage(snapshot.image).inspect();
    expect(Config.Labels?.[SNAPSHOT_LABELS.postgres]).toBe((await docker.getImage(images.postgres).inspect()).Id);
    expect(Config.Labels?.[SNAPSHOT_LABELS.logto]).toBe((await docker.getImage(images.logto).inspect()).Id);
    await sweepOrphanedStacks(() => {});
    expect(await exists(snapshot.image)).toBe(true);
  });

  it('starts seeded, without initdb, and runs with the throwaway settings', async () => {
    const postgres = await new PostgresStandIn(snapshot.image)
      .withPassword(snapshot.password)
      .withInitialisedData()
      .withStartupTimeout(60_000)
      .start();
    try {
      const query = async (sql: string) => {
        const { exitCode, output } = await postgres.exec(['psql', '-U', 'postgres', '-d', 'logto', '-tAc', sql]);
        expect(exitCode, output).toBe(0);
        return output.trim();
      };
      expect(
        await query(
          "SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')",
        ),
      ).toBe('fsync=off,full_page_writes=off,synchronous_commit=off');
      // The seed's OIDC keys of both tenants (default, admin).
      expect(await query("SELECT count(*) FROM logto_configs WHERE key = 'oidc.privateKeys'")).toBe('2');
      const logs = await (await engine()).getContainer(postgres.getId()).logs({ stdout: true, stderr: true });
      // initdb's first lines, in the official image as in ours.
      expect(logs.toString()).toContain('ready to accept connections');
      expect(logs.toString()).not.toContain('The database cluster will be initialized');
    } finally {
      await postgres.stop();
    }
  }, 120_000);

  it('another Logto image gets a snapshot of its own; once that image is gone, its snapshot is stale and removed, the current one kept', async () => {
    const docker = await engine();
    const container = await docker.createContainer({ Image: images.logto, Labels: {} });
    const [repo, tag] = derived.split(':') as [string, string];
    await container.commit({ repo, tag, changes: ['LABEL connector-harness-test.derived=true'] });
    await container.remove();
    const other = await ensureDbSnapshot({ postgres: images.postgres, logto: derived }, log);
    expect(other.madeMs).toBeGreaterThan(0);
    expect(other.image).not.toBe(snapshot.image);
    await docker.getImage(derived).remove();
    const listed = await listDbSnapshots();
    expect(listed.find((found) => found.tag === other.image)?.current).toBe(false);
    expect(listed.find((found) => found.tag === snapshot.image)?.current).toBe(true);
    expect(await removeStaleSnapshots(() => {})).toContain(other.image);
    expect(await exists(other.image)).toBe(false);
    expect(await exists(snapshot.image)).toBe(true);
  }, 300_000);
});
