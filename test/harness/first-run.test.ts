/**
 * From the config an admin already has to a first verdict: a config pasted from the Logto Console
 * (or the Management API's connector object) runs and validates as it is, real provider URLs are
 * never contacted when a fixture answers, one bad file does not stop a suite, and typos get a guess.
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_CLI, runCli, STACK_LINE } from '../helpers/spawn-cli.ts';

const harness = (...args: string[]) => runCli(HARNESS_CLI, args, { timeoutMs: 45_000 });

// GitHub as an admin configures it in the Console, with the one setting the provider library knows is wrong.
const GITHUB_CONSOLE_CONFIG = {
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  userInfoEndpoint: 'https://api.github.com/user',
  clientId: 'Iv1.8a61f9b3a7aba766',
  clientSecret: 'gh-console-secret-0123456789abcdef',
  tokenEndpointResponseType: 'json',
  scope: 'read:user user:email',
  profileMap: { id: 'id', name: 'name', avatar: 'avatar_url', email: 'email' },
};

let dir: string;
// A local server standing in for "a real provider": every connection to it is counted.
let connections = 0;
const provider = createServer((socket) => {
  connections += 1;
  socket.destroy();
});
let providerOrigin = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'first-run-'));
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  providerOrigin = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => provider.close(resolve)));

const write = async (name: string, content: unknown) => {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
};

describe('a connector config as it comes from the Logto Console', { timeout: 90_000 }, () => {
  it('runs as it is against the provider library model of its IdP, says so, and gets the provider fix', async () => {
    const file = await write('github.json', GITHUB_CONSOLE_CONFIG);
    const run = await harness('run', file);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /note: .*github\.json: a connector config, not a scenario: run as oauth2 against the provider library's model of GitHub/,
    );
    expect(run.stderr).toContain('nothing is sent to github.com, api.github.com');
    expect(run.stdout).toMatch(
      /Token response format: the IdP answers form-encoded but tokenEndpointResponseType is json/,
    );
    expect(run.stdout).toContain('set "tokenEndpointResponseType": "query-string"');
    // The first line under the failed scenario is the cause's fix, not the sign-in's generic error.
    const lines = run.stdout.split('\n');
    const head = lines.findIndex((line) => line.startsWith('✗ github.json'));
    expect(lines[head + 1]).toBe(
      '    ⇒ Token response format: set "tokenEndpointResponseType": "query-string" (or remove it: it is the default)',
    );
    // The secret the admin pasted never shows.
    expect(run.stdout + run.stderr).not.toContain(GITHUB_CONSOLE_CONFIG.clientSecret);
  });

  it('the same config, fixed, passes: no false alarm', async () => {
    const { tokenEndpointResponseType: _json, ...fixed } = GITHUB_CONSOLE_CONFIG;
    const file = await write('github-fixed.json', fixed);
    const run = await harness('run', file);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1 passed, 0 failed/);
  });

  it('the connector object of GET /api/connectors/{id} runs too', async () => {
    const file = await write('object.json', {
      id: 'abc123',
      connectorId: 'oauth2',
      metadata: { target: 'github', name: { en: 'GitHub' } },
      syncProfile: false,
      enableTokenStorage: true,
      config: { ...GITHUB_CONSOLE_CONFIG, tokenEndpointResponseType: 'query-string' },
    });
    const run = await harness('run', file);
    expect(run.stderr).toContain('a connector object, not a scenario');
    expect(run.stdout).toMatch(/Stored access token/);
  });

  it('an unknown IdP runs against a starter fixture, and nothing reaches its hosts', async () => {
    const file = await write('acme.yaml', {
      authorizationEndpoint: `${providerOrigin}/oauth2/authorize`,
      tokenEndpoint: `${providerOrigin}/oauth2/token`,
      userInfoEndpoint: `${providerOrigin}/oauth2/me`,
      clientId: 'acme',
      clientSecret: 'acme-secret-0123456789',
      tokenEndpointResponseType: 'json',
      profileMap: { id: 'sub' },
    });
    const before = connections;
    const run = await harness('run', file);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain('against a starter fixture built from the config');
    expect(connections - before).toBe(0);
  });

  it('validate applies the provider rules offline: GitHub with json is flagged without a tenant', async () => {
    const file = await write('github-validate.json', GITHUB_CONSOLE_CONFIG);
    const run = await harness('validate', file);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /✗ GitHub \(OAuth app\): tokenEndpointResponseType: .*"json", but what works for GitHub \(OAuth app\) is "query-string"/,
    );
  });

  it('validate flags a comma-separated scope and a misspelt field, with the fix, without running anything', async () => {
    const file = await write('typos.yaml', {
      authorizationEndpoint: `${providerOrigin}/authorize`,
      tokenEndpoint: `${providerOrigin}/token`,
      idTokenVerificationConfig: { jwksUri: `${providerOrigin}/jwks` },
      clientID: 'acme',
      clientSecret: 'acme-secret-0123456789',
      scope: 'openid,profile,email',
    });
    const before = connections;
    const run = await harness('validate', file);
    expect(connections - before).toBe(0);
    expect(run.code).toBe(2); // clientId is missing: the connector refuses the config
    expect(run.stdout).toContain(
      '"clientID" is not a field of the oidc connector (its guard drops it): did you mean "clientId"?',
    );
    expect(run.stdout).toContain('→ rename "clientID" to "clientId"');
    expect(run.stdout).toMatch(
      /Scope separators: scope "openid,profile,email" separates scopes with commas: the connector sends "openid,profile,email openid"/,
    );
    expect(run.stdout).toContain('→ set "scope": "openid profile email"');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

describe('real endpoints are never contacted by surprise', { timeout: 90_000 }, () => {
  it('a scenario naming a fixture, its config still at a real host: pointed at the fixture, said so, no connection', async () => {
    const file = await write('pointed/scenario.yaml', {
      name: 'real URLs left in',
      config: {
        authorizationEndpoint: `${providerOrigin}/authorize`,
        tokenEndpoint: `${providerOrigin}/oauth/token`,
        userInfoEndpoint: `${providerOrigin}/userinfo`,
        clientId: 'logto-oauth2',
        clientSecret: 'dev-secret-change-me',
        tokenEndpointResponseType: 'json',
        profileMap: { id: 'sub' },
      },
      idp: { fixture: path.resolve('fixtures/default.yaml') },
    });
    const before = connections;
    const [run, validate] = await Promise.all([harness('run', file), harness('validate', file)]);
    expect(connections - before).toBe(0);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain(`config.tokenEndpoint ${providerOrigin}/oauth/token → {{issuer}}/token`);
    expect(run.stderr).toContain('config.authorizationEndpoint');
    expect(validate.stdout).toContain('note: config.tokenEndpoint');
  });

  it('a scenario whose IdP is a URL, its token endpoint on another site: refused, naming the field', async () => {
    const file = await write('elsewhere.yaml', {
      name: 'token endpoint elsewhere',
      config: {
        authorizationEndpoint: 'https://idp.example.com/authorize',
        tokenEndpoint: 'https://collector.example.net/token',
        userInfoEndpoint: 'https://api.idp.example.com/userinfo',
        clientId: 'c',
        clientSecret: 'client-secret-0123456789',
      },
      idp: { url: 'https://idp.example.com' },
    });
    const run = await harness('run', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /elsewhere\.yaml:\d+ config\.tokenEndpoint: https:\/\/collector\.example\.net\/token is not at the IdP this scenario names/,
    );
    // A subdomain of the named IdP is the same provider (api.github.com beside github.com).
    expect(run.stderr).not.toContain('userInfoEndpoint');
  });
});

describe('a query in authorizationEndpoint', { timeout: 60_000 }, () => {
  it('is caught offline and at run time, with where its parameters go instead', async () => {
    const file = await write('query.yaml', {
      name: 'prompt in the endpoint',
      config: {
        authorizationEndpoint: '{{issuer}}/authorize?prompt=login',
        tokenEndpoint: '{{issuer}}/token',
        userInfoEndpoint: '{{issuer}}/userinfo',
        clientId: 'logto-oauth2',
        clientSecret: 'dev-secret-change-me',
        tokenEndpointResponseType: 'json',
        profileMap: { id: 'sub' },
      },
      idp: { fixture: path.resolve('fixtures/default.yaml') },
    });
    const [run, validate] = await Promise.all([harness('run', file), harness('validate', file)]);
    expect(run.code).toBe(1);
    for (const output of [run.stdout, validate.stdout]) {
      expect(output).toContain('authorizationEndpoint carries a query (?prompt=login)');
      expect(output).toContain('put {"prompt":"login"} in customConfig');
    }
    expect(validate.code).toBe(1);
  });
});

describe('folders and files that are not scenarios', { timeout: 90_000 }, () => {
  it('one bad file reports itself, the rest still run, exit 2 at the end with the file listed', async () => {
    const suite = path.join(dir, 'suite');
    await mkdir(suite, { recursive: true });
    await symlink(path.resolve('fixtures/scenarios/standard-post.yaml'), path.join(suite, 'a-good.yaml'));
    await writeFile(path.join(suite, 'b-broken.yaml'), 'name: broken\nconfig: [not, an, object\n');
    // A fixture outside any idp/ folder: recognised by what it holds, and skipped.
    await writeFile(
      path.join(suite, 'c-fixture.yaml'),
      'clients: [{ clientId: x, clientSecret: y }]\nusers: [{ id: u, profile: { sub: u } }]\n',
    );
    const run = await harness('run', suite, '-r', 'json', '-o', dir);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(/1 passed, 0 failed/);
    expect(run.stderr).toMatch(/b-broken\.yaml:\d+/);
    expect(run.stderr).toMatch(/1 file could not be read \(see above; the others ran\): .*b-broken\.yaml/);
    expect(run.stdout + run.stderr).not.toContain('c-fixture');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('a fixture given as a scenario says what it is and what to do', async () => {
    const run = await harness('validate', 'fixtures/idp/github-form-token.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('this is a mock-idp fixture (clients, users), not a scenario');
    expect(run.stderr).toContain('mock-idp validate fixtures/idp/github-form-token.yaml');
  });

  it('a file that is neither says what a scenario and a config hold', async () => {
    const file = await write('neither.yaml', { hello: 'world' });
    const run = await harness('list', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('neither a scenario nor a connector config');
  });

  it('--quiet prints only what did not pass, and the closing line', async () => {
    const run = await harness(
      'run',
      'fixtures/scenarios/standard-post.yaml',
      'fixtures/scenarios/github-like.yaml',
      '--quiet',
    );
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('2 passed, 0 failed');
  });
});

describe('messages that guess intent', { timeout: 60_000 }, () => {
  it.each([
    [['runn', 'fixtures/scenarios'], 'unknown command "runn": did you mean run?'],
    [['valdate', 'x.yaml'], 'unknown command "valdate": did you mean validate?'],
    [['init', 'gihub'], 'no provider "gihub" in the library: did you mean github?'],
  ])('%j', async (args, said) => {
    const run = await harness(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(said);
  });
});
