import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  Wait,
  type StartedNetwork,
  type StartedTestContainer,
} from 'testcontainers';
import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import type { Fixture } from '../../../mock-idp/index.ts';
import type { JournalEntry } from '../../../mock-idp/journal.ts';
import { reissue, type IdpLauncher, type LaunchedIdp } from '../logto/idp-launcher.ts';
import { stackLabels, stackName } from './stack-cleanup.ts';

const IDP_PORT = 4000;
const SERVER_LOG = '/tmp/mock-idp.log';

export interface ContainerIdpOptions {
  /** An image built from mock-idp/Dockerfile (its entrypoint: `node mock-idp/cli.ts serve`). */
  image: string;
  network: StartedNetwork;
  stackId: string;
  /** The stack's labels (LogtoStack.labels); default: stackLabels(stackId), owned by this process, not kept. */
  labels?: Record<string, string>;
}

async function answer(response: Response, what: string): Promise<Response> {
  if (response.ok) return response;
  throw new Error(
    `the mock IdP container refused ${what}: ${response.status} ${(await response.text()).slice(0, 300)}`,
  );
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** A container on the network, this checkout's code in it, no IdP running yet. */
interface Spare {
  alias: string;
  container: StartedTestContainer;
  /** Where this process reaches its port 4000. */
  local: string;
}

/**
 * Each scenario's mock IdP as a container on the stack's network: Logto reaches it by its alias
 * (`http://idp-<id>:4000`, which is also its issuer, so discovery, the connector config and a
 * client_secret_jwt aud all name the same URL); this process reaches it through the mapped port.
 * The container runs this checkout's mock-idp code (copied over the image's), the same code the
 * in-process prediction runs, so an image built from an older checkout still agrees with it.
 *
 * A container start costs seconds, so the next one is started while a scenario runs (a spare,
 * idle until it gets its fixture), and a used one is removed in the background.
 */
export function containerIdpLauncher(options: ContainerIdpOptions): IdpLauncher & { close(): Promise<void> } {
  let image: Promise<{ workdir: string; entrypoint: string[] }> | undefined;
  const inspect = async () => {
    const client = await getContainerRuntimeClient();
    const { Config } = await client.image.inspect(ImageName.fromString(options.image));
    const entrypoint =
      Array.isArray(Config.Entrypoint) && Config.Entrypoint.length > 0
        ? Config.Entrypoint
        : ['node', 'mock-idp/cli.ts', 'serve'];
    return { workdir: Config.WorkingDir || '/app', entrypoint };
  };
  const background = new Set<Promise<unknown>>();
  const inBackground = (work: Promise<unknown>) => {
    const tracked = work.catch(() => undefined).finally(() => background.delete(tracked));
    background.add(tracked);
  };

  const startSpare = async (): Promise<Spare> => {
    image ??= inspect();
    const { workdir } = await image;
    const labels = options.labels ?? (await stackLabels(options.stackId));
    const alias = `idp-${randomBytes(4).toString('hex')}`;
    const container = await new GenericContainer(options.image)
      .withName(`${stackName(options.stackId)}-${alias}`)
      .withLabels(labels)
      .withNetwork(options.network)
      .withNetworkAliases(alias)
      .withExposedPorts(IDP_PORT)
      .withCopyDirectoriesToContainer([
        { source: path.join(PACKAGE_ROOT, 'lib'), target: `${workdir}/lib` },
        { source: path.join(PACKAGE_ROOT, 'mock-idp'), target: `${workdir}/mock-idp` },
      ])
      // Idle until the IdP is started inside; exits at once on stop.
      .withEntrypoint(['sh', '-c', "trap 'exit 0' TERM INT; echo spare ready; sleep 2147483647 & wait"])
      .withWaitStrategy(Wait.forLogMessage('spare ready'))
      .withStartupTimeout(60_000)
      .start();
    return { alias, container, local: `http://${container.getHost()}:${container.getMappedPort(IDP_PORT)}` };
  };
  let spare: Promise<Spare> | undefined;
  const takeSpare = () => {
    const taken = spare ?? startSpare();
    spare = startSpare();
    spare.catch(() => undefined);
    return taken;
  };

  /** Serves `fixture` in a spare; resolves once it answers `/_health` through the mapped port. */
  const serve = async ({ alias, container, local }: Spare, fixture: Fixture): Promise<string> => {
    const { workdir, entrypoint } = await image!;
    const issuer = `http://${alias}:${IDP_PORT}`;
    // JSON is YAML: the fixture as loaded (paths resolved, defaults applied) reads back the same.
    await container.copyContentToContainer([
      { content: JSON.stringify(fixture), target: `${workdir}/scenario-fixture.json` },
    ]);
    // This process reads the journal through the mapped port, by the name Docker gives it (localhost, or the
    // engine's host when it runs elsewhere): a name the IdP's /_ routes must answer.
    const allowed = ['--allowed-host', new URL(local).host];
    const command = [
      ...entrypoint,
      `${workdir}/scenario-fixture.json`,
      '--host',
      '0.0.0.0',
      '--port',
      String(IDP_PORT),
      '--issuer',
      issuer,
      ...allowed,
      '--quiet',
    ]
      .map(quote)
      .join(' ');
    const started = await container.exec(['sh', '-c', `${command} >${SERVER_LOG} 2>&1 & echo $!`], {
      workingDir: workdir,
    });
    const pid = started.output.trim();
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt += 1) {
      // Docker's port proxy may accept a connection and hold it while nothing listens inside yet.
      const health = await fetch(`${local}/_health`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      if (health?.ok) return issuer;
      // Every second: did the server die (a fixture it refuses, a missing module)?
      const dead = attempt % 10 === 9 && (await container.exec(['sh', '-c', `kill -0 ${pid}`])).exitCode !== 0;
      if (dead || Date.now() > deadline) {
        const log = (await container.exec(['sh', '-c', `tail -n 20 ${SERVER_LOG}`])).output.trimEnd();
        throw new Error(
          `the mock IdP in ${container.getName().replace(/^\//, '')} ${dead ? 'exited' : 'did not answer within 60 s'}:\n${log}`,
        );
      }
      await sleep(100);
    }
  };

  return {
    async launch(fixture: Fixture): Promise<LaunchedIdp> {
      const taken = await takeSpare();
      let issuer: string;
      try {
        issuer = await serve(taken, fixture);
      } catch (error) {
        inBackground(taken.container.stop({ timeout: 1 }));
        throw error;
      }
      const { local } = taken;
      return {
        issuer,
        reachable: reissue(issuer, local),
        async updateUser(id, patch) {
          await answer(
            await fetch(`${local}/_users/${encodeURIComponent(id)}`, {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(patch),
            }),
            `the profile change of ${id}`,
          );
        },
        async journal() {
          return (await (await answer(await fetch(`${local}/_journal`), 'its journal')).json()) as JournalEntry[];
        },
        async stop() {
          inBackground(taken.container.stop({ timeout: 1 }));
        },
      };
    },
    /** Removes the spare and waits for the removals under way. */
    async close() {
      const last = spare;
      spare = undefined;
      if (last) inBackground(last.then((idle) => idle.container.stop({ timeout: 1 })));
      while (background.size > 0) await Promise.all([...background]);
    },
  };
}
