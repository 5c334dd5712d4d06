import type { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';
// Not part of testcontainers' public index; the ssh client it holds is what needs the guard.
import { PortForwarderInstance } from 'testcontainers/build/port-forwarder/port-forwarder.js';
import { GenericContainer, getContainerRuntimeClient, getReaper, TestContainers } from 'testcontainers';

type Accept = () => Duplex;
const guarded = new WeakSet<object>();

/**
 * testcontainers' port forwarder (ssh-remote-port-forward) opens a socket to the host port for
 * each tunnelled connection without an error listener: a container connecting to an exposed host
 * port where nothing listens (the in-process IdP already stopped) crashed this process with an
 * unhandled ECONNREFUSED. This replaces that handler with one that closes the tunnel instead, and
 * keeps an ssh error (the forwarder container removed under it) from crashing the process too.
 */
async function guardPortForwarder(log: (line: string) => void = () => {}): Promise<void> {
  const forwarder = await PortForwarderInstance.getInstance();
  const client = (forwarder as unknown as { sshConnection: { client: EventEmitter } }).sshConnection.client;
  if (guarded.has(client)) return;
  guarded.add(client);
  client.removeAllListeners('tcp connection');
  client.on('tcp connection', (info: { destIP: string; destPort: number }, accept: Accept) => {
    const stream = accept();
    stream.pause();
    const socket = net.connect(info.destPort, info.destIP, () => {
      stream.pipe(socket);
      socket.pipe(stream);
      stream.resume();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      log(
        `port forwarder: nothing answers on host port ${info.destPort} (${error.code ?? error.message}); closing that tunnelled connection`,
      );
      stream.destroy();
    });
    stream.on('error', () => socket.destroy());
  });
  client.on('error', (error: Error) => log(`port forwarder: ${error.message}`));
}

/**
 * Makes `port` of this host reachable from containers started afterwards, at
 * host.testcontainers.internal:<port>, through testcontainers' sshd port forwarder. The forwarder
 * is started here from `sshdImage` (testcontainers reads SSHD_CONTAINER_IMAGE only once, when it
 * loads) with the stack's labels (stackLabels), and testcontainers adopts it as its session's forwarder.
 */
export async function exposeHostPort(
  port: number,
  sshdImage: string,
  labels: Record<string, string>,
  log: (line: string) => void = () => {},
): Promise<void> {
  if (!PortForwarderInstance.isRunning()) {
    const client = await getContainerRuntimeClient();
    const { sessionId } = await getReaper(client);
    await new GenericContainer(sshdImage)
      .withName(`testcontainers-port-forwarder-${sessionId}`)
      .withExposedPorts(22)
      // testcontainers' fixed credentials for its forwarder; it only listens on this machine.
      .withEnvironment({ PASSWORD: 'root' })
      .withLabels({ 'org.testcontainers.sshd': 'true', ...labels })
      .start();
  }
  await TestContainers.exposeHostPorts(port);
  await guardPortForwarder(log);
}
