import type { CheckResult } from '../model.ts';
import type { Observation, ObservedError } from '../observation.ts';
import { disguisedError, explainDisguisedError } from './error-with-200.ts';
import { waysOut } from './token-guard.ts';
import { idpAnswer, journalViews } from './journal-views.ts';
import { wantedParams, wantedParamsHint } from './missing-params.ts';

const shown = (error: ObservedError) =>
  error.logtoStatus && !error.logtoCode.startsWith('http_')
    ? `${error.logtoCode} (HTTP ${error.logtoStatus})`
    : error.logtoCode;

/** Did the sign-in succeed (or fail as the scenario expects), and what did the IdP really answer? */
export function checkSignIn(observation: Observation): CheckResult[] {
  const results = signIn(observation);
  const callbackError = observation.callback?.error;
  if (callbackError) {
    const description = observation.callback?.error_description;
    const pkce = requiresPkce(description);
    const ways = waysOut(
      observation.scenario.provider,
      'adds a code_challenge and, at the token endpoint, its code_verifier',
    );
    const hint = pkce
      ? `no setting of the generic connectors fixes this (${PKCE_REASON}). Ways out: ${ways.join('; or ')}`
      : callbackErrorHint(callbackError, description, observation.scenario.connector);
    results.push({
      id: 'authorize',
      title: 'Authorization',
      status: 'fail',
      message:
        `the IdP sent the user back with error=${callbackError}${description ? ` (${description})` : ''}` +
        `; with no code in the callback the connector throws`,
      evidence: { callback: observation.callback },
      ...(hint ? { hint } : {}),
      ...(pkce ? { unfixable: { reason: PKCE_REASON, waysOut: ways } } : {}),
    });
  }
  if (observation.journalAvailable === false) {
    results.push({
      id: 'journal',
      title: 'IdP journal',
      status: 'skip',
      message:
        `${observation.issuer} keeps no journal the harness can read (not a mock-idp):` +
        ` auth method, customConfig, token format and refresh request checks are skipped`,
    });
  }
  return results;
}

function signIn(observation: Observation): CheckResult[] {
  const { error, scenario } = observation;
  const expected = scenario.expect.error;
  const views = journalViews(observation);
  const idpResponse = idpAnswer(views.firstFailure);
  if (!error) {
    if (expected) {
      return [
        {
          id: 'sign-in',
          title: 'Sign-in',
          status: 'fail',
          message: `expected Logto to fail with ${expected}, but the sign-in succeeded`,
        },
      ];
    }
    return [
      { id: 'sign-in', title: 'Sign-in', status: 'pass', message: `signed in through ${observation.signInPath}` },
    ];
  }
  const evidence = {
    stage: error.stage,
    logtoError: error.logtoCode,
    ...(error.logtoStatus ? { logtoStatus: error.logtoStatus } : {}),
    connectorMessage: error.message,
    ...(idpResponse ? { idpResponse } : {}),
  };
  // Slack, Naver, WeChat: the error came with HTTP 200, so nothing in Logto's error names it.
  const disguised = disguisedError(observation.journal);
  const why = disguised ? `; ${explainDisguisedError(disguised)}` : '';
  if (expected && error.logtoCode === expected) {
    const lostBody =
      !disguised && idpResponse && (error.message === '{}' || error.message.includes('"{}"'))
        ? `; the IdP actually answered ${idpResponse.status}: ${JSON.stringify(idpResponse.body)}`
        : '';
    return [
      {
        id: 'sign-in',
        title: 'Sign-in',
        status: 'pass',
        message: `failed as expected: Logto shows ${shown(error)}${why}${lostBody}`,
        evidence,
      },
    ];
  }
  if (disguised) {
    return [
      {
        id: 'sign-in',
        title: 'Sign-in',
        status: 'fail',
        message: `${expected ? `expected ${expected}, got` : 'Logto shows'} ${shown(error)} (${error.stage})`,
        evidence: { ...evidence, idpResponse: idpAnswer(disguised.entry) },
        hint: explainDisguisedError(disguised),
      },
    ];
  }
  const lost = error.message === '{}' || error.message.includes('"{}"');
  return [
    {
      id: 'sign-in',
      title: 'Sign-in',
      status: 'fail',
      message: `${expected ? `expected ${expected}, got` : 'Logto shows'} ${shown(error)} (${error.stage}): ${error.message}`,
      evidence,
      ...(idpResponse && lost
        ? {
            hint:
              `the connector lost the IdP's error body (it reports "{}");` +
              ` the IdP actually answered ${idpResponse.status}: ${JSON.stringify(idpResponse.body)}`,
          }
        : {}),
    },
  ];
}

const requiresPkce = (description = '') => /\bPKCE\b|code_challenge/i.test(description);
const PKCE_REASON =
  "the IdP requires PKCE (a code_challenge), and Logto's generic OAuth2 and OIDC connectors never send one";

/** What to change when the IdP answers the authorization request with an error redirect. Pure. */
export function callbackErrorHint(
  code: string,
  description = '',
  connector: 'oauth2' | 'oidc' = 'oauth2',
): string | undefined {
  // Every parameter the refusal names (an IdP may list them all at once), each where it goes and with its value.
  const wanted = wantedParams(description);
  if (wanted.length > 0) return wantedParamsHint(wanted, connector);
  // Logto's generic OAuth2 and OIDC connectors never send code_challenge: no config can satisfy such an IdP.
  if (requiresPkce(description))
    return (
      "the IdP requires PKCE (a code_challenge); Logto's generic OAuth2/OIDC connectors never send one," +
      " so no config fixes this: use the provider's dedicated Logto connector (e.g. X / Twitter)"
    );
  switch (code) {
    case 'invalid_scope':
      return 'check "scope": the IdP does not allow one of the scopes asked for';
    case 'unauthorized_client':
    case 'invalid_client':
      return "check clientId, and that the IdP allows Logto's callback URL (https://<logto>/callback/<connector-id>) as a redirect URI";
    case 'access_denied':
      return 'the user (or an IdP policy) declined the sign-in';
    case 'invalid_request':
      return 'the IdP found the authorization request malformed: compare the authorize parameters in the journal with what the IdP documents';
    default:
      return undefined;
  }
}
