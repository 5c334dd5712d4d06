import { getContainerRuntimeClient, getReaper } from 'testcontainers';

/** Every container of a stack carries this label (value: the stack id); its network is named `stackName(id)`. */
export const STACK_LABEL = 'connector-harness.stack';
export const stackName = (stackId: string) => `connector-harness-${stackId}`;

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
 * is disabled because it cannot be pulled where there is no registry). Returns what it removed.
 */
export function removeStack(stackId: string): Promise<string[]> {
  // One removal per stack at a time: Ctrl-C and the failing start it causes both ask for it.
  let removal = inFlight.get(stackId);
  if (!removal) {
    removal = removeNow(stackId).finally(() => inFlight.delete(stackId));
    inFlight.set(stackId, removal);
  }
  return removal;
}

const inFlight = new Map<string, Promise<string[]>>();

async function removeNow(stackId: string): Promise<string[]> {
  withoutRyuk();
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const { sessionId } = await getReaper(client);
  const removed: string[] = [];
  // Twice: a create request in flight during the first pass shows up for the second.
  for (const pass of [1, 2]) {
    if (pass === 2) await new Promise((resolve) => setTimeout(resolve, 500));
    const ours = await docker.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${stackId}`] } });
    const forwarder = await docker.listContainers({ all: true, filters: { name: [`testcontainers-port-forwarder-${sessionId}`] } });
    for (const container of [...ours, ...forwarder]) {
      await docker
        .getContainer(container.Id)
        .remove({ force: true, v: true })
        .then(() => removed.push(container.Names[0]?.replace(/^\//, '') ?? container.Id), (error: unknown) => {
          if (!gone(error)) throw error;
        });
    }
  }
  const networks = await docker.listNetworks({ filters: { name: [stackName(stackId)] } });
  for (const network of networks.filter((candidate) => candidate.Name === stackName(stackId))) {
    // 409 while the engine is still detaching a removed container: try again shortly.
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await docker.getNetwork(network.Id).remove().then(
        () => 'removed' as const,
        (error: unknown) => ((error as { statusCode?: number }).statusCode === 404 ? ('gone' as const) : (error as { statusCode?: number }).statusCode === 409 && attempt < 5 ? ('busy' as const) : Promise.reject(error)),
      );
      if (outcome === 'removed') removed.push(`network ${network.Name}`);
      if (outcome !== 'busy') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return removed;
}
