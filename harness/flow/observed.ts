import { runChecks } from '../checks/index.ts';
import { observationHops } from '../hops.ts';
import type { Observed, ScenarioResult } from '../model.ts';
import type { Observation } from '../observation.ts';

/** The observation's error plus what the IdP really answered, as a report shows it. */
function reportedError(observation: Observation): ScenarioResult['error'] {
  const { error } = observation;
  if (!error) return undefined;
  const failure = observation.journal.find((entry) => entry.endpoint !== 'login' && entry.response.status >= 400);
  return {
    code: error.logtoCode,
    message: error.message,
    ...(error.logtoStatus ? { status: error.logtoStatus } : {}),
    ...(failure
      ? { idpResponse: { endpoint: failure.endpoint, status: failure.response.status, body: failure.response.body } }
      : {}),
  };
}

/** One run of the connector → what it shows: every check over it, the error a user would see, the hops. Pure. */
export function observed(observation: Observation): Observed {
  const error = reportedError(observation);
  return {
    checks: runChecks(observation),
    ...(error ? { error } : {}),
    hops: observationHops(observation),
    connectorVersion: observation.connectorVersion,
  };
}
