import { request } from 'node:http';
import { connect } from 'node:net';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/free-port.ts';
import type { JournalEntry } from '../../mock-idp/journal.ts';
import { startSlotHost, type SlotHost } from '../../mock-idp/server/slot-host.ts';
import { hopToRedirect, REDIRECT_URI } from '../helpers/browser-hops.ts';
import { quirkFixture, SECRET } from '../helpers/raw-flow.ts';

// The Logto stack's one IdP container runs this: every scenario's fixture on a slot of its own,
// loaded and stopped over the control API, each with its own journal.

let host: SlotHost;
let slots: number[];

beforeAll(async () => {
  slots = [await freePort(), await freePort()];
  host = await startSlotHost({ ports: slots, controlPort: 0 });
});
afterAll(() => host.stop());

interface Answer {
  status: number;
  body: string;
}

/** A raw request to the control API, with whatever Host (fetch forbids setting it). */
function control(method: string, path: string, body?: string, hostHeader?: string): Promise<Answer> {
  const { port } = new URL(host.control);
  return new Promise((resolve, reject) => {
    const call = request(
      { host: '127.0.0.1', port, method, path, headers: hostHeader ? { host: hostHeader } : {} },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    call.once('error', reject).end(body);
  });
}

const load = (port: number, fixture: unknown) => control('PUT', `/_slots/${port}`, JSON.stringify(fixture));
const unload = (port: number) => control('DELETE', `/_slots/${port}`);

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(Boolean(socket.destroy())));
    socket.once('error', () => resolve(false));
  });

/** A sign-in with an independent client: discovery, authorization, code exchange at the slot's issuer. */
async function signIn(issuer: string, clientId: string) {
  const config = await client.discovery(
    new URL(issuer),
    clientId,
    { redirect_uris: [REDIRECT_URI] },
    client.ClientSecretBasic(SECRET),
    { execute: [client.allowInsecureRequests] },
  );
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await hopToRedirect(url, REDIRECT_URI);
  return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
}

const journalOf = async (issuer: string) => (await (await fetch(`${issuer}/_journal`)).json()) as JournalEntry[];

describe('mock-idp host: one process, a mock IdP per slot', () => {
  it('serves two fixtures on two ports at once, each with its own issuer, users and journal', async () => {
    const [first, second] = slots as [number, number];
    const alice = quirkFixture({
      clients: [{ clientId: 'one', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }],
    });
    const bob = quirkFixture({
      clients: [{ clientId: 'two', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }],
      users: [{ id: 'bob', profile: { sub: 'bob', name: 'Bob' } }],
      defaultUser: 'bob',
    });
    const answers = await Promise.all([load(first, alice), load(second, bob)]);
    expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    const [one, two] = answers.map((answer) => JSON.parse(answer.body) as { issuer: string; port: number });
    expect(one).toEqual({ issuer: `http://127.0.0.1:${first}`, port: first });
    expect(two).toEqual({ issuer: `http://127.0.0.1:${second}`, port: second });
    try {
      const [tokensOne, tokensTwo] = await Promise.all([signIn(one!.issuer, 'one'), signIn(two!.issuer, 'two')]);
      expect(tokensOne.claims()).toMatchObject({ iss: one!.issuer, sub: 'alice', aud: 'one' });
      expect(tokensTwo.claims()).toMatchObject({ iss: two!.issuer, sub: 'bob', aud: 'two' });
      // Each slot's journal holds only its own client's requests.
      const [journalOne, journalTwo] = await Promise.all([journalOf(one!.issuer), journalOf(two!.issuer)]);
      const clientsOf = (journal: JournalEntry[]) =>
        new Set(journal.flatMap((entry) => (entry.endpoint === 'token' ? [entry.clientAuth?.clientId] : [])));
      expect(clientsOf(journalOne)).toEqual(new Set(['one']));
      expect(clientsOf(journalTwo)).toEqual(new Set(['two']));
      const health = await control('GET', '/_health');
      expect(JSON.parse(health.body)).toEqual({ free: [], busy: slots });
    } finally {
      await Promise.all([unload(first), unload(second)]);
    }
  });

  it('refuses a bad fixture with 400 naming the field and its line, and starts nothing', async () => {
    const [port] = slots as [number];
    const fixture = quirkFixture({
      clients: [{ clientId: 'c', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_bogus' as 'none' }],
    });
    const answer = await control('PUT', `/_slots/${port}`, JSON.stringify(fixture, undefined, 2));
    expect(answer.status, answer.body).toBe(400);
    const body = JSON.parse(answer.body) as {
      error: string;
      error_description: string;
      problems: Array<Record<string, unknown>>;
    };
    expect(body.error).toBe('invalid_fixture');
    expect(body.problems[0]).toMatchObject({ field: 'clients[0].tokenEndpointAuthMethod', line: 6 });
    expect(body.error_description).toContain('clients[0].tokenEndpointAuthMethod');
    expect(await listens(port)).toBe(false);

    const notJson = await control('PUT', `/_slots/${port}`, '{"clients": [');
    expect(notJson.status).toBe(400);
    const notJsonBody = JSON.parse(notJson.body) as { error: string; problems: Array<{ line?: number }> };
    expect(notJsonBody.error).toBe('invalid_fixture');
    expect(notJsonBody.problems[0]?.line).toBe(1);
    expect(await listens(port)).toBe(false);
  });

  it('answers only the names its /_ routes answer: a request under another Host is refused', async () => {
    const [port] = slots as [number];
    const refused = await control('PUT', `/_slots/${port}`, JSON.stringify(quirkFixture()), 'evil.example');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'host_not_allowed' });
    expect(await listens(port)).toBe(false);
    expect((await control('GET', '/_health', undefined, `evil.example:${new URL(host.control).port}`)).status).toBe(
      403,
    );
  });

  it('stops a slot on DELETE: the port is free, and the slot takes another fixture', async () => {
    const [port] = slots as [number];
    expect((await load(port, quirkFixture())).status).toBe(201);
    expect(await listens(port)).toBe(true);
    const busy = await load(port, quirkFixture());
    expect(busy.status).toBe(409);
    expect(JSON.parse(busy.body)).toMatchObject({ error: 'slot_busy' });

    expect((await unload(port)).status).toBe(204);
    expect(await listens(port)).toBe(false);
    expect((await unload(port)).status).toBe(404);

    // A new fixture, a new IdP: a new journal.
    expect((await load(port, quirkFixture())).status).toBe(201);
    const journal = await journalOf(`http://127.0.0.1:${port}`);
    expect(journal).toEqual([]);
    expect((await unload(port)).status).toBe(204);
  });

  it('refuses a port that is not a slot', async () => {
    const answer = await load(1, quirkFixture());
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'unknown_slot' });
  });
});
