import { randomBytes } from 'node:crypto';
import path from 'node:path';
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
import { SlotPool } from './slot-pool.ts';
import { stackLabels, stackName } from './stack-cleanup.ts';

const CONTROL_PORT = 4000;
/** More than any useful -p on one Logto: a launch beyond them waits for a slot to be stopped. */
export const SLOT_PORTS: readonly number[] = Array.from({ length: 16 }, (_, index) => 4001 + index);
const READY = 'mock IdP host ready';

export interface ContainerIdpOptions {
  /** An image built from mock-idp/Dockerfile (its working directory holds mock-idp/ and lib/). */
  image: string;
  network: StartedNetwork;
  stackId: string;
  /** The stack's labels (LogtoStack.labels); default: stackLabels(stackId), owned by this process, not kept. */
  labels?: Record<string, string>;
  /** Says when the container is ready, and how long it took. */
  log?: (line: string) => void;
}

async function answer(response: Response, what: string): Promise<Response> {
  if (response.ok) return response;
  const text = await response.text();
  let said = text.slice(0, 300);
  try {
    said = (JSON.parse(text) as { error_description?: string }).error_description ?? said;
  } catch {
    // not JSON: the text as it came
  }
  throw new Error(`the mock IdP container refused ${what}: ${response.status} ${said}`);
}

/** The one IdP container of a stack, as this process reaches it. */
interface Host {
  alias: string;
  container: StartedTestContainer;
  /** Where this process reaches its control API. */
  control: string;
  /** Where this process reaches a slot's port. */
  local: (port: number) => string;
}

/**
 * Every scenario's mock IdP in ONE container on the stack's network (`mock-idp host`, started with
 * the launcher): a scenario's fixture is loaded onto a free slot port over the control API and runs
 * there as a whole mock IdP with its own journal, so no scenario waits for a container or a Node
 * start. Logto reaches a slot by the container's alias (`http://idp-<id>:<port>`, which is also its
 * issuer, so discovery, the connector config and a client_secret_jwt aud all name the same URL);
 * this process reaches it through the port Docker mapped. The container runs this checkout's
 * mock-idp code (copied over the image's), the same code the in-process prediction runs, so an
 * image built from an older checkout still agrees with it.
 */
export function containerIdpLauncher(options: ContainerIdpOptions): IdpLauncher & { close(): Promise<void> } {
  const slots = new SlotPool(SLOT_PORTS);
  const startHost = async (): Promise<Host> => {
    const began = performance.now();
    const client = await getContainerRuntimeClient();
    const { Config } = await client.image.inspect(ImageName.fromString(options.image));
    const workdir = Config.WorkingDir || '/app';
    const labels = options.labels ?? (await stackLabels(options.stackId));
    const alias = `idp-${randomBytes(4).toString('hex')}`;
    // This process calls the control API and reads journals by the name Docker gives the mapped ports
    // (localhost, or the engine's host when it runs elsewhere): a name the host's /_ routes must answer.
    const engineHost = client.info.containerRuntime.host;
    const container = await new GenericContainer(options.image)
      .withName(`${stackName(options.stackId)}-${alias}`)
      .withLabels(labels)
      .withNetwork(options.network)
      .withNetworkAliases(alias)
      .withExposedPorts(CONTROL_PORT, ...SLOT_PORTS)
      .withCopyDirectoriesToContainer(
        ['bin', 'lib', 'mock-idp'].map((folder) => ({
          source: path.join(PACKAGE_ROOT, folder),
          target: `${workdir}/${folder}`,
        })),
      )
      .withWorkingDir(workdir)
      // Through bin/, as a user starts it: from the image's .fast-start/ when it has one (mock-idp/Dockerfile).
      .withEntrypoint(['node', 'bin/mock-idp.js', 'host'])
      .withCommand([
        ...['--host', '0.0.0.0', '--control-port', String(CONTROL_PORT)],
        ...['--ports', `${SLOT_PORTS[0]}-${SLOT_PORTS.at(-1)}`, '--public-host', alias],
        ...['--allowed-host', engineHost, '--quiet'],
      ])
      .withWaitStrategy(Wait.forLogMessage(READY))
      .withStartupTimeout(60_000)
      .start();
    const local = (port: number) => `http://${container.getHost()}:${container.getMappedPort(port)}`;
    const took = ((performance.now() - began) / 1000).toFixed(1);
    options.log?.(`mock IdP container ${alias} ready in ${took} s (${SLOT_PORTS.length} slots)`);
    return { alias, container, control: local(CONTROL_PORT), local };
  };
  // Started at once: it is ready by the time the first scenario has made its connector.
  const host = startHost();
  host.catch(() => undefined);

  return {
    async launch(fixture: Fixture): Promise<LaunchedIdp> {
      const { control, local: localOf } = await host;
      const port = await slots.take();
      let issuer: string;
      try {
        const started = await answer(
          await fetch(`${control}/_slots/${port}`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(fixture),
          }),
          `the fixture on slot ${port}`,
        );
        ({ issuer } = (await started.json()) as { issuer: string });
      } catch (error) {
        slots.give(port);
        throw error;
      }
      const local = localOf(port);
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
          // A slot that could not be stopped stays out of the pool.
          await answer(await fetch(`${control}/_slots/${port}`, { method: 'DELETE' }), `stopping slot ${port}`);
          slots.give(port);
        },
      };
    },
    /** Removes the container. */
    async close() {
      const started = await host.catch(() => undefined);
      await started?.container.stop({ timeout: 1 });
    },
  };
}
