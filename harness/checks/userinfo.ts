import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import type { JournalEntry } from '../../mock-idp/journal.ts';
import { findProvider } from '../providers/catalog.ts';
import { idpAnswer } from './journal-views.ts';
import { headerNamedIn, refusalText } from './refusal-text.ts';
import { waysOut } from './token-guard.ts';

/** The method the evidence says userinfo wants instead of the connector's GET, or undefined when nothing says so. */
function methodWanted(observation: Observation, entry: JournalEntry): string | undefined {
  const { scenario } = observation;
  const fixture = scenario.idp.kind === 'fixture' ? scenario.idp.fixture.userinfo : undefined;
  // The mock: the path is its userinfo path, and the fixture takes another method there (a wrong path is a 404 of its own).
  if (fixture?.enabled && fixture.method !== 'ANY' && fixture.method !== entry.method)
    return entry.path.split('?')[0] === fixture.path ? fixture.method : undefined;
  const { status, body } = entry.response;
  if (status === 405) return 'another method than GET';
  if (status === 401 || status === 403 || status >= 500) return undefined;
  // A live IdP's own refusal of the method, in its words (Google: "Request method 'GET' not supported").
  const text = refusalText(body);
  const named =
    /\b(?:use|only|requires?|expects?|must be|accepts?)\s+(POST|PUT)\b|\b(POST|PUT)\s+(?:only|is required)\b/i.exec(
      text,
    );
  if (named) return (named[1] ?? named[2])!.toUpperCase();
  if (
    /\bmethod\b[^.]{0,40}\b(?:not (?:allowed|supported)|unsupported|invalid)\b|\b(?:GET|method) not (?:allowed|supported)\b/i.test(
      text,
    )
  )
    return 'another method than GET';
  // The provider library knows the path and its method: a refusal there is the method's, not the path's.
  const known = findProvider(scenario.provider ?? '')?.userinfoMethod;
  return known && entry.path.split('?')[0]!.endsWith(known.path) ? known.method : undefined;
}

/**
 * What the evidence says no setting can change: the connector makes one GET to userInfoEndpoint with
 * only `authorization: <token_type> <access_token>` (@logto/connector-oauth `_getUserInfo`: `ky.get`), so an IdP
 * that refuses the method, or wants a header of its own, cannot be satisfied by any config.
 */
function unfixableUserinfo(
  observation: Observation,
  entry: JournalEntry,
): { reason: string; proxy: string } | undefined {
  const method = methodWanted(observation, entry);
  if (method)
    return {
      reason:
        `the IdP refuses ${entry.method} at userinfo (${entry.response.status}): it wants ${method},` +
        " and the generic connector always sends GET to userinfo (@logto/connector-oauth's _getUserInfo calls ky.get)",
      proxy: `calls userinfo with ${method === 'POST' || method === 'PUT' ? method : 'the method the IdP wants'}`,
    };
  const header = headerNamedIn(entry.response.body);
  if (header)
    return {
      reason: `the IdP wants a request header of its own (${header}), and the connector sends none but authorization`,
      proxy: `adds the ${header} header`,
    };
  return undefined;
}

const scheme = (authorization: string | undefined) => authorization?.split(' ')[0];

function hintFor(status: number, tokenType: string | undefined, body: unknown, served?: string): string | undefined {
  const oauthError = body && typeof body === 'object' ? (body as Record<string, unknown>).error : undefined;
  if (oauthError === 'insufficient_scope')
    return 'the access token lacks a scope userinfo needs: add it to "scope" in the connector config (see the IdP\'s error_description)';
  if (status === 401 || status === 403) {
    return (
      `the IdP refused the access token; the connector sends "authorization: ${tokenType ?? '<token_type>'} <access_token>"` +
      ` with token_type verbatim from the token response:` +
      ` check that the IdP accepts that scheme and that scope grants userinfo`
    );
  }
  if (status === 404)
    return `check userInfoEndpoint: nothing answers at that path${served ? ` (set "userInfoEndpoint": "${served}")` : ''}`;
  if (status >= 500)
    return 'an IdP-side failure (or a proxy in front of it): no connector setting fixes this; the connector retries GETs on 5xx twice before giving up';
  return undefined;
}

const pathOf = (url: unknown): string | undefined => {
  try {
    return new URL(String(url)).pathname;
  } catch {
    return undefined;
  }
};

/** The connector's calls to userInfoEndpoint: the mock classes a path it does not serve as `other`, not `userinfo`. */
function userinfoCalls(observation: Observation): JournalEntry[] {
  const configured = pathOf(observation.config.userInfoEndpoint);
  return observation.journal.filter(
    (entry) => entry.endpoint === 'userinfo' || (entry.endpoint === 'other' && entry.path.split('?')[0] === configured),
  );
}

/** Where the mock serves userinfo, when the connector called another path: the value the hint names. */
function servedAt(observation: Observation, entry: JournalEntry): string | undefined {
  const { idp } = observation.scenario;
  if (idp.kind !== 'fixture' || !idp.fixture.userinfo.enabled || entry.endpoint === 'userinfo') return undefined;
  return `${observation.issuer.replace(/\/$/, '')}${idp.fixture.userinfo.path}`;
}

/**
 * The userinfo call as the IdP saw it: the OAuth2 connector needs a 2xx JSON object. On an HTTP
 * error the connector reports `"{}"` (it stringifies the response stream), so the IdP's real
 * answer is shown here.
 */
export function checkUserinfo(observation: Observation): CheckResult[] {
  if (observation.scenario.connector !== 'oauth2') return [];
  const calls = userinfoCalls(observation);
  const last = calls.at(-1);
  if (!last) return [];
  const { status, contentType, body } = last.response;
  const tokenType = scheme(last.headers.authorization);
  const attempts = calls.length > 1 ? ` (${calls.length} attempts: the connector retries)` : '';
  const evidence = {
    request: `${last.method} ${last.path}`,
    authorizationScheme: tokenType,
    attempts: calls.length,
    idpResponse: idpAnswer(last),
  };
  const id = 'userinfo';
  const title = 'Userinfo';
  if (status >= 400) {
    const unfixable = unfixableUserinfo(observation, last);
    if (unfixable) {
      const ways = waysOut(observation.scenario.provider, unfixable.proxy);
      return [
        {
          id,
          title,
          status: 'fail',
          message: `the IdP answered ${status} at ${last.method} ${last.path}${attempts}: ${unfixable.reason}`,
          evidence,
          hint: `no setting of the OAuth2 connector fixes this (${unfixable.reason}). Ways out: ${ways.join('; or ')}`,
          unfixable: { reason: unfixable.reason, waysOut: ways },
        },
      ];
    }
    const hint = hintFor(status, tokenType, body, servedAt(observation, last));
    return [
      {
        id,
        title,
        status: 'fail',
        message: (
          `the IdP answered ${status} ${contentType ?? ''}${attempts};` +
          ` Logto shows ${observation.error?.logtoCode ?? 'an error'} with "{}", the body is lost`
        ).replace('  ', ' '),
        evidence,
        ...(hint ? { hint } : {}),
      },
    ];
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return [
      {
        id,
        title,
        status: 'fail',
        message:
          `the IdP answered ${status} ${contentType ?? 'without a content type'}` +
          `, not a JSON object; the connector fails with connector.invalid_response`,
        evidence,
        hint: 'userInfoEndpoint must return a JSON object (check the URL: an HTML page often means a login or error page)',
      },
    ];
  }
  return [
    {
      id,
      title,
      status: 'pass',
      message: `${last.method} ${status} JSON object, authorization scheme "${tokenType ?? '?'}"${attempts}`,
      evidence,
    },
  ];
}
