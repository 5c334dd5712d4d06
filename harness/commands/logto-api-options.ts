import { Option } from 'commander';
import { rememberSecrets } from '../../lib/mask.ts';
import { UserError } from '../../lib/user-error.ts';
import { DEFAULT_API_TIMEOUT_MS } from '../logto-api/api-timeout.ts';
import { parseSeconds } from '../../lib/cli-parsers.ts';
import { parseHttpUrl } from '../run-flags.ts';

/** The heading run and audit show these options under: the same Logto, reached the same way by both. */
export const LOGTO_API_GROUP = 'Running Logto (--target logto, audit):';

/** What the options below give a command's action. */
export interface LogtoApiFlags {
  endpoint?: string;
  m2mAppId?: string;
  m2mAppSecret?: string;
  resource: string;
  /** Seconds. */
  apiTimeout: number;
}

/**
 * How a command reaches a running Logto's Management API: the endpoint, the M2M app's credentials, the resource, and
 * how long one call may take (why 30 s by default: DEFAULT_API_TIMEOUT_MS). New Options at each call, so that nothing
 * one command sets on them reaches the other.
 */
export function logtoApiOptions(): Option[] {
  return [
    new Option('--endpoint <url>', 'Logto endpoint').env('LOGTO_ENDPOINT').argParser(parseHttpUrl),
    new Option('--m2m-app-id <id>', 'M2M app id with Management API access (audit only reads)').env('LOGTO_M2M_APP_ID'),
    new Option('--m2m-app-secret <secret>', 'its secret (prefer the env var)').env('LOGTO_M2M_APP_SECRET'),
    new Option('--resource <indicator>', 'Management API resource; a tenant: https://<tenant-id>.logto.app/api')
      .env('LOGTO_RESOURCE')
      .default('https://default.logto.app/api'),
    new Option(
      '--api-timeout <seconds>',
      'give up on a Logto (--target logto-container too) that has not answered one API call after this long (exit 2)',
    )
      .env('HARNESS_API_TIMEOUT')
      .argParser(parseSeconds)
      .default(DEFAULT_API_TIMEOUT_MS / 1000),
  ].map((option) => option.helpGroup(LOGTO_API_GROUP));
}

/** The endpoint and M2M credentials, from flags or the environment; what is missing is bad input. */
export function requireManagementCredentials(
  flags: LogtoApiFlags,
  field: string,
): asserts flags is LogtoApiFlags & Required<Pick<LogtoApiFlags, 'endpoint' | 'm2mAppId' | 'm2mAppSecret'>> {
  const missing = [
    !flags.endpoint && '--endpoint (or LOGTO_ENDPOINT)',
    !flags.m2mAppId && '--m2m-app-id (or LOGTO_M2M_APP_ID)',
    !flags.m2mAppSecret && '--m2m-app-secret (or LOGTO_M2M_APP_SECRET)',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new UserError({
      field,
      message: `needs ${missing.join(', ')}`,
      hint: 'create an M2M app with the "Logto Management API access" role in the Logto console and pass its id and secret through the environment',
    });
  }
  rememberSecrets(flags.m2mAppSecret);
}
