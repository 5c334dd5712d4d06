import type { Fixture } from '../fixture/schema.ts';
import { basicCredentials } from './client-auth-of.ts';
import { invalidRequest } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * Okta refuses a token request that authenticates twice: Basic credentials and a client_id in the
 * body. RFC 6749 §2.3 says a client MUST NOT use more than one method per request.
 */
export function refuseClientIdInBodyWithBasic(clients: Fixture['clients']): MockIdpMiddleware | undefined {
  if (!clients.some((client) => client.refuseClientIdInBodyWithBasic)) return undefined;
  return async function refuseClientIdInBodyWithBasic(ctx, next) {
    if (authenticatesTwice(ctx.get('authorization'), ctx.state.params, clients))
      throw invalidRequest(
        'Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, ' +
          'credentials in the post body, or a client_assertion in the post body.',
      );
    await next();
  };
}

/** Basic credentials and a client_id in the body, for a client that refuses that. */
function authenticatesTwice(
  authorization: string,
  params: Record<string, string>,
  clients: Fixture['clients'],
): boolean {
  if (!/^basic\s/i.test(authorization) || params.client_id === undefined) return false;
  const basicId = basicCredentials(authorization)?.id ?? '';
  const client = clients.find((candidate) => candidate.clientId === basicId || candidate.clientId === params.client_id);
  return client?.refuseClientIdInBodyWithBasic === true;
}
