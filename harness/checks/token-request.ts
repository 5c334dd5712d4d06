import type { JournalEntry } from '../../mock-idp/journal.ts';
import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { idpAnswer, journalViews } from './journal-views.ts';
import { headerNamedIn, refusalText } from './refusal-text.ts';
import { waysOut } from './token-guard.ts';

/**
 * What the generic connectors send at the token endpoint is fixed: @logto/connector-oauth's
 * `requestTokenEndpoint` POSTs `new URLSearchParams(snakecaseKeys(form))` with no header but
 * `authorization` (client_secret_basic only), and @logto/connector-oidc calls that same function.
 * customConfig goes into that form body, never into a header. An IdP that wants a JSON body, or a
 * header of its own, refuses every request the connector can make: the evidence is the request as the
 * IdP received it (its content type), the IdP's refusal, and the fixture when the IdP is the mock.
 */
const FORM_ONLY =
  "the connector always POSTs the token request as a form (application/x-www-form-urlencoded): @logto/connector-oauth's " +
  'requestTokenEndpoint builds a URLSearchParams body, and @logto/connector-oidc calls the same function';
const NO_HEADERS =
  "the connector sends no header of its own at the token endpoint (@logto/connector-oauth's requestTokenEndpoint, which " +
  '@logto/connector-oidc calls too, adds only authorization for client_secret_basic; customConfig goes into the form body)';

interface Cause {
  reason: string;
  proxy: string;
}

const isForm = (entry: JournalEntry) => (entry.headers['content-type'] ?? '').includes('x-www-form-urlencoded');

function fixtureOf(observation: Observation) {
  return observation.scenario.idp.kind === 'fixture' ? observation.scenario.idp.fixture : undefined;
}

/** A JSON-only token endpoint: the fixture says so, or the refusal of a form body asks for JSON (415, or the words). */
function wantsJson(observation: Observation, entry: JournalEntry): Cause | undefined {
  if (!isForm(entry)) return undefined;
  const text = refusalText(entry.response.body);
  const saysJson = /\bjson\b/i.test(text) && /application\/json|content.?type|body|payload|media type/i.test(text);
  if (fixtureOf(observation)?.tokenRequest.encoding !== 'json' && entry.response.status !== 415 && !saysJson)
    return undefined;
  return {
    reason: `the IdP takes only a JSON body at the token endpoint, and ${FORM_ONLY}`,
    proxy: 'turns the form body into JSON',
  };
}

/** A header the token endpoint requires: named by the fixture (and not sent), or by the IdP's refusal. */
function wantsHeader(observation: Observation, entry: JournalEntry): Cause | undefined {
  const required = fixtureOf(observation)?.tokenRequest.requiredHeaders?.headers ?? {};
  const unsent = Object.entries(required)
    .filter(([name, value]) => {
      const sent = entry.headers[name.toLowerCase()];
      return sent === undefined || (value !== true && sent !== value);
    })
    .map(([name]) => name);
  const named = unsent.length > 0 ? unsent : [headerNamedIn(entry.response.body)].filter((name) => name !== undefined);
  if (named.length === 0) return undefined;
  const list = named.join(', ');
  return {
    reason: `the IdP wants a request header of its own at the token endpoint (${list}), and ${NO_HEADERS}`,
    proxy: `adds the ${list} header${named.length > 1 ? 's' : ''}`,
  };
}

/** The token request the IdP refused for its form, not its content: what no connector setting changes. */
export function checkTokenRequest(observation: Observation): CheckResult[] {
  const { codeExchange } = journalViews(observation);
  if (!codeExchange || codeExchange.response.status < 400) return [];
  const cause = wantsJson(observation, codeExchange) ?? wantsHeader(observation, codeExchange);
  if (!cause) return [];
  const ways = waysOut(observation.scenario.provider, cause.proxy);
  const connector = observation.scenario.connector === 'oidc' ? 'OIDC' : 'OAuth2';
  return [
    {
      id: 'token.request',
      title: 'Token request',
      status: 'fail',
      message: `the IdP answered ${codeExchange.response.status} at ${codeExchange.method} ${codeExchange.path}: ${cause.reason}`,
      evidence: {
        request: `${codeExchange.method} ${codeExchange.path}`,
        contentType: codeExchange.headers['content-type'],
        idpResponse: idpAnswer(codeExchange),
      },
      hint: `no setting of the ${connector} connector fixes this (${cause.reason}). Ways out: ${ways.join('; or ')}`,
      unfixable: { reason: cause.reason, waysOut: ways },
    },
  ];
}
