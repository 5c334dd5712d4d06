import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { LogtoStack } from '../../harness/targets/logto-container/stack.ts';

const execute = promisify(execFile);

/** Containers (any state) and networks of a stack, as `docker ps -a` / `docker network ls` show them. */
export async function stackLeftovers(stackId: string): Promise<string[]> {
  const containers = await execute('docker', [
    'ps',
    '-a',
    '--filter',
    `label=connector-harness.stack=${stackId}`,
    '--format',
    '{{.Names}}',
  ]);
  const networks = await execute('docker', [
    'network',
    'ls',
    '--filter',
    `name=connector-harness-${stackId}`,
    '--format',
    '{{.Name}}',
  ]);
  return [
    ...containers.stdout.split('\n'),
    ...networks.stdout.split('\n').map((name) => name && `network ${name}`),
  ].filter(Boolean);
}

/** The stack id the CLI announces on stderr (`starting stack connector-harness-<id>`). */
export const announcedStackId = (stderr: string): string | undefined =>
  /starting stack connector-harness-([0-9a-f]+)/.exec(stderr)?.[1];

/** A file's stack at its end: stopped, and (Ryuk is off) nothing of it left, the port forwarder included. */
export async function stopWithoutLeftovers(stack: LogtoStack | undefined): Promise<void> {
  if (!stack) return;
  await stack.stop();
  expect(await stackLeftovers(stack.stackId)).toEqual([]);
}
