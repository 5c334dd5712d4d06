import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';

/**
 * Basic credentials plus a client_id in the token request body: two authentication methods in one
 * request, which RFC 6749 §2.3 forbids and Okta refuses ("Cannot supply multiple client
 * credentials"). The connector itself never does this; a client_id in customConfig does.
 */
export function checkDoubleCredentials(observation: Observation): CheckResult[] {
  const { codeExchange } = journalViews(observation);
  // An IdP that refuses the request before authenticating the client leaves no clientAuth record: read the header.
  const basic =
    codeExchange?.clientAuth?.method === 'client_secret_basic' ||
    /^basic\s/i.test(codeExchange?.headers.authorization ?? '');
  if (!codeExchange || !basic || codeExchange.params.client_id === undefined) return [];
  const fromCustomConfig = Object.keys(
    (observation.config.customConfig as Record<string, unknown> | undefined) ?? {},
  ).some((key) => key === 'client_id' || key === 'clientId');
  return [
    {
      id: 'auth.double-credentials',
      title: 'One client authentication per request',
      status: codeExchange.response.status >= 400 ? 'fail' : 'warn',
      message:
        `the token request carried Basic credentials AND client_id in the body` +
        `${codeExchange.response.status >= 400 ? `; the IdP refused it (${codeExchange.response.status})` : ''}` +
        `: RFC 6749 §2.3 allows one method per request, and IdPs such as Okta refuse two`,
      evidence: {
        bodyClientId: codeExchange.params.client_id,
        idpResponse: { status: codeExchange.response.status, body: codeExchange.response.body },
      },
      hint: fromCustomConfig
        ? 'remove client_id from customConfig: with client_secret_basic the connector already sends the client id in the Authorization header'
        : 'send the client id in one place only',
    },
  ];
}
