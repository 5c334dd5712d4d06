import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenericContainer, getContainerRuntimeClient, ImageName, Wait, type StartedNetwork } from 'testcontainers';
import type { Fixture } from '../../../mock-idp/index.ts';
import type { JournalEntry } from '../../../mock-idp/journal.ts';
import { reissue, type IdpLauncher } from '../logto/idp-launcher.ts';
import { STACK_LABEL, stackName } from './stack-cleanup.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const IDP_PORT = 4000;

export interface ContainerIdpOptions {
  /** An image built from mock-idp/Dockerfile (its entrypoint: `node mock-idp/cli.ts serve`). */
  image: string;
  network: StartedNetwork;
  stackId: string;
}

async function answer(response: Response, what: string): Promise<Response> {
  if (response.ok) return response;
  throw new Error(`the mock IdP container refused ${what}: ${response.status} ${(await response.text()).slice(0, 300)}`);
}

/**
 * Each scenario's mock IdP as a container on the stack's network: Logto reaches it by its alias
 * (`http://<name>:4000`, which is also its issuer, so discovery, the connector config and a
 * client_secret_jwt aud all name the same URL); this process reaches it through the mapped port.
 * The container runs this checkout's mock-idp code (copied over the image's), the same code the
 * in-process prediction runs, so an image built from an older checkout still agrees with it.
 */
export function containerIdpLauncher(options: ContainerIdpOptions): IdpLauncher {
  let workdir: Promise<string> | undefined;
  const imageWorkdir = async () => {
    const client = await getContainerRuntimeClient();
    return (await client.image.inspect(ImageName.fromString(options.image))).Config.WorkingDir || '/app';
  };
  return {
    async launch(fixture: Fixture, name: string) {
      workdir ??= imageWorkdir();
      const dir = await workdir;
      const issuer = `http://${name}:${IDP_PORT}`;
      const container = await new GenericContainer(options.image)
        .withName(`${stackName(options.stackId)}-${name}`)
        .withLabels({ [STACK_LABEL]: options.stackId })
        .withNetwork(options.network)
        .withNetworkAliases(name)
        .withExposedPorts(IDP_PORT)
        .withCopyDirectoriesToContainer([
          { source: path.join(PROJECT_ROOT, 'lib'), target: `${dir}/lib` },
          { source: path.join(PROJECT_ROOT, 'mock-idp'), target: `${dir}/mock-idp` },
        ])
        // JSON is YAML: the fixture as loaded (paths resolved, defaults applied) reads back the same.
        .withCopyContentToContainer([{ content: JSON.stringify(fixture), target: `${dir}/scenario-fixture.json` }])
        .withCommand([`${dir}/scenario-fixture.json`, '--host', '0.0.0.0', '--port', String(IDP_PORT), '--issuer', issuer, '--quiet'])
        .withWaitStrategy(Wait.forHttp('/_health', IDP_PORT))
        .withStartupTimeout(60_000)
        .start();
      const local = `http://${container.getHost()}:${container.getMappedPort(IDP_PORT)}`;
      return {
        issuer,
        reachable: reissue(issuer, local),
        async updateUser(id, patch) {
          await answer(await fetch(`${local}/_users/${encodeURIComponent(id)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) }), `the profile change of ${id}`);
        },
        async journal() {
          return (await (await answer(await fetch(`${local}/_journal`), 'its journal')).json()) as JournalEntry[];
        },
        stop: async () => {
          await container.stop({ timeout: 1 });
        },
      };
    },
  };
}
