import type { JournalEntry } from '../../mock-idp/journal.ts';
import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { wireName } from '../connectors/wire-name.ts';
import { journalViews } from './journal-views.ts';

export const CUSTOM_CONFIG_OVERRIDES: Record<string, string> = {
  state: "it replaces the state Logto generated, so Logto's sign-in page cannot tie the callback to the session",
  redirect_uri:
    "it replaces Logto's callback URL: the IdP sends the user elsewhere and the token request must repeat the same value",
};

const seenValue = (entry: JournalEntry | undefined, name: string) => entry?.params[name];

/** Each customConfig entry must reach authorize and token under its snake_cased name. */
export function checkCustomConfig(observation: Observation): CheckResult[] {
  const custom = (observation.config.customConfig as Record<string, unknown> | undefined) ?? {};
  const { authorize, codeExchange } = journalViews(observation);
  const results: CheckResult[] = [];
  for (const [key, value] of Object.entries(custom)) {
    const name = wireName(key);
    const id = `customConfig.${key}`;
    const title = `customConfig.${key}${name !== key ? ` → ${name}` : ''}`;
    const atAuthorize = seenValue(authorize, name);
    const atToken = seenValue(codeExchange, name);
    const evidence = { sentAs: name, value, atAuthorize, atToken };
    if (CUSTOM_CONFIG_OVERRIDES[name]) {
      const logtoValue = name === 'state' ? observation.state : observation.redirectUri;
      const returned = name === 'state' ? observation.callback?.state : undefined;
      results.push({
        id,
        title,
        status: 'warn',
        message:
          `customConfig overrides ${name}: ${CUSTOM_CONFIG_OVERRIDES[name]}` +
          `${returned !== undefined && returned !== logtoValue ? ` (Logto generated ${logtoValue}, the IdP returned ${returned})` : ''}`,
        evidence: { ...evidence, logtoSent: logtoValue, ...(returned !== undefined ? { idpReturned: returned } : {}) },
        hint: `remove "${key}" from customConfig unless the IdP truly needs a fixed ${name}`,
      });
      continue;
    }
    if (!authorize && !codeExchange) {
      // Nothing to compare with: a ✓ here would claim a parameter arrived that nobody received.
      results.push({ id, title, status: 'skip', message: 'not checked: no request reached the IdP', evidence });
      continue;
    }
    const missing = [
      authorize && atAuthorize === undefined ? 'authorize' : undefined,
      codeExchange && atToken === undefined ? 'token' : undefined,
    ].filter(Boolean);
    if (missing.length > 0) {
      results.push({
        id,
        title,
        status: 'fail',
        message: `did not reach the IdP at ${missing.join(' and ')}`,
        evidence,
      });
    } else if (name !== key) {
      results.push({
        id,
        title,
        status: 'warn',
        message: `sent as "${name}", not "${key}": the connector snake_cases customConfig keys`,
        evidence,
        hint: `if the IdP expects "${key}" literally, it cannot be sent through customConfig`,
      });
    } else {
      results.push({
        id,
        title,
        status: 'pass',
        message: `reached ${[authorize ? 'authorize' : '', codeExchange ? 'token' : ''].filter(Boolean).join(' and ')} as ${name}=${String(value)}`,
        evidence,
      });
    }
  }
  return results;
}

/** Parameters the scenario says must reach the IdP (e.g. `audience` at both endpoints). */
export function checkExpectedParams(observation: Observation): CheckResult[] {
  const { authorize, codeExchange } = journalViews(observation);
  const results: CheckResult[] = [];
  const expectations = [
    ['authorize', observation.scenario.expect.authorizeParams, authorize],
    ['token', observation.scenario.expect.tokenParams, codeExchange],
  ] as const;
  for (const [where, wanted, entry] of expectations) {
    for (const [name, value] of Object.entries(wanted ?? {})) {
      const got = entry?.params[name];
      const ok = got !== undefined && (value === true || got === value);
      results.push({
        id: `params.${where}.${name}`,
        title: `${name} at ${where}`,
        status: ok ? 'pass' : 'fail',
        message: ok
          ? `${name}=${got}`
          : entry
            ? `expected ${name}=${value === true ? '(any)' : value}, the IdP got ${got === undefined ? 'nothing' : got}`
            : `no ${where} request reached the IdP`,
        evidence: { received: entry?.params ?? {} },
      });
    }
  }
  return results;
}
