import { Command } from 'commander';
import path from 'node:path';
import { parsePort, parsePorts } from '../lib/cli-parsers.ts';
import { mask } from '../lib/mask.ts';
import { printable } from '../lib/printable.ts';
import { stopsAtSignal } from '../lib/interruption.ts';
import { runCli } from '../lib/run-cli.ts';
import { formatProblem, isUserError } from '../lib/user-error.ts';
import { PACKAGE_ROOT } from '../lib/package-root.ts';
import { projectVersion } from '../lib/version.ts';
import { cachedFixture } from './fixture/cache.ts';
import { checkedAllowedHosts } from './server/admin-hosts.ts';
import { startValidatedMockIdp } from './server/start.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const DEFAULT_FIXTURE = path.join(PACKAGE_ROOT, 'fixtures', 'default.yaml');

const program = new Command('mock-idp')
  .description("A fixture-driven OAuth 2.0 / OpenID Connect identity provider that reproduces real IdPs' quirks.")
  .version(projectVersion, '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Examples:
  $ mock-idp serve fixtures/default.yaml              an IdP on http://127.0.0.1:4000 for Logto to sign in against
  $ mock-idp serve fixtures/idp/github-form-token.yaml --port 0
  $ mock-idp validate fixtures/idp/*.yaml              check fixtures without serving them

A fixture (YAML or JSON) names the clients, the users and the quirks: fixtures/default.yaml
explains every field, fixtures/idp/ has one example per quirk. Exit codes: 0 ok, 2 a mistake
in the fixture or the options (printed as file:line field: message).`,
  );

program
  .command('serve')
  .description('serve the IdP a fixture describes, until Ctrl-C')
  .argument('[fixture]', 'fixture file (YAML or JSON); default: the shipped fixtures/default.yaml')
  .option('-p, --port <port>', 'port to listen on (0 = any free port)', parsePort, 4000)
  .option('--host <host>', 'address to listen on (0.0.0.0 to accept other machines or containers)', '127.0.0.1')
  .option('--issuer <url>', 'public URL others reach this IdP at (default: http://<host>:<port>)')
  .option(
    '--allowed-host <name>',
    'another name the journal and users (/_ routes) answer under; repeatable (also MOCK_IDP_ALLOWED_HOSTS=a,b)',
    collect,
    [],
  )
  .option(
    '--login-page',
    'show the login page (pick a user, or sign in as anyone with typed claims) even when the fixture names a defaultUser',
  )
  .option('-q, --quiet', 'do not log each request')
  .addHelpText(
    'after',
    `
Examples:
  $ mock-idp serve                                   the shipped fixtures/default.yaml (client logto-oauth2, users alice, bob)
  $ mock-idp serve fixtures/default.yaml
  $ mock-idp serve fixtures/idp/github-form-token.yaml --port 0
  $ mock-idp serve fixtures/default.yaml --host 0.0.0.0 --issuer http://host.docker.internal:4000
  $ mock-idp serve fixtures/idp/github-form-token.yaml --login-page   sign in by hand, as anyone

Then point a Logto connector at the printed endpoints. Every request is journaled:
  GET    <issuer>/_journal                    what the IdP received, in order (secrets masked)
  GET    <issuer>/_journal?since=12&endpoint=token   entries after seq 12, token endpoint only
  DELETE <issuer>/_journal                    start a new journal (seq keeps counting)
  PUT    <issuer>/_users/<id>                 {"profile":{…},"claims":{…}}: what the next sign-in sees
  GET    <issuer>/_health
These /_ routes answer only requests addressed to localhost, the issuer's host or an IP address (a web
page under another name must not read them); --allowed-host adds a name. The OAuth endpoints answer any.`,
  )
  .action(
    async (
      given: string | undefined,
      options: {
        port: number;
        host: string;
        issuer?: string;
        allowedHost: string[];
        loginPage?: boolean;
        quiet?: boolean;
      },
    ) => {
      // The package's own, wherever it is installed: not a file of the current folder.
      const file = given ?? (path.relative(process.cwd(), DEFAULT_FIXTURE) || DEFAULT_FIXTURE);
      const signal = stopsAtSignal();
      const cached = await cachedFixture(file);
      const fixture = cached.fixture ?? (await (await import('./fixture/load.ts')).loadFixture(file));
      const fromEnv = (process.env.MOCK_IDP_ALLOWED_HOSTS ?? '').split(',').filter((name) => name.trim() !== '');
      const idp = await startValidatedMockIdp(fixture, {
        port: options.port,
        host: options.host,
        allowedHosts: [
          ...checkedAllowedHosts(options.allowedHost, '--allowed-host'),
          ...checkedAllowedHosts(fromEnv, 'MOCK_IDP_ALLOWED_HOSTS'),
        ],
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.loginPage ? { loginPage: true } : {}),
        ...(options.quiet ? {} : { log: (line: string) => console.log(line) }),
      });
      // Written before the banner (the port is already open): a stop right after it keeps the entry.
      if (!cached.fixture) await cached.remember(fixture);
      console.log(`mock IdP serving ${file}`);
      console.log(`  issuer         ${idp.issuer}`);
      console.log(`  discovery      ${idp.issuer}/.well-known/openid-configuration`);
      console.log(`  authorization  ${idp.endpoints.authorization}`);
      console.log(`  token          ${idp.endpoints.token}`);
      console.log(`  userinfo       ${idp.endpoints.userinfo}`);
      console.log(`  jwks           ${idp.endpoints.jwks}`);
      console.log(`  journal        ${idp.issuer}/_journal`);
      console.log('  clients');
      const idWidth = Math.max(...fixture.clients.map((client) => client.clientId.length));
      for (const client of fixture.clients) {
        const secret =
          client.clientSecret && client.tokenEndpointAuthMethod !== 'none'
            ? `  secret ${mask(client.clientSecret)}`
            : '';
        console.log(
          (
            `    ${client.clientId.padEnd(idWidth)}  ${client.tokenEndpointAuthMethod.padEnd(19)}` +
            `${secret}${client.pkce === 'required' ? '  PKCE required' : ''}`
          ).trimEnd(),
        );
      }
      console.log(`  users          ${fixture.users.map((user) => user.id).join(', ')}`);
      const signIn =
        fixture.defaultUser && !options.loginPage
          ? `headless as ${fixture.defaultUser}; login_hint=<user id> picks another`
          : `a page: pick a user or sign in as anyone (${idp.issuer}/_journal follows it live); login_hint=<user id> skips it`;
      console.log(`  sign-in        ${signIn}`);
      // A server asked to stop (Ctrl-C, docker stop) has done its job: exit 0 once it is down.
      const stop = () => {
        console.log('stopping');
        void idp.stop().then(() => process.exit(0));
      };
      // A signal that came while it was starting counts too.
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    },
  );

program
  .command('host')
  .description('serve many fixtures at once, one per port of a pool, started and stopped over a control API')
  .requiredOption('--ports <ports>', 'the slots: ports such as 4001-4016 or 4001,4002', parsePorts)
  .option('--control-port <port>', "the control API's port (0 = any free port)", parsePort, 4000)
  .option('--host <host>', 'address to listen on (0.0.0.0 to accept other machines or containers)', '127.0.0.1')
  .option('--public-host <name>', "the name others reach this host by: slot N's issuer is http://<name>:N")
  .option(
    '--allowed-host <name>',
    "another name the control API and the slots' /_ routes answer under; repeatable (also MOCK_IDP_ALLOWED_HOSTS=a,b)",
    collect,
    [],
  )
  .option('-q, --quiet', 'do not log each slot started and stopped')
  .addHelpText(
    'after',
    `
Examples:
  $ mock-idp host --ports 4001-4016 --host 0.0.0.0 --public-host idp   (the Logto stack's IdP container)

Control API (answers only localhost, the public host, IP addresses and --allowed-host names):
  PUT    /_slots/<port>   the fixture (JSON or YAML) as body: a mock IdP on that port, issuer http://<public host>:<port>
                          (400 with {error: invalid_fixture, problems: [{line, field, message}]} for a bad one)
  DELETE /_slots/<port>   stop it
  GET    /_health         the free and busy slots
Each slot is a whole mock IdP with its own journal (<issuer>/_journal) and users (<issuer>/_users/<id>).`,
  )
  .action(
    async (options: {
      ports: number[];
      controlPort: number;
      host: string;
      publicHost?: string;
      allowedHost: string[];
      quiet?: boolean;
    }) => {
      const signal = stopsAtSignal();
      const fromEnv = (process.env.MOCK_IDP_ALLOWED_HOSTS ?? '').split(',').filter((name) => name.trim() !== '');
      const { startSlotHost } = await import('./server/slot-host.ts');
      const slotHost = await startSlotHost({
        host: options.host,
        controlPort: options.controlPort,
        ports: options.ports,
        ...(options.publicHost ? { publicHost: options.publicHost } : {}),
        allowedHosts: [
          ...checkedAllowedHosts(options.allowedHost, '--allowed-host'),
          ...checkedAllowedHosts(fromEnv, 'MOCK_IDP_ALLOWED_HOSTS'),
        ],
        ...(options.quiet ? {} : { log: (line: string) => console.log(line) }),
      });
      const [first, last] = [options.ports[0], options.ports.at(-1)];
      console.log(`mock IdP host ready: control ${slotHost.control}, ${options.ports.length} slots (${first}…${last})`);
      const stop = () => {
        console.log('stopping');
        void slotHost.stop().then(() => process.exit(0));
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    },
  );

program
  .command('validate')
  .description('check fixture files without serving them')
  .argument('<fixtures...>', 'fixture files (YAML or JSON)')
  .addHelpText('after', '\nExample:\n  $ mock-idp validate fixtures/default.yaml fixtures/idp/*.yaml')
  .action(async (files: string[]) => {
    let failed = 0;
    for (const file of files) {
      try {
        const { loadFixture } = await import('./fixture/load.ts');
        const fixture = await loadFixture(file);
        console.log(
          `✓ ${file}: ${fixture.clients.length} client(s), ${fixture.users.length} user(s)${fixture.description ? ` – ${printable(fixture.description)}` : ''}`,
        );
      } catch (error) {
        if (!isUserError(error)) throw error;
        failed += 1;
        for (const problem of error.problems) console.error(`✗ ${formatProblem(problem)}`);
      }
    }
    if (failed > 0) process.exitCode = 2;
  });

await runCli(program);
