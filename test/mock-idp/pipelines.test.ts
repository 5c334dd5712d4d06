import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { keys, pipelinesOf } from '../helpers/pipelines-of.ts';
import { SHIPPED_FIXTURES } from '../helpers/shipped-fixtures.ts';
import { loadFixture } from '../../mock-idp/fixture/load.ts';
import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import { JournalStore } from '../../mock-idp/server/journal-store.ts';
import { loadSigningKeys } from '../../mock-idp/server/keys.ts';
import { paths } from '../../mock-idp/server/paths.ts';
import type { Pipelines } from '../../mock-idp/server/pipelines.ts';
import { noLog } from '../../mock-idp/server/record-journal.ts';
import { createRequestHandler } from '../../mock-idp/server/request-handler.ts';
import { staticMetadata } from '../../mock-idp/server/static-metadata.ts';
import { UserDirectory } from '../../mock-idp/server/users.ts';

/**
 * Which quirks are on is derived from the fixture: each endpoint's pipeline holds a quirk's
 * middleware only when the fixture asks for it, so the pipelines themselves can be listed.
 */

const SHIPPED = SHIPPED_FIXTURES;

// Every fixture's steps: oidc-provider bent toward real IdPs, the client check, the token response's shape.
const ALWAYS: Record<keyof Pipelines, string[]> = {
  authorize: ['honourOfflineAccess'],
  token: ['checkClientAuth', 'shapeTokenResponse', 'freeFormIdTokenClaims'],
  userinfo: [],
  revocation: ['checkClientAuth'],
};

// The quirks on, per shipped fixture (none for the others), as `endpoint: middleware` in pipeline order.
const QUIRKS_ON: Record<string, string[]> = {
  'fixtures/idp/auth0-audience.yaml': ['authorize: requireAuthorizeParams', 'token: requireTokenParams'],
  'fixtures/idp/google-access-type.yaml': ['authorize: requireAuthorizeParams'],
  'fixtures/scenarios/idp/audience-required.yaml': ['authorize: requireAuthorizeParams', 'token: requireTokenParams'],
  'fixtures/scenarios/providers/apple/idp/apple-form-post.yaml': [
    'authorize: requireAuthorizeParams',
    'userinfo: refuseUserinfo',
  ],
  'fixtures/scenarios/providers/apple/idp/apple.yaml': ['userinfo: refuseUserinfo'],
  'fixtures/scenarios/providers/azure-ad-b2c/idp/azure-ad-b2c-access-token.yaml': ['userinfo: refuseUserinfo'],
  'fixtures/scenarios/providers/azure-ad-b2c/idp/azure-ad-b2c.yaml': ['userinfo: refuseUserinfo'],
  // Dropbox answers a GET at its POST-only account endpoint with 404 (next-auth#3899).
  'fixtures/scenarios/providers/dropbox/idp/dropbox.yaml': ['userinfo: refuseWrongMethod'],
  'fixtures/scenarios/providers/facebook/idp/facebook.yaml': ['userinfo: selectUserinfoFields'],
  'fixtures/scenarios/providers/github/idp/github-app-expiring.yaml': ['userinfo: requireHeaders'],
  'fixtures/scenarios/providers/github/idp/github.yaml': ['userinfo: requireHeaders'],
  'fixtures/scenarios/providers/google/idp/google.yaml': ['authorize: offlineOnlyWith'],
  // Its userinfo error 024 comes with HTTP 401 (provider-audit): only the token endpoint errs with 200.
  'fixtures/scenarios/providers/naver/idp/naver.yaml': ['token: errorsWith200'],
  'fixtures/scenarios/providers/okta/idp/okta.yaml': ['token: refuseClientIdInBodyWithBasic'],
  'fixtures/scenarios/providers/reddit/idp/reddit.yaml': ['userinfo: requireHeaders'],
  'fixtures/scenarios/providers/patreon/idp/patreon.yaml': ['userinfo: selectUserinfoFields'],
  'fixtures/scenarios/providers/slack/idp/slack.yaml': ['token: errorsWith200', 'userinfo: errorsWith200'],
  'fixtures/scenarios/providers/wechat/idp/wechat.yaml': [
    'authorize: renameClientParams',
    'token: errorsWith200',
    'token: omitTokenType',
    'token: renameClientParams',
    'userinfo: errorsWith200',
    'userinfo: requireUserinfoQuery',
  ],
};

/** The middlewares of each endpoint by name, as oidc-provider names its actions' steps. */
function quirksOn(all: Pipelines): string[] {
  return Object.entries(all).flatMap(([endpoint, middlewares]) =>
    middlewares
      .map((middleware) => middleware.name)
      .filter((name) => !ALWAYS[endpoint as keyof Pipelines].includes(name))
      .map((name) => `${endpoint}: ${name}`),
  );
}

describe('the pipelines of the shipped fixtures', () => {
  it('lists every fixture this test knows of (a new one is added to QUIRKS_ON when it turns a quirk on)', () => {
    expect(Object.keys(QUIRKS_ON).filter((file) => !SHIPPED.includes(file))).toEqual([]);
    expect(SHIPPED.length).toBeGreaterThan(40);
  });

  it.each(SHIPPED)('%s: the quirks it asks for, and the steps every fixture has', async (file) => {
    const all = pipelinesOf(await loadFixture(file));
    expect(quirksOn(all)).toEqual(QUIRKS_ON[file] ?? []);
    for (const [endpoint, steps] of Object.entries(ALWAYS)) {
      const names = all[endpoint as keyof Pipelines].map((middleware) => middleware.name);
      expect(names.slice(names.length - steps.length)).toEqual(steps);
    }
  });

  it('a quirk the fixture leaves off is not in the pipeline at all (the default fixture: no userinfo step)', async () => {
    const all = pipelinesOf(await loadFixture('fixtures/default.yaml'));
    expect(all.userinfo).toEqual([]);
    expect(all.token.map((middleware) => middleware.name)).toEqual([
      'checkClientAuth',
      'shapeTokenResponse',
      'freeFormIdTokenClaims',
    ]);
  });
});

/** Whether the userinfo fast path took a bodiless GET, against the request handler of a shipped fixture. */
async function fastPathTakes(fixture: Fixture): Promise<boolean> {
  const endpoints = paths(fixture.userinfo.path);
  const journal = new JournalStore();
  const handler = createRequestHandler({
    issuer: 'http://127.0.0.1:1',
    fixture: { ...fixture, faults: [] },
    keys: fixture.keys ? await loadSigningKeys(fixture.keys) : keys,
    endpoints,
    users: new UserDirectory(fixture),
    journal,
    metadata: staticMetadata(endpoints, new Set(), journal, noLog).answer,
    faulted: new Set(),
    loginPage: false,
    log: noLog,
  });
  let taken = false;
  const server: Server = createServer((req, res) => {
    taken = handler.userinfoFast(req, res);
    if (!taken) res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) =>
      request(`http://127.0.0.1:${port}${endpoints.userinfo}`, { headers: { authorization: 'Bearer x' } }, (res) =>
        res.resume().on('end', resolve),
      )
        .on('error', reject)
        .end(),
    );
    return taken;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the userinfo fast path', () => {
  it.each(SHIPPED)('%s: serves exactly when the userinfo pipeline is empty', async (file) => {
    const fixture = await loadFixture(file);
    expect(await fastPathTakes(fixture)).toBe(pipelinesOf(fixture).userinfo.length === 0);
  });
});
