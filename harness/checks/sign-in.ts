import type { CheckResult } from '../model.ts';
import type { Observation, ObservedError } from '../observation.ts';
import { idpAnswer, journalViews } from './journal-views.ts';

const shown = (error: ObservedError) => (error.logtoStatus && !error.logtoCode.startsWith('http_') ? `${error.logtoCode} (HTTP ${error.logtoStatus})` : error.logtoCode);

/** Did the sign-in succeed (or fail as the scenario expects), and what did the IdP really answer? */
export function checkSignIn(observation: Observation): CheckResult[] {
  const results = signIn(observation);
  if (observation.journalAvailable === false) {
    results.push({ id: 'journal', title: 'IdP journal', status: 'skip', message: `${observation.issuer} keeps no journal the harness can read (not a mock-idp): auth method, customConfig, token format and refresh request checks are skipped` });
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
      return [{ id: 'sign-in', title: 'Sign-in', status: 'fail', message: `expected Logto to fail with ${expected}, but the sign-in succeeded` }];
    }
    return [{ id: 'sign-in', title: 'Sign-in', status: 'pass', message: `signed in through ${observation.signInPath}` }];
  }
  const evidence = {
    stage: error.stage,
    logtoError: error.logtoCode,
    ...(error.logtoStatus ? { logtoStatus: error.logtoStatus } : {}),
    connectorMessage: error.message,
    ...(idpResponse ? { idpResponse } : {}),
  };
  if (expected && error.logtoCode === expected) {
    return [{ id: 'sign-in', title: 'Sign-in', status: 'pass', message: `failed as expected: Logto shows ${shown(error)}`, evidence }];
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
        ? { hint: `the connector lost the IdP's error body (it reports "{}"); the IdP actually answered ${idpResponse.status}: ${JSON.stringify(idpResponse.body)}` }
        : {}),
    },
  ];
}
