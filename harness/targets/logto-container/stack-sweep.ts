import { hostname } from 'node:os';
import { getContainerRuntimeClient } from 'testcontainers';
import { removeCommand, removeStack, STACK_LABEL, stackName, withoutRyuk } from './stack-cleanup.ts';
import { isKept, processMarker, readOwner, stackState, type StackOwner, type StackState } from './stack-owner.ts';

/** A stack found on the engine by its label (or, from before networks were labelled, its network's name). */
export interface FoundStack {
  stackId: string;
  state: StackState;
  kept: boolean;
  owner?: StackOwner;
  containers: string[];
  network?: string;
  /** When its first container or its network was made. */
  created?: Date;
  /** Logto's URL when its container runs with the port published. */
  logto?: string;
}

const UNLABELLED_NETWORK = /^connector-harness-([0-9a-f]+)$/;

/** Every connector-harness stack on the engine, with its state as seen from this process. */
export async function listStacks(): Promise<FoundStack[]> {
  withoutRyuk();
  const docker = (await getContainerRuntimeClient()).container.dockerode;
  const containers = await docker.listContainers({ all: true, filters: { label: [STACK_LABEL] } });
  const networks = await docker.listNetworks();
  const stacks = new Map<
    string,
    { labels: Array<Record<string, string>>; containers: string[]; network?: string; created: number[]; logto?: string }
  >();
  const entry = (stackId: string) => {
    let stack = stacks.get(stackId);
    if (!stack) stacks.set(stackId, (stack = { labels: [], containers: [], created: [] }));
    return stack;
  };
  for (const container of containers) {
    const stackId = container.Labels[STACK_LABEL]!;
    const stack = entry(stackId);
    const name = container.Names[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12);
    stack.labels.push(container.Labels);
    stack.containers.push(name);
    stack.created.push(container.Created * 1000);
    const port =
      container.State === 'running' && name === `${stackName(stackId)}-logto`
        ? container.Ports.find((candidate) => candidate.PrivatePort === 3001 && candidate.PublicPort)
        : undefined;
    if (port) stack.logto = `http://localhost:${port.PublicPort}`;
  }
  for (const network of networks) {
    const stackId = network.Labels?.[STACK_LABEL] ?? UNLABELLED_NETWORK.exec(network.Name)?.[1];
    if (!stackId || network.Name !== stackName(stackId)) continue;
    const stack = entry(stackId);
    stack.network = network.Name;
    if (network.Labels) stack.labels.push(network.Labels);
    const created = Date.parse(network.Created);
    if (Number.isFinite(created)) stack.created.push(created);
  }
  const host = hostname();
  const found: FoundStack[] = [];
  for (const [stackId, stack] of stacks) {
    const kept = stack.labels.some(isKept);
    const owner = stack.labels.map(readOwner).find(Boolean);
    const markerNow = owner && owner.host === host ? await processMarker(owner.pid) : undefined;
    found.push({
      stackId,
      state: stackState({ kept, ...(owner ? { owner } : {}) }, host, markerNow),
      kept,
      ...(owner ? { owner } : {}),
      containers: stack.containers.sort(),
      ...(stack.network ? { network: stack.network } : {}),
      ...(stack.created.length > 0 ? { created: new Date(Math.min(...stack.created)) } : {}),
      ...(stack.logto ? { logto: stack.logto } : {}),
    });
  }
  return found.sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0));
}

export const ownerText = (owner: StackOwner | undefined) =>
  owner ? `pid ${owner.pid} on ${owner.host}` : 'no owner labels';

/**
 * Removes every orphaned stack (its owner on this host is gone, and it was not kept), one line
 * each; a stack it cannot remove is one line too, not an exception. Returns the ids of both kinds.
 */
export async function sweepOrphanedStacks(
  log: (line: string) => void,
): Promise<{ removed: string[]; failed: string[] }> {
  const removed: string[] = [];
  const failed: string[] = [];
  for (const stack of (await listStacks()).filter((candidate) => candidate.state === 'orphaned')) {
    try {
      const what = await removeStack(stack.stackId, { sessionForwarder: false });
      removed.push(stack.stackId);
      log(
        `removed orphaned stack ${stackName(stack.stackId)} (${ownerText(stack.owner)}, which is gone): ${what.join(', ') || 'nothing left'}`,
      );
    } catch (error) {
      failed.push(stack.stackId);
      log(
        `could not remove orphaned stack ${stackName(stack.stackId)}: ${(error as Error).message.split('\n')[0]}; run: ${removeCommand(stack.stackId)}`,
      );
    }
  }
  return { removed, failed };
}
