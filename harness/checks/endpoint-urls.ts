import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';

/**
 * Both connectors build the authorization URL as `${authorizationEndpoint}?${parameters}`
 * (@logto/connector-oauth `constructAuthorizationUri`): a query already in the endpoint makes a
 * second `?`, and the IdP reads `response_type` as part of the previous parameter's value — it
 * answers "missing response_type", whatever else is right. Pure.
 */
export function endpointUrlFindings(config: Record<string, unknown>): CheckResult[] {
  const endpoint = config.authorizationEndpoint;
  if (typeof endpoint !== 'string' || !endpoint.includes('?')) return [];
  const query = endpoint.slice(endpoint.indexOf('?') + 1);
  const moved = Object.fromEntries(new URLSearchParams(query));
  return [
    {
      id: 'config.authorizationEndpoint',
      title: 'Authorization endpoint',
      status: 'fail',
      message:
        `authorizationEndpoint carries a query (?${query}): the connector appends "?response_type=…" to it,` +
        ` so the IdP gets two "?" and misreads every parameter after the first`,
      evidence: { authorizationEndpoint: endpoint },
      hint:
        `set authorizationEndpoint to ${JSON.stringify(endpoint.slice(0, endpoint.indexOf('?')))}` +
        ` and put ${JSON.stringify(moved)} in customConfig (it is sent at authorize, and at the token endpoint too)`,
    },
  ];
}

export const checkEndpointUrls = (observation: Observation): CheckResult[] =>
  endpointUrlFindings(observation.scenario.config);
