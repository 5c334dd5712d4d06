import { getContainerRuntimeClient } from 'testcontainers';

/** Docker's multiplexed log stream (8-byte frame headers) as plain text. */
function demux(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length && buffer[offset]! <= 2 && buffer.readUInt16BE(offset + 1) === 0) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

/**
 * Resolves never; rejects once the named container has exited, with its last log lines. Raced
 * against a start: testcontainers' HTTP wait would otherwise poll a dead container until its
 * timeout (4 minutes for Logto) and then say only that the URL was not accessible.
 */
export function rejectWhenExited(name: string, signal: AbortSignal, everyMs = 1_000): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    const check = async () => {
      if (signal.aborted) return;
      const docker = (await getContainerRuntimeClient()).container.dockerode;
      const state = await docker
        .getContainer(name)
        .inspect()
        .then(
          (info) => info.State,
          () => undefined,
        );
      if (state && state.Status === 'exited') {
        const logs = await docker
          .getContainer(name)
          .logs({ stdout: true, stderr: true, tail: 25 })
          .then(
            (buffer) => demux(buffer),
            () => '',
          );
        const lines = logs
          .trimEnd()
          .split('\n')
          .map((line) => `    ${line}`)
          .join('\n');
        return reject(
          new Error(`container ${name} exited with code ${state.ExitCode} while starting; its last lines:\n${lines}`),
        );
      }
      if (!signal.aborted) setTimeout(() => void check().catch(() => undefined), everyMs).unref();
    };
    void check().catch(() => undefined);
  });
}
