import { Command } from 'commander';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import { EXIT } from '../../lib/run-cli.ts';
import { ensureWritableFolder } from '../../lib/writable-folder.ts';
import { addOptions } from './add-options.ts';
import { logtoApiOptions, requireManagementCredentials, type LogtoApiFlags } from './logto-api-options.ts';
import { outputOptions, wantsColor, type OutputFlags } from './output-options.ts';

interface AuditFlags extends LogtoApiFlags, Omit<OutputFlags, 'quiet'> {
  probe?: boolean;
  export?: string;
}

async function audit(flags: AuditFlags): Promise<void> {
  requireManagementCredentials(flags, 'audit');
  // Before the tenant is read (and probed): the findings must not be lost to a folder that cannot take them.
  if (flags.reporter.length > 0) await ensureWritableFolder(flags.outDir);
  if (flags.export) await ensureWritableFolder(flags.export, '--export');
  const { auditTenant } = await import('../audit/index.ts');
  const [{ summarize }, { renderTerminal }, { writeReports }] = await Promise.all([
    import('../report/summary.ts'),
    import('../report/terminal.ts'),
    import('./write-reports.ts'),
  ]);
  const { accessProblem } = await import('../logto-api/access-problem.ts');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const report = await auditTenant({
    endpoint: flags.endpoint,
    m2mAppId: flags.m2mAppId,
    m2mAppSecret: flags.m2mAppSecret,
    resource: flags.resource,
    apiTimeoutMs: flags.apiTimeout * 1000,
    probe: Boolean(flags.probe),
    source: { projectRoot: PACKAGE_ROOT },
    log,
  }).catch((error: unknown) => {
    throw accessProblem(error);
  });
  if (report.connectors.length === 0) console.log(`no OAuth2/OIDC social connector in ${flags.endpoint}`);
  console.log(renderTerminal(report.results, { color: wantsColor(flags), verbose: Boolean(flags.verbose) }));
  for (const file of await writeReports(report.results, { ...flags, target: 'audit' })) console.log(`wrote ${file}`);
  if (flags.export) {
    const { writeExports } = await import('../audit/export.ts');
    for (const { file, variables } of await writeExports(report.connectors, flags.endpoint, flags.export))
      console.log(`exported ${file}${variables.length > 0 ? ` (needs ${variables.join(', ')})` : ''}`);
  }
  process.exitCode = summarize(report.results).failed > 0 ? EXIT.failed : EXIT.ok;
}

const AUDIT_HELP = `
Nothing in the tenant is created or changed, and no user signs in: the audit only reads
GET /api/connectors. --probe sends each IdP what Logto would send at a sign-in, with a code that
cannot be valid: invalid_grant means the client authenticated, invalid_client that the id, the
secret or the auth method is wrong.

Examples:
  A self-hosted Logto:
    $ LOGTO_M2M_APP_ID=… LOGTO_M2M_APP_SECRET=… connector-harness audit --endpoint http://localhost:3001
  A Logto Cloud tenant, probing each IdP, reports for CI:
    $ connector-harness audit --endpoint https://<tenant>.logto.app --resource https://<tenant-id>.logto.app/api \\
        --probe -r junit -r json
  Export the connectors as scenarios, then run them against their starter fixtures:
    $ connector-harness audit --endpoint http://localhost:3001 --export audited/
    $ HARNESS_<TARGET>_CLIENT_SECRET=… connector-harness run audited/

Exit status: 0 no error-level finding (warnings are reported), 1 a connector has one, 2 bad input or the tenant cannot be read,
130/143 interrupted by Ctrl-C/SIGTERM (it stops at once: no report or export is written).`;

/** `connector-harness audit`: the social connectors a Logto already has, read-only. */
export function makeAuditCommand(): Command {
  const command = new Command('audit')
    .description(
      'check every OAuth2/OIDC social connector a Logto already has, read-only: the traps its stored config sets, and with --probe what its IdP answers',
    )
    .option(
      '--probe',
      'also contact each IdP: discovery, and a token request with a deliberately invalid code using the configured client authentication',
    )
    .option(
      '--export <dir>',
      'write each connector as a scenario file (secrets as ${env:…} references) with a starter fixture of its IdP',
    );
  return addOptions(command, [
    ...logtoApiOptions(),
    ...outputOptions({ verbose: 'show evidence for every finding', quiet: false }),
  ])
    .addHelpText('after', AUDIT_HELP)
    .action(audit);
}
