import { existsSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSession } from '../../harness/logto-api/app-client.ts';
import { bootstrapM2m } from '../../harness/logto-api/bootstrap-m2m.ts';
import { detectContainerRuntime, OSS_MANAGEMENT_RESOURCE } from '../../harness/targets/logto-container/stack.ts';
import { signInThroughExperience } from '../../harness/targets/logto/experience-driver.ts';
import { ManagementClient } from '../../harness/logto-api/management-client.ts';
import { signInExperienceChange } from '../../harness/targets/logto/sign-in-experience.ts';
import type { JournalEntry } from '../../mock-idp/journal.ts';
import {
  compose,
  composeCommand,
  imagePresent,
  jsonBlockAfter,
  leftovers,
  portIsFree,
  waitFor,
  type ComposeProject,
} from '../helpers/compose.ts';

// The README's "Sign in through Logto's own sign-in page" steps, as written: the repository's
// docker-compose.yml (images substituted only through its variables), the connector config the
// README shows, one social sign-in through the stack's Logto against the compose mock IdP.
const ROOT = path.resolve(import.meta.dirname, '../..');
const PROJECT = 'harness-compose-test';
const LOGTO = 'http://localhost:3001';
const IDP = 'http://localhost:4000';
const APP_REDIRECT_URI = 'http://localhost:3000/callback';

async function withBuildCa<T>(build: () => Promise<T>): Promise<T> {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  const copy = path.join(ROOT, '.npm-ca.pem');
  if (!ca || existsSync(copy)) return build();
  await copyFile(ca, copy);
  try {
    return await build();
  } finally {
    await rm(copy, { force: true });
  }
}

async function why(): Promise<string | undefined> {
  const runtime = await detectContainerRuntime();
  if (!runtime.available) return runtime.reason;
  if (!(await composeCommand())) return 'neither `docker compose` nor `docker-compose` is installed';
  for (const port of [3001, 3002, 4000])
    if (!(await portIsFree(port))) return `port ${port} is in use (the compose file publishes 3001, 3002 and 4000)`;
  return undefined;
}

const skip = await why();
if (skip) console.log(`skipped: docker compose suite — ${skip}`);

describe.skipIf(Boolean(skip))('docker-compose.yml: Logto, PostgreSQL and the mock IdP sign a user in', () => {
  let stack: ComposeProject;

  beforeAll(async () => {
    stack = {
      command: (await composeCommand())!,
      files: [path.join(ROOT, 'docker-compose.yml'), path.join(ROOT, 'test/compose/bootstrap.override.yml')],
      project: PROJECT,
    };
    // Images the compose file does not build itself must be here (or pullable): else say how to build them.
    for (const image of (await compose(stack, ['config', '--images'])).split('\n').filter(Boolean)) {
      if (image.includes('mock-idp')) continue;
      if (!(await imagePresent(image))) {
        throw new Error(
          `image ${image} is not on this machine and no registry gave it: build the local stand-ins with \`bash containers/build-images.sh\`` +
            ` and run with LOGTO_IMAGE / POSTGRES_IMAGE set as \`containers/ci-prepare.sh\` prints`,
        );
      }
    }
    await compose(stack, ['down', '-v', '--remove-orphans'], 120_000).catch(() => undefined);
    // Behind a TLS-intercepting proxy npm in the build needs the machine's CA (mock-idp/Dockerfile).
    await withBuildCa(() => compose(stack, ['up', '-d', '--build']));
    await waitFor(
      `${LOGTO}/api/status → 204`,
      async () => (await fetch(`${LOGTO}/api/status`)).status === 204,
      240_000,
    );
    await waitFor(
      `${IDP} discovery → 200`,
      async () => (await fetch(`${IDP}/.well-known/openid-configuration`)).ok,
      60_000,
    );
  }, 900_000);

  afterAll(async () => {
    if (!stack) return;
    await compose(stack, ['down', '-v', '--remove-orphans'], 180_000);
    expect(await leftovers(PROJECT)).toEqual({ containers: [], networks: [] });
  }, 240_000);

  it('answers on :4000 for the browser and for Logto, with one issuer', async () => {
    const discovery = (await (await fetch(`${IDP}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(IDP);
    expect(discovery.token_endpoint).toBe(`${IDP}/token`);
    // Inside the Logto container the same URL is the same IdP (it shares that container's network).
    const inside = await compose(
      stack,
      [
        'exec',
        '-T',
        'logto',
        'node',
        '-e',
        `fetch('${IDP}/.well-known/openid-configuration').then(r => r.json()).then(d => console.log(d.issuer))`,
      ],
      60_000,
    );
    expect(inside.trim()).toBe(IDP);
  });

  it('signs alice in through Logto with the README connector config', async () => {
    const config = await jsonBlockAfter(path.join(ROOT, 'README.md'), "### Sign in through Logto's own sign-in page");
    const { appId, appSecret } = await bootstrapM2m(LOGTO);
    const management = new ManagementClient({ endpoint: LOGTO, appId, appSecret, resource: OSS_MANAGEMENT_RESOURCE });
    const connector = await management.createConnector({
      connectorId: 'oauth2',
      config,
      metadata: { target: 'mock-idp', name: { en: 'OAuth 2.0' } },
      syncProfile: false,
      enableTokenStorage: false,
    });
    await management.patchSignInExperience(
      signInExperienceChange(await management.getSignInExperience(), 'mock-idp').apply,
    );
    const app = await management.createApplication({
      name: 'compose-test',
      type: 'Traditional',
      oidcClientMetadata: { redirectUris: [APP_REDIRECT_URI], postLogoutRedirectUris: [] },
    });
    const [secret] = await management.applicationSecrets(app.id);
    await fetch(`${IDP}/_journal`, { method: 'DELETE' });

    const session = new AppSession(LOGTO, app.id, secret!.value);
    const outcome = await signInThroughExperience({
      endpoint: LOGTO,
      authorizationUrl: await session.startSignIn(APP_REDIRECT_URI),
      appRedirectUri: APP_REDIRECT_URI,
      connectorId: connector.id,
    });
    if ('failure' in outcome)
      throw new Error(`sign-in failed at ${outcome.failure.step}: ${outcome.failure.code} ${outcome.failure.message}`);
    expect(outcome.registered).toBe(true);
    const { claims } = await session.finishSignIn(outcome.callbackUrl);
    const user = (await management.getUser(String(claims.sub))) as {
      name?: string;
      identities?: Record<string, { userId: string }>;
    };
    expect(user.identities?.['mock-idp']?.userId).toBe('alice');
    expect(user.name).toBe('Alice Example');

    // What Logto itself sent the IdP, as the compose mock IdP's journal saw it.
    const journal = (await (await fetch(`${IDP}/_journal`)).json()) as JournalEntry[];
    const token = journal.find((entry) => entry.endpoint === 'token');
    expect(token?.clientAuth?.method).toBe('client_secret_post');
    expect(token?.response.status).toBe(200);
    expect(journal.find((entry) => entry.endpoint === 'userinfo')?.response.status).toBe(200);
  }, 120_000);
});
