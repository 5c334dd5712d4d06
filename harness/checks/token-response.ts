import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';

type WireFormat = 'json' | 'form' | 'other';

function wireFormat(contentType: string | undefined): WireFormat {
  if (!contentType) return 'other';
  if (contentType.includes('json')) return 'json';
  if (contentType.includes('x-www-form-urlencoded')) return 'form';
  return 'other';
}

/**
 * tokenEndpointResponseType against what the IdP sends: the OAuth2 connector defaults to
 * `query-string`, which cannot read a JSON body. What the connector's guard then makes of the fields
 * (a form-encoded expires_in is a string) is token.guard's.
 */
export function checkTokenResponse(observation: Observation): CheckResult[] {
  const { codeExchange } = journalViews(observation);
  if (!codeExchange || codeExchange.response.status !== 200) return [];
  const format = wireFormat(codeExchange.response.contentType);
  const body = (codeExchange.response.body ?? {}) as Record<string, unknown>;
  const evidence = { contentType: codeExchange.response.contentType, body };
  const id = 'token.response-type';
  const title = 'Token response format';

  if (observation.scenario.connector === 'oidc') {
    if (format !== 'json')
      return [
        {
          id,
          title,
          status: 'fail',
          message: `the OIDC connector parses the token response as JSON, the IdP sent ${codeExchange.response.contentType}`,
          evidence,
          hint: 'the IdP must answer JSON with an id_token; use the OAuth2 connector for this IdP',
        },
      ];
    if (!('id_token' in body))
      return [
        {
          id,
          title,
          status: 'fail',
          message: 'the token response has no id_token; the OIDC connector requires one',
          evidence,
          hint: 'request the `openid` scope (the OIDC connector adds it) and make sure the IdP issues id_tokens, or use the OAuth2 connector',
        },
      ];
    return [{ id, title, status: 'pass', message: 'JSON with an id_token, as the OIDC connector needs', evidence }];
  }

  const configured = (observation.config.tokenEndpointResponseType as string | undefined) ?? 'query-string';
  const defaulted = observation.config.tokenEndpointResponseType === undefined ? ' (the default)' : '';
  if (format === 'json' && configured === 'query-string') {
    return [
      {
        id,
        title,
        status: 'fail',
        message: `the IdP answers JSON but tokenEndpointResponseType is query-string${defaulted}: the connector cannot read access_token`,
        evidence,
        hint: 'set "tokenEndpointResponseType": "json" in the connector config',
      },
    ];
  }
  if (format === 'form' && configured === 'json') {
    return [
      {
        id,
        title,
        status: 'fail',
        message: 'the IdP answers form-encoded but tokenEndpointResponseType is json',
        evidence,
        hint: 'set "tokenEndpointResponseType": "query-string" (or remove it: it is the default)',
      },
    ];
  }
  if (format === 'other') {
    return [
      {
        id,
        title,
        status: 'fail',
        message: `the IdP answers ${codeExchange.response.contentType ?? 'without a content type'}; the connector reads JSON or form bodies`,
        evidence,
      },
    ];
  }
  const tokenType = body.token_type;
  const note =
    typeof tokenType === 'string' && tokenType !== 'Bearer'
      ? `; token_type "${tokenType}" is sent verbatim in the userinfo Authorization header`
      : '';
  return [
    {
      id,
      title,
      status: 'pass',
      message: `${format} body read with tokenEndpointResponseType ${configured}${defaulted}${note}`,
      evidence,
    },
  ];
}
