/**
 * Hostile IdPs whose token errors quote the client's request back (the form as sent, the decoded Basic
 * credentials, base64, JSON and HTML escapes): neither what `record` writes nor what any command prints
 * may hold the client secret in any of those encodings.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { scriptedPerson } from '../../../harness/record/person.ts';
import { recordProvider } from '../../../harness/record/record.ts';
import { HARNESS_CLI, runCli, STACK_LINE } from '../../helpers/spawn-cli.ts';
import {
  encodingsOf,
  HOSTILE_ERROR_TYPES,
  HOSTILE_ID,
  HOSTILE_SECRET,
  hostileIdp,
  quotingTheRequest,
  writeConfig,
  type RealIdp,
} from './real-idps.ts';

const running: RealIdp[] = [];
afterAll(async () => {
  await Promise.all(running.map((idp) => idp.stop()));
});

async function started(idp: Promise<RealIdp>): Promise<RealIdp> {
  running.push(await idp);
  return running.at(-1)!;
}

// The text with every escape an IdP (or a writer) may have put around a value undone, again and again: HTML
// entities, JSON escapes, percent escapes (and `+` as a space). A secret that survives any of those is found.
function unescaped(text: string): string[] {
  const seen = new Set<string>([text]);
  let current = [text];
  for (let round = 0; round < 3; round += 1) {
    current = current
      .flatMap((value) => [
        value
          .replace(/&quot;/g, '"')
          .replace(/&#x2F;/gi, '/')
          .replace(/&#47;/g, '/')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&'),
        value
          .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
          .replace(/\\(["/\\])/g, '$1'),
        value.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
          try {
            return decodeURIComponent(run);
          } catch {
            return run;
          }
        }),
        value.replace(/\+/g, ' ').replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
          try {
            return decodeURIComponent(run);
          } catch {
            return run;
          }
        }),
      ])
      .filter((value) => !seen.has(value) && seen.add(value));
  }
  return [...seen];
}

// The distinctive middle of the secret (longer than any prefix a mask shows), its `+` or space as it may have decoded.
const MIDDLE = /secret[+ ]with=equals|equals & "quotes"/;

/** Fails naming the encoding when `text` holds the secret in any form this test knows, or in base64 of any run. */
function expectNoSecret(text: string, where: string): void {
  for (const form of encodingsOf(HOSTILE_SECRET))
    expect(text.includes(form), `${where} holds ${JSON.stringify(form.slice(0, 40))}`).toBe(false);
  for (const run of text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
    for (const decoded of [
      Buffer.from(run, 'base64').toString('utf8'),
      Buffer.from(run, 'base64url').toString('utf8'),
    ]) {
      for (const plain of unescaped(decoded))
        expect(MIDDLE.test(plain), `${where} holds base64 ${run.slice(0, 24)}…`).toBe(false);
    }
  }
  // Through any stack of escapes.
  for (const plain of unescaped(text))
    expect(MIDDLE.test(plain), `${where} holds the secret under escapes`).toBe(false);
}

const AUTH_METHODS = ['client_secret_post', 'client_secret_basic'] as const;

const endpointsAt = (issuer: string) => ({
  authorizationEndpoint: `${issuer}/authorize`,
  tokenEndpoint: `${issuer}/token`,
  userInfoEndpoint: `${issuer}/userinfo`,
});

describe('record: the files it writes hold no encoding of the client secret', { timeout: 60_000 }, () => {
  for (const type of Object.keys(HOSTILE_ERROR_TYPES) as Array<keyof typeof HOSTILE_ERROR_TYPES>) {
    for (const method of AUTH_METHODS) {
      it(`a ${type} token error quoting the request (${method})`, async () => {
        const idp = await started(hostileIdp(type, method));
        const out = await mkdtemp(path.join(tmpdir(), 'recorded-hostile-'));
        const outcome = await recordProvider({ input: await writeConfig(idp.config), out, person: scriptedPerson() });
        // Not vacuous: the IdP did quote the secret, in every encoding the check looks for.
        const answered = outcome.exchanges.find((exchange) => exchange.endpoint === 'token')!;
        const raw = `${answered.body} ${answered.responseHeaders['www-authenticate'] ?? ''}`;
        if (type === 'text') for (const form of encodingsOf(HOSTILE_SECRET)) expect(raw).toContain(form);
        const quoted =
          method === 'client_secret_basic'
            ? /decoded=hostile-client:hostile\/secret/
            : /client_secret=hostile%2Fsecret%2Bwith%3Dequals\+%26/;
        expect(
          unescaped(raw).some((text) => quoted.test(text)),
          raw.slice(0, 200),
        ).toBe(true);

        for (const file of [outcome.files.fixture, outcome.files.scenario])
          expectNoSecret(await readFile(file, 'utf8'), file);
        // The replay still reproduces the refusal: removing the secret kept the fixture a fixture.
        expect(outcome.replayDiffers).toEqual([]);
      });
    }
  }
});

describe('every command prints no encoding of the client secret', { timeout: 90_000 }, () => {
  for (const method of AUTH_METHODS) {
    it(`record, then run against the same IdP (${method})`, async () => {
      const idp = await started(hostileIdp('text', method));
      const out = await mkdtemp(path.join(tmpdir(), 'recorded-hostile-'));
      const recorded = await runCli(HARNESS_CLI, [
        'record',
        await writeConfig(idp.config),
        '--headless',
        '--out',
        out,
        '--verbose',
      ]);
      expect(recorded.code, recorded.stdout + recorded.stderr).toBe(0);
      // The live sign-in failed at the token endpoint, and the report says so (with the IdP's words, masked).
      expect(recorded.stdout).toMatch(/✗ Sign-in/);
      expectNoSecret(recorded.stdout + recorded.stderr, "record's output");
      for (const file of ['idp/fixture.yaml', 'scenario.yaml'])
        expectNoSecret(await readFile(path.join(out, file), 'utf8'), file);

      // `run` against a mock IdP that answers the same quoting refusal: its journal shows the body the IdP sent.
      const scenario = path.join(out, 'live.yaml');
      const form = { grant_type: 'authorization_code', client_id: HOSTILE_ID, client_secret: HOSTILE_SECRET };
      const basic =
        method === 'client_secret_basic'
          ? { authorization: `Basic ${Buffer.from(`${HOSTILE_ID}:${HOSTILE_SECRET}`).toString('base64')}` }
          : {};
      const fixture = {
        // A fixture's secret is printable ASCII; the fault answers before the client is authenticated.
        clients: [{ clientId: HOSTILE_ID, clientSecret: 'fixture-side-secret-0123', tokenEndpointAuthMethod: method }],
        users: [{ id: 'u1', profile: { sub: 'u1' } }],
        defaultUser: 'u1',
        faults: [
          {
            endpoint: 'token',
            status: 401,
            body: quotingTheRequest(form, { body: new URLSearchParams(form).toString(), ...basic }),
          },
        ],
      };
      const config = { ...idp.config, ...endpointsAt('{{issuer}}') };
      await writeFile(
        scenario,
        stringify({ name: 'live against a quoting IdP', connector: 'oauth2', config, idp: { fixture } }),
      );
      const ran = await runCli(HARNESS_CLI, [
        'run',
        scenario,
        '--verbose',
        '-r',
        'json',
        '-r',
        'html',
        '-r',
        'junit',
        '-o',
        out,
      ]);
      expect(ran.code, ran.stdout + ran.stderr).toBe(1);
      expect(ran.stdout).toContain('client authentication failed');
      expectNoSecret(ran.stdout + ran.stderr, "run's output");
      for (const report of ['connector-harness.json', 'connector-harness.html', 'connector-harness.junit.xml']) {
        expectNoSecret(await readFile(path.join(out, report), 'utf8'), report);
      }
    });
  }

  it('validate and list, and a scenario whose name quotes the secret', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hostile-names-'));
    const config = { ...endpointsAt('http://127.0.0.1:9'), clientId: HOSTILE_ID, clientSecret: HOSTILE_SECRET };
    const file = path.join(dir, 'named.yaml');
    const name = `copied from a ticket: ${encodingsOf(HOSTILE_SECRET).join(' ')}`;
    await writeFile(file, stringify({ name, connector: 'oauth2', config, idp: { url: 'http://127.0.0.1:9' } }));
    const [listed, validated] = await Promise.all([
      runCli(HARNESS_CLI, ['list', file]),
      runCli(HARNESS_CLI, ['validate', file]),
    ]);
    for (const run of [listed, validated]) {
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain('copied from a ticket');
      expectNoSecret(run.stdout + run.stderr, 'the output');
    }
  });

  it('the error paths: a secret pasted into the wrong field of a record input or a scenario', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hostile-fields-'));
    const config = {
      ...endpointsAt('http://127.0.0.1:9'),
      tokenEndpoint: HOSTILE_SECRET,
      clientId: HOSTILE_ID,
      clientSecret: HOSTILE_SECRET,
    };
    const scenario = path.join(dir, 'wrong-field.yaml');
    await writeFile(
      scenario,
      stringify({ name: 'a secret in tokenEndpoint', connector: 'oauth2', config, idp: { url: 'http://127.0.0.1:9' } }),
    );
    const runs = await Promise.all([
      runCli(HARNESS_CLI, ['record', await writeConfig(config), '--headless']),
      runCli(HARNESS_CLI, ['run', scenario]),
      runCli(HARNESS_CLI, ['validate', scenario]),
    ]);
    // record refuses the field naming it, quoting what it holds (masked).
    expect(runs[0].code, runs[0].stderr).toBe(2);
    expect(runs[0].stderr).toMatch(/tokenEndpoint: not an http\(s\) URL: "host…\(45\)"/);
    for (const run of runs) {
      expect(run.stderr).not.toMatch(STACK_LINE);
      expectNoSecret(run.stdout + run.stderr, 'the output');
    }
  });
});
