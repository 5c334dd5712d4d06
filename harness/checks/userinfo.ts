import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { idpAnswer } from './journal-views.ts';
import { waysOut } from './token-guard.ts';

const bodyText = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body ?? ''));

/**
 * What the evidence says no setting can change: the connector makes one GET to userInfoEndpoint with
 * only `authorization: <token_type> <access_token>` (@logto/connector-oauth `_getUserInfo`), so an IdP
 * that refuses the method, or wants a header of its own, cannot be satisfied by any config.
 */
function unfixableUserinfo(status: number, body: unknown): { reason: string; proxy: string } | undefined {
  if (status === 405)
    return {
      reason: 'the IdP refuses the method (405): it wants another than GET, and the connector always GETs userinfo',
      proxy: 'calls userinfo with the method the IdP wants',
    };
  const header =
    /\b([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)\b[^.]{0,40}\bheader\b|\bheader\b[^.]{0,40}?\b([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)\b/.exec(
      bodyText(body),
    );
  if (header && /missing|required|invalid|must/i.test(bodyText(body)))
    return {
      reason: `the IdP wants a request header of its own (${header[1] ?? header[2]}), and the connector sends none but authorization`,
      proxy: `adds the ${header[1] ?? header[2]} header`,
    };
  return undefined;
}

const scheme = (authorization: string | undefined) => authorization?.split(' ')[0];

function hintFor(status: number, tokenType: string | undefined, body: unknown): string | undefined {
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
  if (status === 404) return 'check userInfoEndpoint: nothing answers at that path';
  if (status >= 500)
    return 'an IdP-side failure (or a proxy in front of it): no connector setting fixes this; the connector retries GETs on 5xx twice before giving up';
  return undefined;
}

/**
 * The userinfo call as the IdP saw it: the OAuth2 connector needs a 2xx JSON object. On an HTTP
 * error the connector reports `"{}"` (it stringifies the response stream), so the IdP's real
 * answer is shown here.
 */
export function checkUserinfo(observation: Observation): CheckResult[] {
  if (observation.scenario.connector !== 'oauth2') return [];
  const calls = observation.journal.filter((entry) => entry.endpoint === 'userinfo');
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
    const unfixable = unfixableUserinfo(status, body);
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
    const hint = hintFor(status, tokenType, body);
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
