import { Option } from 'commander';
import type { Target } from '../model.ts';
import { connectorCodeOptions, parseHttpUrl } from '../run-flags.ts';
import type { LogtoTargetOptions } from '../targets/logto/options.ts';
import { requireCheckout } from '../targets/logto-container/require-checkout.ts';
import { requireManagementCredentials, type LogtoApiFlags } from './logto-api-options.ts';

/** What `run` is told of its target; --out-dir too, where a Logto in containers leaves its credentials. */
export interface RunTargetFlags extends LogtoApiFlags {
  target: 'in-process' | 'logto' | 'logto-container';
  connectorVersion?: string;
  connectorPath?: string;
  idpPublicUrl?: string;
  keep?: boolean;
  keepStack?: boolean;
  outDir: string;
}

/** Which connector code runs, and where: in this process, in a running Logto, in a Logto in containers. */
export const connectorOptions = () =>
  [
    new Option('-t, --target <target>', 'where the connector runs')
      .choices(['in-process', 'logto', 'logto-container'])
      .default('in-process'),
    ...connectorCodeOptions(),
  ].map((option) => option.helpGroup('The connector and where it runs:'));

/** What only a run on a Logto needs (audit reads a Logto but signs no one in). */
export const logtoTargetOptions = () =>
  [
    new Option('--idp-public-url <url>', '--target logto: URL Logto reaches the mock IdP at')
      .env('HARNESS_IDP_PUBLIC_URL')
      .argParser(parseHttpUrl),
    new Option('--keep', '--target logto: keep the created connector, user and app for debugging'),
    new Option(
      '--keep-stack',
      '--target logto-container: leave PostgreSQL and Logto running afterwards; prints the URL and where the credentials are',
    ),
  ].map((option) => option.helpGroup('A Logto target only:'));

/** The target the flags name, ready to run scenarios on; what it lacks (credentials, a checkout) is bad input. */
export async function createTarget(flags: RunTargetFlags): Promise<Target> {
  if (flags.target === 'in-process') {
    const { createInProcessTarget } = await import('../targets/in-process/index.ts');
    return createInProcessTarget({
      ...(flags.connectorVersion ? { connectorVersion: flags.connectorVersion } : {}),
      ...(flags.connectorPath ? { connectorPath: flags.connectorPath } : {}),
    });
  }
  if (flags.target === 'logto-container') {
    requireCheckout('--target logto-container');
    const { createLogtoContainerTarget } = await import('../targets/logto-container/index.ts');
    return createLogtoContainerTarget({
      keepStack: Boolean(flags.keepStack),
      keep: Boolean(flags.keep),
      credentialsDir: flags.outDir,
      apiTimeoutMs: flags.apiTimeout * 1000,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  }
  requireManagementCredentials(flags, '--target logto');
  const options: LogtoTargetOptions = {
    endpoint: flags.endpoint,
    m2mAppId: flags.m2mAppId,
    m2mAppSecret: flags.m2mAppSecret,
    resource: flags.resource,
    keep: Boolean(flags.keep),
    apiTimeoutMs: flags.apiTimeout * 1000,
    ...(flags.idpPublicUrl ? { idpPublicUrl: flags.idpPublicUrl } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  // Loaded only for this target, so the in-process path never pulls in the Logto client code.
  const { createLogtoTarget } = await import('../targets/logto/index.ts');
  return createLogtoTarget(options);
}
