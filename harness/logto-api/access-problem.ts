import { UserError } from '../../lib/user-error.ts';
import { LogtoApiError } from './logto-http.ts';

/**
 * The first Management API call refused by Logto is almost always a setup mistake: say which.
 * (An answer that is not Logto's is an EndpointAnswerError already, a UserError of its own.)
 */
export function accessProblem(error: unknown): unknown {
  if (!(error instanceof LogtoApiError)) return error;
  const hint =
    error.status === 401 || error.code.startsWith('oidc.')
      ? 'check LOGTO_M2M_APP_ID / LOGTO_M2M_APP_SECRET (an M2M app) and --resource (a Logto Cloud tenant uses https://<tenant-id>.logto.app/api)'
      : error.status === 403
        ? 'give the M2M app the "Logto Management API access" role'
        : 'see the Logto server log';
  return new UserError({ field: '--endpoint', message: `Logto refused the Management API: ${error.message}`, hint });
}
