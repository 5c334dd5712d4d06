import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { GenericContainer } from 'testcontainers';
import { exposeHostPort } from '../../harness/targets/logto-container/host-ports.ts';
import { resolveImages } from '../../harness/targets/logto-container/images.ts';
import {
  removeStack,
  STACK_LABEL,
  stackLabels,
  withoutRyuk,
} from '../../harness/targets/logto-container/stack-cleanup.ts';
import { detectContainerRuntime, newStackId } from '../../harness/targets/logto-container/stack.ts';
import { stackLeftovers } from '../helpers/docker-leftovers.ts';
import { freePort } from '../../lib/free-port.ts';

withoutRyuk();
const runtime = await detectContainerRuntime();
if (!runtime.available)
  console.log(`skipped: host port exposure (sshd port forwarder) — ${runtime.reason}; it needs Docker or Podman`);

describe.skipIf(!runtime.available)('a host port exposed to containers (sshd port forwarder)', () => {
  const stackId = newStackId();
  afterAll(async () => {
    await removeStack(stackId);
    expect(await stackLeftovers(stackId)).toEqual([]);
  }, 60_000);

  it('carries a connection to this process, and survives one to a port where nothing listens', async () => {
    const images = await resolveImages(['sshd', 'mockIdp']);
    const port = await freePort();
    await exposeHostPort(port, images.sshd, await stackLabels(stackId));
    const server = createServer((socket) => socket.end('hello from the host\n')).listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    // Any image with Node will do; the mock IdP's has it.
    const probe =
      `const s = require('net').connect(${port}, 'host.testcontainers.internal');` +
      ` s.on('data', (d) => process.stdout.write('got ' + d));` +
      ` s.on('error', (e) => console.log('error', e.code)); s.on('close', () => console.log('closed'));`;
    const run = async () => {
      const container = await new GenericContainer(images.mockIdp)
        .withLabels({ [STACK_LABEL]: stackId })
        .withEntrypoint(['sleep', 'infinity'])
        .start();
      try {
        return (await container.exec(['node', '-e', probe])).output;
      } finally {
        await container.stop({ timeout: 1 });
      }
    };
    expect(await run()).toContain('got hello from the host');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Nothing listens now: the tunnelled connection is refused on this side. Unguarded, that was an
    // unhandled ECONNREFUSED that killed this process (and the test run with it).
    expect(await run()).toMatch(/closed/);
    expect(await run()).toMatch(/closed/);
  }, 120_000);
});
