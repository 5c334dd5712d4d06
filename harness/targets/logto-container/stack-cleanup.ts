import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getContainerRuntimeClient, getReaper, StartedNetwork } from 'testcontainers';
import { ownerLabels, thisProcess, type StackOwner } from './stack-owner.ts';

/** Every container of a stack and its network carry this label (value: the stack id); the network is named `stackName(id)`. */
export const STACK_LABEL = 'connector-harness.stack';
export const stackName = (stackId: string) => `connector-harness-${stackId}`;
export const newStackId = (): string => randomBytes(4).toString('hex');

/** The docker commands that remove a stack, for the user to copy. */
export const removeCommand = (stackId: string) =>
  `docker rm -f $(docker ps -aq --filter label=${STACK_LABEL}=${stackId}); docker network rm ${stackName(stackId)}`;

/**
 * The labels of everything a stack starts: its id, its owner (this process unless given) and
 * whether --keep-stack keeps it. Labels cannot change after a container is made, so a
 * --keep-stack stack is marked kept from its start: a run killed midway leaves it for the user
 * too (`connector-harness stacks` lists it), never for the sweep.
 */
export async function stackLabels(
  stackId: string,
  { kept = false, owner }: { kept?: boolean; owner?: StackOwner } = {},
): Promise<Record<string, string>> {
  return { [STACK_LABEL]: stackId, ...ownerLabels(owner ?? (await thisProcess()), kept) };
}

/** The stack's network, labelled like its containers (testcontainers' Network takes no labels). */
export async function createStackNetwork(stackId: string, labels: Record<string, string>): Promise<StartedNetwork> {
  const client = await getContainerRuntimeClient();
  const network = await client.network.create({
    Name: stackName(stackId),
    CheckDuplicate: true,
    Driver: 'bridge',
    Labels: labels,
  });
  return new StartedNetwork(client, stackName(stackId), network);
}

/**
 * Ryuk (testcontainers' reaper) cannot be pulled without a registry; a stack removes what it
 * started itself (stop(), removeStack on Ctrl-C). An explicit TESTCONTAINERS_RYUK_DISABLED wins.
 * Must run before testcontainers first asks for its reaper.
 */
export function withoutRyuk(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
}

const gone = (error: unknown) => [404, 409].includes((error as { statusCode?: number }).statusCode ?? 0);

/**
 * Removes what a stack started, found by its label and name rather than by what this process
 * remembers: a container still being created when Ctrl-C came is not in any list of ours yet.
 * Also removes the port forwarder of this process's testcontainers session (Ryuk would have; it
 * is disabled because it cannot be pulled where there is no registry), unless `sessionForwarder`
 * is false: a stack of another process (an orphan, one named on the command line) is not this
 * session's, and its own forwarder carries its label. Returns what it removed.
 */
export function removeStack(
  stackId: string,
  { sessionForwarder = true }: { sessionForwarder?: boolean } = {},
): Promise<string[]> {
  // One removal per stack at a time: Ctrl-C and the failing start it causes both ask for it.
  let removal = inFlight.get(stackId);
  if (!removal) {
    removal = removeNow(stackId, sessionForwarder).finally(() => inFlight.delete(stackId));
    inFlight.set(stackId, removal);
  }
  return removal;
}

const inFlight = new Map<string, Promise<string[]>>();

async function removeNow(stackId: string, sessionForwarder: boolean): Promise<string[]> {
  withoutRyuk();
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const sessionId = sessionForwarder ? (await getReaper(client)).sessionId : undefined;
  const removed: string[] = [];
  // Twice: a create request in flight during the first pass shows up for the second.
  for (const pass of [1, 2]) {
    if (pass === 2) await sleep(500);
    const ours = await docker.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${stackId}`] } });
    const forwarder = sessionId
      ? await docker.listContainers({ all: true, filters: { name: [`testcontainers-port-forwarder-${sessionId}`] } })
      : [];
    for (const container of [...ours, ...forwarder]) {
      await docker
        .getContainer(container.Id)
        .remove({ force: true, v: true })
        .then(
          () => removed.push(container.Names[0]?.replace(/^\//, '') ?? container.Id),
          (error: unknown) => {
            if (!gone(error)) throw error;
          },
        );
    }
  }
  const networks = await docker.listNetworks({ filters: { name: [stackName(stackId)] } });
  for (const network of networks.filter((candidate) => candidate.Name === stackName(stackId))) {
    // 409 while the engine is still detaching a removed container: try again shortly.
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await docker
        .getNetwork(network.Id)
        .remove()
        .then(
          () => 'removed' as const,
          (error: unknown) => {
            const { statusCode } = error as { statusCode?: number };
            if (statusCode === 404) return 'gone' as const;
            if (statusCode === 409 && attempt < 5) return 'busy' as const;
            throw error;
          },
        );
      if (outcome === 'removed') removed.push(`network ${network.Name}`);
      if (outcome !== 'busy') break;
      await sleep(500);
    }
  }
  return removed;
}
