// The local stand-in images (containers/build-images.sh) keep the contracts the container suites and
// docker-compose.yml rely on. Real containers on the shared engine, named img-test-*, removed after.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageManifest } from '../../harness/targets/logto-container/image-manifest.ts';

const repo = join(import.meta.dirname, '../..');
const manifest = imageManifest();
const IMAGES = {
  node: manifest.LOCAL_NODE,
  postgres: manifest.LOCAL_POSTGRES,
  sshd: manifest.LOCAL_SSHD,
  mockIdp: manifest.LOCAL_MOCK_IDP,
  logto: manifest.LOCAL_LOGTO,
};
// The source tarball of the manifest's Logto version, where build-images.sh looks for one.
const LOGTO_SOURCE = [join(repo, '../shared/logto-src'), '/work/shared/logto-src']
  .flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []))
  .find((file) => basename(file).startsWith(`logto-${manifest.LOGTO_VERSION}-`) && file.endsWith('.tar.gz'));

const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const engine = spawnSync('docker', ['info'], { timeout: 20_000, stdio: 'ignore' }).status === 0;
const present = (image: string) =>
  engine && spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status === 0;
if (!engine) console.log('skipped: local image tests — no Docker engine answers (containers/engine.sh starts one)');
for (const image of Object.values(IMAGES)) {
  if (engine && !present(image))
    console.log(`skipped: ${image} checks — the image is missing; build it with containers/build-images.sh`);
}

const started: string[] = [];
const run = (name: string, ...args: string[]) => {
  const fullName = `img-test-${name}-${process.pid}`;
  started.push(fullName);
  docker('run', '-d', '--name', fullName, ...args);
  return fullName;
};
const until = async <T>(
  what: string | (() => string),
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};
const logsOf = (name: string) => {
  const result = spawnSync('docker', ['logs', name], { encoding: 'utf8' });
  return result.stdout + result.stderr;
};
const READY = /database system is ready to accept connections/g;

afterAll(() => {
  for (const name of started) spawnSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
});

describe.skipIf(!engine)('containers/engine.sh with an engine already answering', () => {
  it('does nothing, records no pid, and `stop` leaves that engine running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-test-engine-'));
    const env = { ...process.env, HARNESS_DOCKERD_PIDFILE: join(dir, 'dockerd.pid') };
    try {
      const start = execFileSync(join(repo, 'containers/engine.sh'), ['start'], { encoding: 'utf8', env });
      expect(start).toMatch(/already answers .*; nothing to do/);
      expect(existsSync(env.HARNESS_DOCKERD_PIDFILE)).toBe(false);
      const stop = execFileSync(join(repo, 'containers/engine.sh'), ['stop'], { encoding: 'utf8', env });
      expect(stop).toMatch(/left running/);
      expect(spawnSync('docker', ['info'], { stdio: 'ignore' }).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!present(IMAGES.postgres) || !present(IMAGES.sshd))(
  'containers/build-images.sh on a machine that has the images',
  () => {
    it('reuses them without building (one line each)', () => {
      const out = execFileSync(join(repo, 'containers/build-images.sh'), ['postgres', 'sshd'], { encoding: 'utf8' });
      expect(out.trim().split('\n')).toEqual([
        `images: ${manifest.LOCAL_DEBIAN} reused`,
        `images: ${IMAGES.postgres} reused`,
        `images: ${IMAGES.sshd} reused`,
      ]);
    });
  },
);

describe.skipIf(!present(IMAGES.postgres))('the PostgreSQL stand-in', () => {
  it('initialises like the official image: the ready line twice, then the user, password and database from the environment over TCP', async () => {
    const name = run(
      'pg',
      '-e',
      'POSTGRES_USER=harness',
      '-e',
      'POSTGRES_PASSWORD=pg-secret',
      '-e',
      'POSTGRES_DB=harnessdb',
      IMAGES.postgres,
    );
    await until('the second ready line', () => ((logsOf(name).match(READY) ?? []).length >= 2 ? true : undefined));
    const psql = (password: string) =>
      spawnSync(
        'docker',
        [
          'exec',
          '-e',
          `PGPASSWORD=${password}`,
          name,
          'psql',
          '-h',
          '127.0.0.1',
          '-U',
          'harness',
          '-d',
          'harnessdb',
          '-tAc',
          'select current_database()',
        ],
        { encoding: 'utf8' },
      );
    expect(psql('pg-secret').stdout.trim()).toBe('harnessdb');
    expect(psql('wrong').stderr).toMatch(/password authentication failed/);
  }, 90_000);

  it("initialises as compose's `user: postgres` and answers pg_isready (compose's healthcheck)", async () => {
    const name = run('pg-user', '--user', 'postgres', '-e', 'POSTGRES_PASSWORD=p0stgr3s', IMAGES.postgres);
    await until('the second ready line', () => ((logsOf(name).match(READY) ?? []).length >= 2 ? true : undefined));
    expect(docker('exec', name, 'sh', '-c', 'pg_isready')).toMatch(/accepting connections/);
  }, 90_000);
});

describe.skipIf(!present(IMAGES.sshd) || !present(IMAGES.node))(
  'the sshd stand-in as testcontainers’ port forwarder',
  () => {
    let server: Server | undefined;
    let forwarderId: string | undefined;
    afterAll(async () => {
      if (forwarderId) spawnSync('docker', ['rm', '-f', forwarderId], { stdio: 'ignore' });
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    });

    it('lets a container reach a host port through TestContainers.exposeHostPorts', async () => {
      // testcontainers reads both when its module loads; this file runs in its own worker process.
      process.env.SSHD_CONTAINER_IMAGE = IMAGES.sshd;
      process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
      const { GenericContainer, TestContainers, getContainerRuntimeClient, getReaper } = await import('testcontainers');
      server = createServer((_req, res) => res.end('hello from the host'));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      await TestContainers.exposeHostPorts(port);
      // Without Ryuk nobody removes the forwarder; it is named after this process's session only.
      forwarderId = `testcontainers-port-forwarder-${(await getReaper(await getContainerRuntimeClient())).sessionId}`;
      const fetcher = await new GenericContainer(IMAGES.node)
        .withName(`img-test-fetch-${process.pid}`)
        .withCommand([
          'node',
          '-e',
          `fetch('http://host.testcontainers.internal:${port}/').then(r => r.text()).then(t => { console.log('GOT', t); setTimeout(() => {}, 60000); })`,
        ])
        .start();
      started.push(`img-test-fetch-${process.pid}`);
      const got = await until(
        'the fetch through the tunnel',
        () => /GOT (.*)/.exec(logsOf(fetcher.getId()))?.[1],
        30_000,
      );
      expect(got).toBe('hello from the host');
    }, 120_000);
  },
);

describe.skipIf(!present(IMAGES.mockIdp))('the mock IdP image', () => {
  it('serves discovery with the issuer it is given', async () => {
    const name = run(
      'idp',
      '-p',
      '127.0.0.1::4000',
      IMAGES.mockIdp,
      'fixtures/default.yaml',
      '--host',
      '0.0.0.0',
      '--port',
      '4000',
      '--issuer',
      'http://mock-idp:4000',
    );
    const port = docker('port', name, '4000').split('\n')[0]!.split(':').pop();
    const body = await until(
      () => `discovery; the container's logs:\n${logsOf(name)}`,
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`, {
          signal: AbortSignal.timeout(2_000),
        }).catch(() => undefined);
        return response?.ok ? ((await response.json()) as { issuer: string }) : undefined;
      },
      30_000,
    );
    expect(body.issuer).toBe('http://mock-idp:4000');
  }, 60_000);

  it('starts from the .fast-start/ it was built with: its bundle made from the very node_modules it holds', () => {
    // A bundle made from another node_modules (a dev install, then pruned) is stale at every start: the CLI
    // then loads node_modules and compiles everything again, in each stack's IdP container, beside Logto.
    const probe =
      `const fs = require('fs'); const m = JSON.parse(fs.readFileSync('.fast-start/vendor/manifest.json', 'utf8'));` +
      ` const inputs = Object.values(m).flatMap((entry) => entry.inputs);` +
      ` const stale = inputs.filter(([file, size, mtimeMs]) => { const now = fs.statSync(file, { throwIfNoEntry: false });` +
      ` return now?.size !== size || now.mtimeMs !== mtimeMs; }).map(([file]) => file);` +
      ` console.log(JSON.stringify({ inputs: inputs.length, stale, cached: fs.readdirSync('.fast-start/compile-cache').length }));`;
    const found = JSON.parse(docker('run', '--rm', '--entrypoint', 'node', IMAGES.mockIdp, '-e', probe)) as {
      inputs: number;
      stale: string[];
      cached: number;
    };
    expect(found.stale).toEqual([]);
    expect(found.inputs).toBeGreaterThan(100);
    expect(found.cached).toBeGreaterThan(0);
  }, 60_000);
});

describe.skipIf(!present(IMAGES.logto) || !present(IMAGES.postgres))('the Logto image built from source', () => {
  it.skipIf(!LOGTO_SOURCE)(
    'carries the sha256 of the source tarball it was built from (what build-images.sh reuses it by)',
    () => {
      const expected = createHash('sha256').update(readFileSync(LOGTO_SOURCE!)).digest('hex');
      expect(
        docker('image', 'inspect', '-f', '{{ index .Config.Labels "org.logto-harness.source-sha256" }}', IMAGES.logto),
      ).toBe(expected);
      expect(
        docker('image', 'inspect', '-f', '{{ index .Config.Labels "org.logto-harness.logto-version" }}', IMAGES.logto),
      ).toBe(manifest.LOGTO_VERSION);
    },
  );

  it('seeds and serves next to the PostgreSQL stand-in; INTEGRATION_TEST accepts a development-user-id', async () => {
    const network = `img-test-net-${process.pid}`;
    docker('network', 'create', network);
    try {
      const db = run(
        'logto-db',
        '--network',
        network,
        '--network-alias',
        'db',
        '-e',
        'POSTGRES_PASSWORD=p0stgr3s',
        IMAGES.postgres,
      );
      await until('the database', () => ((logsOf(db).match(READY) ?? []).length >= 2 ? true : undefined));
      const logto = run(
        'logto',
        '--network',
        network,
        '-p',
        '127.0.0.1::3001',
        '-e',
        'DB_URL=postgres://postgres:p0stgr3s@db:5432/logto',
        '-e',
        'ENDPOINT=http://localhost:3001',
        '-e',
        'INTEGRATION_TEST=true',
        '--entrypoint',
        'sh',
        IMAGES.logto,
        '-c',
        'npm run cli db seed -- --swe && npm start',
      );
      const port = docker('port', logto, '3001').split('\n')[0]!.split(':').pop();
      const get = (path: string, headers: Record<string, string> = {}) =>
        fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(5_000) }).catch(
          () => undefined,
        );
      const status = await until(
        () => `GET /api/status; the container's logs:\n${logsOf(logto).slice(-3000)}`,
        async () => (await get('/api/status'))?.status,
        150_000,
      );
      expect(status).toBe(204);
      const roles = await get('/api/roles?type=MachineToMachine', { 'development-user-id': 'img-test' });
      expect(roles?.status).toBe(200);
      expect(Array.isArray(await roles!.json())).toBe(true);
    } finally {
      for (const name of started.splice(0)) spawnSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
      spawnSync('docker', ['network', 'rm', network], { stdio: 'ignore' });
    }
  }, 240_000);
});
