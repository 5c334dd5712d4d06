// The seeded database snapshot's naming and the Logto container's wait for PostgreSQL, without an engine.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SNAPSHOT_PGDATA, snapshotTag, volumeOver } from '../../harness/targets/logto-container/db-snapshot.ts';
import { WAIT_FOR_POSTGRES_IMPORT } from '../../harness/targets/logto-container/wait-for-postgres.ts';

const run = promisify(execFile);

describe('the snapshot of a pair of images', () => {
  const postgres = `sha256:${'a'.repeat(12)}${'0'.repeat(52)}`;
  const logto = `sha256:${'b'.repeat(12)}${'0'.repeat(52)}`;

  it('is named by both image ids, so another image of either names another snapshot', () => {
    expect(snapshotTag(postgres, logto)).toBe(`connector-harness/logto-db:v1-${'a'.repeat(12)}-${'b'.repeat(12)}`);
    expect(snapshotTag(postgres, logto.replace('b', 'c'))).not.toBe(snapshotTag(postgres, logto));
    expect(snapshotTag(postgres.replace('a', 'c'), logto)).not.toBe(snapshotTag(postgres, logto));
  });

  it("keeps its data out of the official images' volumes, and sees a volume that would swallow it", () => {
    // The official image declares /var/lib/postgresql/data up to PostgreSQL 17, /var/lib/postgresql from 18.
    expect(volumeOver({ '/var/lib/postgresql/data': {} })).toBeUndefined();
    expect(volumeOver({ '/var/lib/postgresql': {} })).toBeUndefined();
    expect(volumeOver(null)).toBeUndefined();
    expect(volumeOver({ '/var/lib/': {} })).toBe('/var/lib');
    expect(volumeOver({ [SNAPSHOT_PGDATA]: {} })).toBe(SNAPSHOT_PGDATA);
    expect(volumeOver({ '/': {} })).toBe('/');
  });
});

describe("the Logto container's wait for PostgreSQL", () => {
  // Core as a script that does nothing of its own: the process lives as long as the wait does.
  const probe = (address: string, waitMs: number, script = '') =>
    run(process.execPath, ['--import', WAIT_FOR_POSTGRES_IMPORT, '-e', script], {
      env: { ...process.env, HARNESS_POSTGRES: address, HARNESS_POSTGRES_WAIT_MS: String(waitMs) },
    }).then(
      ({ stdout }) => ({ code: 0, stderr: '', stdout }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('gives up with one line when nothing answers in time', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    server.close();
    const started = performance.now();
    const { code, stderr } = await probe(`127.0.0.1:${port}`, 300);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`harness: PostgreSQL at 127.0.0.1:${port} did not accept connections in time`);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('takes a server that accepts the connection but closes it (still starting) for one not ready', async () => {
    const server = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect((await probe(`127.0.0.1:${port}`, 300)).code).toBe(1);
    } finally {
      server.close();
    }
  });

  it('holds a connection to PostgreSQL until it answers as a server ready for a login, and no other', async () => {
    const listening = async (server: Server) => {
      await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
      return (server.address() as { port: number }).port;
    };
    // "PostgreSQL" starting up for 800 ms (it accepts, then closes), then answering with an authentication request.
    let readyAt = Number.POSITIVE_INFINITY;
    const postgres = createServer((socket) => {
      if (Date.now() < readyAt) socket.destroy();
      else socket.end(Buffer.from('R'));
    });
    const other = createServer((socket) => socket.end());
    const [postgresPort, otherPort] = [await listening(postgres), await listening(other)];
    const began = Date.now();
    readyAt = began + 800;
    const script =
      `const net = require('node:net'); const at = (what) => () => console.log(what + ' ' + Date.now());` +
      ` net.connect(${otherPort}, '127.0.0.1', at('other'));` +
      ` new net.Socket().connect(${postgresPort}, '127.0.0.1', at('postgres'));`;
    try {
      const { code, stdout } = (await probe(`127.0.0.1:${postgresPort}`, 10_000, script)) as {
        code: number;
        stdout: string;
      };
      expect(code).toBe(0);
      const when = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => line.split(' '))
          .map(([what, at]) => [what, Number(at)]),
      );
      expect(when.other).toBeLessThan(readyAt);
      expect(when.postgres).toBeGreaterThanOrEqual(readyAt);
    } finally {
      postgres.close();
      other.close();
    }
  });
});
