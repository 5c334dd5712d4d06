import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';

const words = (scope: string) => scope.split(/[ +]/).filter(Boolean);

/**
 * A linking scenario's link-time scope (`POST /api/verifications/social` `scope`): the connector
 * puts it in place of the config's, and the IdP must have received exactly it. The OIDC connector
 * adds `openid` to the config's scope but not to this one (its getAuthorizationUri uses the scope
 * it is given as is), so a link-time scope without `openid` gets no ID token. Pure.
 */
export function checkLink(observation: Observation): CheckResult[] {
  const scope = observation.scenario.link?.scope;
  if (scope === undefined) return [];
  const results: CheckResult[] = [];
  if (observation.scenario.connector === 'oidc' && !words(scope).includes('openid'))
    results.push({
      id: 'link.scope.openid',
      title: 'Link-time scope and openid',
      status: 'fail',
      message:
        `link scope ${JSON.stringify(scope)} has no openid: the OIDC connector sends a link-time scope as given ` +
        '(it adds openid only to the config’s), so the IdP issues no ID token and the link fails',
      evidence: { linkScope: scope, configScope: observation.config.scope ?? null },
      hint: `set link.scope: ${JSON.stringify(`openid ${scope}`)}`,
    });
  const authorize = journalViews(observation).authorize;
  if (!authorize) return results;
  const sent = authorize.params.scope;
  const ok = sent === scope;
  results.push({
    id: 'link.scope',
    title: 'Link-time scope at the IdP',
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `the IdP's authorize request asked for ${JSON.stringify(scope)} (the config's ${JSON.stringify(observation.config.scope ?? '')} overridden)`
      : `the IdP's authorize request asked for ${JSON.stringify(sent ?? null)}, not the link-time ${JSON.stringify(scope)}`,
    evidence: { linkScope: scope, configScope: observation.config.scope ?? null, authorizeScope: sent ?? null },
  });
  return results;
}
