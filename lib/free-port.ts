import { createServer } from 'node:net';

/** A port nothing listens on right now at 127.0.0.1 (the OS picks it; the caller binds it next). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
