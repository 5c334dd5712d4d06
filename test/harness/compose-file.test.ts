import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml publishes the mock IdP (its journal, PUT /_users, DELETE /_journal) and a freshly
// seeded Logto: on this machine only, unless HARNESS_BIND says otherwise. Read without Docker, with
// compose's variable syntax substituted as compose does it.
const COMPOSE_FILES = ['docker-compose.yml', 'test/compose/bootstrap.override.yml'];

/** Compose interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`, `$$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$(?:\$|\{(\w+)(?:(:?)-([^}]*))?\}|(\w+))/g,
    (whole, braced?: string, colon?: string, fallback?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare)!;
      const value = env[name];
      if (fallback !== undefined && (value === undefined || (colon === ':' && value === ''))) return fallback;
      return value ?? '';
    },
  );
}

interface Published {
  service: string;
  spec: string;
  hostIp: string | undefined;
}

/** Every published port of a compose file, short (`[ip:]host:container[/proto]`) and long syntax alike. */
async function publishedPorts(file: string, env: Record<string, string>): Promise<Published[]> {
  const document = parse(await readFile(file, 'utf8')) as { services?: Record<string, { ports?: unknown[] }> };
  const published: Published[] = [];
  for (const [service, definition] of Object.entries(document.services ?? {})) {
    for (const port of definition.ports ?? []) {
      if (typeof port === 'object' && port !== null) {
        const hostIp = (port as { host_ip?: string }).host_ip;
        published.push({
          service,
          spec: JSON.stringify(port),
          hostIp: hostIp === undefined ? undefined : interpolate(hostIp, env),
        });
        continue;
      }
      const spec = interpolate(String(port), env).replace(/\/\w+$/, '');
      const ipv6 = /^\[([^\]]+)\]:/.exec(spec);
      const parts = spec.split(':');
      published.push({ service, spec, hostIp: ipv6 ? ipv6[1] : parts.length === 3 ? parts[0] : undefined });
    }
  }
  return published;
}

describe('docker-compose.yml publishes its ports on 127.0.0.1 unless told otherwise', () => {
  it.each(COMPOSE_FILES)('%s: every published port is bound to 127.0.0.1 by default', async (file) => {
    for (const port of await publishedPorts(file, {}))
      expect(`${port.service} ${port.spec}: ${port.hostIp}`).toBe(`${port.service} ${port.spec}: 127.0.0.1`);
  });

  it('publishes Logto, its Admin Console and the mock IdP, and HARNESS_BIND moves all of them', async () => {
    const ports = await publishedPorts('docker-compose.yml', { HARNESS_BIND: '0.0.0.0' });
    expect(ports.map((port) => port.spec)).toEqual(['0.0.0.0:3001:3001', '0.0.0.0:3002:3002', '0.0.0.0:4000:4000']);
  });
});
