/**
 * The signal contract (lib/interruption.ts). A command that does not stop by itself at a signal (audit)
 * is ended by the first SIGINT or SIGTERM at once, with 130 or 143 and one line, and writes nothing
 * after it; mock-idp serve stops its server and exits 0. (run and record stop by themselves:
 * test/harness/cli-input.test.ts, test/harness/record/limits.test.ts.)
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARNESS_CLI, MOCK_IDP_CLI, runCli, STACK_LINE } from '../helpers/spawn-cli.ts';
import { standInLogto, type StandInLogto } from '../helpers/stand-in-logto.ts';

const SIGNALS = [
  ['SIGINT', 130, 'Ctrl-C'],
  ['SIGTERM', 143, 'SIGTERM'],
] as const;

const servers: Array<ReturnType<typeof createServer>> = [];
const logtos: StandInLogto[] = [];
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all([
    ...servers.map((server) => new Promise((resolve) => server.close(resolve))),
    ...logtos.map((logto) => logto.stop()),
  ]);
});

/** An IdP that takes every request and never answers; `held` resolves at the first one. */
async function silentIdp(): Promise<{ origin: string; held: Promise<void> }> {
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  const server = createServer(() => arrived());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held };
}

describe('audit --probe', { timeout: 60_000 }, () => {
  it.each(SIGNALS)(
    '%s while an IdP holds the probe: exit %i at once, no report and no export written',
    async (signal, code, said) => {
      const idp = await silentIdp();
      const logto = await standInLogto([
        {
          id: 'slow',
          connectorId: 'oauth2',
          metadata: { target: 'slow', name: { en: 'slow' } },
          syncProfile: false,
          config: {
            authorizationEndpoint: `${idp.origin}/authorize`,
            tokenEndpoint: `${idp.origin}/token`,
            userInfoEndpoint: `${idp.origin}/userinfo`,
            clientId: 'client',
            clientSecret: 'client-secret-0123456789',
            tokenEndpointAuthMethod: 'client_secret_post',
            tokenEndpointResponseType: 'json',
            scope: 'profile',
          },
        },
      ]);
      logtos.push(logto);
      const dir = await mkdtemp(path.join(tmpdir(), 'interrupted-audit-'));
      const [reports, exported] = [path.join(dir, 'reports'), path.join(dir, 'export')];
      let sentAt = 0;
      const run = await runCli(
        HARNESS_CLI,
        [
          'audit',
          '--endpoint',
          logto.endpoint,
          '--m2m-app-id',
          'm2m',
          '--m2m-app-secret',
          'm2m-secret-0123456789',
          '--probe',
          '--reporter',
          'json',
          '--out-dir',
          reports,
          '--export',
          exported,
        ],
        {
          timeoutMs: 45_000,
          // The signal goes when the IdP really holds the probe (its own timeout is 10 s), not after a guessed sleep.
          onSpawn: (child) =>
            void idp.held.then(() => {
              sentAt = performance.now();
              child.kill(signal);
            }),
        },
      );
      expect(run.timedOut).toBe(false);
      expect(performance.now() - sentAt).toBeLessThan(5_000);
      expect(run.code, run.stdout + run.stderr).toBe(code);
      expect(run.stderr).toContain(`interrupted (${said})`);
      expect(run.stderr).not.toMatch(STACK_LINE);
      // The folders exist (checked before the tenant is read), and stay empty: an interrupted audit is no report.
      expect(await readdir(reports)).toEqual([]);
      expect(await readdir(exported)).toEqual([]);
    },
  );
});

describe('mock-idp serve', { timeout: 60_000 }, () => {
  it.each(SIGNALS)('%s once it is up: it stops the server and exits 0, as asked', async (signal) => {
    let sent = false;
    const run = await runCli(MOCK_IDP_CLI, ['serve', 'fixtures/default.yaml', '--port', '0'], {
      timeoutMs: 45_000,
      onStdout: (text, child) => {
        if (!sent && /issuer\s+http:/.test(text)) {
          sent = true;
          child.kill(signal);
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('stopping');
  });
});
