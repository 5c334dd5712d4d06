import { Command } from 'commander';
import { runCli } from '../lib/run-cli.ts';
import { projectVersion } from '../lib/version.ts';
import { makeAuditCommand } from './commands/audit-command.ts';
import { makeInitCommand } from './commands/init-command.ts';
import { makeListCommand } from './commands/list-command.ts';
import { makeListProvidersCommand } from './commands/list-providers-command.ts';
import { makeMergeReportsCommand } from './commands/merge-reports-command.ts';
import { makeRunCommand } from './commands/run-command.ts';
import { makeValidateCommand } from './commands/validate-command.ts';
import { makeRecordCommand } from './record/command.ts';
import { makeStacksCommand } from './targets/logto-container/stacks-command.ts';

const program = new Command('connector-harness')
  .description('Check Logto OAuth2/OIDC social connector configs end to end, with the real connector code.')
  .version(projectVersion, '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Quick start:
  $ connector-harness run fixtures/scenarios            # the shipped suite, embedded mock IdP, no Logto
  $ connector-harness run my-idp.yaml --verbose         # your config against your IdP fixture
  $ connector-harness validate my-idp.yaml              # check the file and the config without running
  $ connector-harness run --help                        # every option, with examples

A scenario file: the connector config as a Logto admin writes it (or the whole connector object
from GET /api/connectors/{id}), the IdP (a mock-idp fixture, inline or by path, or a URL), the user
to sign in as, and what must come out (profile, parameters, auth method, error, known-bad diagnosis).`,
  );

program
  .addCommand(makeRunCommand(), { isDefault: true })
  .addCommand(makeMergeReportsCommand())
  .addCommand(makeAuditCommand())
  .addCommand(makeListCommand())
  .addCommand(makeValidateCommand())
  .addCommand(makeListProvidersCommand())
  .addCommand(makeInitCommand())
  .addCommand(makeRecordCommand())
  .addCommand(makeStacksCommand());
// addCommand, unlike command(), leaves a made command's settings alone: each gets the program's (help after an error).
for (const command of program.commands) command.copyInheritedSettings(program);

await runCli(program);
