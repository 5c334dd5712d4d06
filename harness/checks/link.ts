import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';
import { LINK_REFUSALS } from '../scenario/link-refusals.ts';

const words = (scope: string) => scope.split(/[ +]/).filter(Boolean);

/**
 * A linking scenario's link-time scope (`POST /api/verifications/social` `scope`): the connector
 * puts it in place of the config's, and the IdP must have received exactly it. The OIDC connector
 * adds `openid` to the config's scope but not to this one (its getAuthorizationUri uses the scope
 * it is given as is), so a link-time scope without `openid` gets no ID token. Pure.
 */
export function checkLink(observation: Observation): CheckResult[] {
  return [...checkLinkScope(observation), ...checkLinkRefusal(observation)];
}

function checkLinkScope(observation: Observation): CheckResult[] {
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

const CANNOT_SEE = 'in-process runs no Logto and cannot see its users: --target logto shows what Logto answers';

/**
 * `link.expectRefusal`: what in-process can predict of Logto's refusal. The refusal is Logto's rule
 * about its users, not the connector's doing; what the connector decides is whether Logto gets as
 * far: the IdP user's id (the identity Logto compares), and for a sign-up, the email or phone Logto
 * would keep as another identifier. Pure.
 */
function checkLinkRefusal(observation: Observation): CheckResult[] {
  const code = observation.scenario.link?.expectRefusal;
  if (!code) return [];
  const refusal = LINK_REFUSALS[code];
  const base = { id: 'link.refusal', title: `Logto's refusal: ${code}` };
  const evidence = {
    expectRefusal: code,
    status: refusal.status,
    call: refusal.call,
    userInfo: observation.userInfo ?? null,
  };
  const id = observation.userInfo?.id;
  if (id === undefined || id === null || id === '')
    return [
      {
        ...base,
        status: 'fail',
        message:
          `the connector got no IdP user id${observation.error ? ` (${observation.error.logtoCode})` : ''}, so Logto ` +
          `would stop at POST /api/verifications/social/verify before it could refuse with ${code}: the checks above say why`,
        evidence,
      },
    ];
  const kept = (['email', 'phone'] as const).filter((field) => typeof observation.userInfo?.[field] === 'string');
  if (code === 'user.last_sign_in_method_required' && kept.length > 0)
    return [
      {
        ...base,
        status: 'fail',
        message:
          `the connector maps ${kept.join(' and ')} (${kept.map((field) => JSON.stringify(observation.userInfo?.[field])).join(', ')}): ` +
          "Logto's sign-up keeps it as the user's primary " +
          `${kept.join('/')} (when no other user has it), another identifier, so the unlink would not be refused`,
        evidence,
        hint: `leave ${kept.join(' and ')} out of profileMap, or sign in as a fixture user without ${kept.join('/')}`,
      },
    ];
  const why =
    code === 'user.identity_already_in_use'
      ? `The connector reads the IdP user id ${JSON.stringify(id)}, the identity the other user's sign-in stored first`
      : `The connector reads the IdP user id ${JSON.stringify(id)} and no email or phone, so the sign-up leaves the ` +
        'identity as the only identifier';
  return [
    {
      ...base,
      status: 'pass',
      message:
        `predicted: Logto 1.42 answers ${refusal.call} with ${refusal.status} ${code} — ${refusal.meaning}. ` +
        `${why}; ${CANNOT_SEE}`,
      evidence,
    },
  ];
}
