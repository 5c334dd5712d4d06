import { Command, InvalidArgumentError, Option } from 'commander';
import { parsePort, parseSeconds } from '../../lib/cli-parsers.ts';
import { connectorCodeOptions } from '../run-flags.ts';
import { stopsAtSignal } from '../../lib/interruption.ts';

interface RecordFlags {
  out?: string;
  connector?: 'oauth2' | 'oidc';
  user?: string;
  tokenStorage?: boolean;
  refresh?: boolean;
  redirectUri?: string;
  port: number;
  open?: boolean;
  headless?: boolean;
  timeout: number;
  connectorVersion?: string;
  connectorPath?: string;
  verbose?: boolean;
  color: boolean;
}

const redirect = (value: string): string => {
  try {
    if (/^https?:$/.test(new URL(value).protocol)) return value;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('an http(s) URL registered at the IdP as a redirect URI');
};

/** `connector-harness record`: see harness/record/record.ts. */
export function makeRecordCommand(): Command {
  const command = new Command('record')
    .description(
      'sign in once against a real IdP through a recording proxy, and write a mock-idp fixture + scenario that replay it',
    )
    .argument(
      '<file>',
      'a connector config (JSON/YAML, as a Logto admin writes it, or the connector object) or a scenario file naming the real IdP',
    )
    .option('-o, --out <dir>', 'where the fixture and scenario go (default: fixtures/recorded/<idp host>)')
    .addOption(
      new Option(
        '--connector <kind>',
        'for a bare config: which connector (default: oidc when idTokenVerificationConfig is set)',
      ).choices(['oauth2', 'oidc']),
    )
    .option('--user <id>', 'sent as login_hint (a mock IdP signs that user in without a page)')
    .option('--token-storage', "take Logto's token-storage path (getTokenResponseAndUserInfo)")
    .option('--refresh', 'also record a refresh with the stored refresh token (turns on --token-storage)')
    .option('--redirect-uri <uri>', 'the redirect URI registered at the IdP; you paste the URL you land on', redirect)
    .option('--port <port>', 'local port that takes the callback (http://127.0.0.1:<port>/callback)', parsePort, 0)
    .option('--open', 'open the authorization URL with xdg-open')
    .option(
      '--headless',
      'no person: follow the authorization URL without a browser (mock IdPs, test servers that sign in without a page)',
    )
    .option(
      '--timeout <seconds>',
      'give up on the sign-in, or on any one IdP request, after this long',
      parseSeconds,
      300,
    )
    .option('-v, --verbose', 'show evidence for passing checks too')
    .option('--no-color', 'plain output');
  for (const option of connectorCodeOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
What it does:
  1. runs the real connector with your config, its tokenEndpoint and userInfoEndpoint pointed at a
     local proxy that forwards to the real IdP and records what it answers (status, content type,
     the body's shape, errors);
  2. prints the authorization URL: sign in, and the callback comes back to a local port (or, with
     --redirect-uri, paste the URL you land on);
  3. writes <out>/idp/fixture.yaml (a mock-idp fixture answering the same way: encoding, expires_in
     form, token_type, extra fields, the userinfo's exact shape and types, errors and their
     WWW-Authenticate headers, a refusal at authorize, refresh rotation, extra parameters) and
     <out>/scenario.yaml (replays the sign-in, expects what the live run got),
     with every secret and token removed and personal values replaced by same-typed placeholders;
  4. reports the checks of the live sign-in, then replays the written files once and says whether
     they reproduce the live verdicts.

Examples:
  Record a provider (a person signs in in a browser):
    $ connector-harness record my-idp-config.json --refresh --open
  The IdP allows only a registered redirect URI:
    $ connector-harness record my-idp-config.json --redirect-uri https://logto.example.com/callback/abc
  Replay in CI, no network:
    $ connector-harness run fixtures/recorded/idp.example.com
  Re-record into the same folder: prints what the provider changed (+ new, - gone, ~ changed).

Exit status: 0 recorded (the live sign-in may have failed: that is recorded as known-bad), 1 the
provider's answers changed since the stored recording, or the replay does not reproduce the live
verdicts, 2 bad input (no such file, IdP unreachable, an answer over 4 MB, a redirect at token, a redirect
loop, no callback before --timeout), 130/143 interrupted by Ctrl-C/SIGTERM (nothing written).`,
    )
    .action(async (file: string, flags: RecordFlags) => {
      const signal = stopsAtSignal();
      // Loaded by the command, not at the CLI's start (which every other command and --help pay for).
      const [{ renderTerminal }, { interactivePerson, scriptedPerson }, { recordProvider }, { describeChange }] =
        await Promise.all([
          import('../report/terminal.ts'),
          import('./person.ts'),
          import('./record.ts'),
          import('./shape.ts'),
        ]);
      const say = (line: string) => process.stderr.write(`${line}\n`);
      // Timers take whole milliseconds (AbortSignal.timeout throws on 0.1): --timeout 0.0001 waits 1 ms.
      const timeoutMs = Math.ceil(flags.timeout * 1000);
      const person = flags.headless
        ? scriptedPerson({ timeoutMs })
        : await interactivePerson({
            ...(flags.redirectUri ? { redirectUri: flags.redirectUri } : {}),
            port: flags.port,
            timeoutMs,
            open: Boolean(flags.open),
            say,
          });
      const outcome = await recordProvider({
        input: file,
        person,
        timeoutMs,
        signal,
        ...(flags.out ? { out: flags.out } : {}),
        ...(flags.connector ? { connector: flags.connector } : {}),
        ...(flags.user ? { user: flags.user } : {}),
        ...(flags.tokenStorage ? { tokenStorage: true } : {}),
        ...(flags.refresh ? { refresh: true } : {}),
        ...(flags.connectorVersion ? { connectorVersion: flags.connectorVersion } : {}),
        ...(flags.connectorPath ? { connectorPath: flags.connectorPath } : {}),
      });
      const color = flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR;
      console.log('The live sign-in:');
      console.log(renderTerminal([outcome.live], { color, verbose: Boolean(flags.verbose) }));
      console.log(`wrote ${outcome.files.fixture}\nwrote ${outcome.files.scenario}`);
      for (const note of outcome.notes) console.log(`note: ${note}`);
      const replayed = outcome.replayDiffers.length === 0;
      console.log(
        replayed
          ? `replay: ${outcome.replay.checks.length} checks, the same verdicts as the live sign-in (connector-harness run ${outcome.files.scenario})`
          : `replay: the written fixture does not reproduce the live sign-in:\n${outcome.replayDiffers.map((line) => `  ${line}`).join('\n')}`,
      );
      const changes = outcome.changes ?? [];
      if (outcome.changes) {
        console.log(
          changes.length === 0
            ? "compared with the stored recording: no change in the provider's answers"
            : `the provider's answers changed since the stored recording (${changes.length}):` +
                `\n${changes.map((change) => `  ${describeChange(change)}`).join('\n')}` +
                `\n(the new recording is written; git diff shows it)`,
        );
      }
      process.exitCode = changes.length > 0 || !replayed ? 1 : 0;
    });
}
