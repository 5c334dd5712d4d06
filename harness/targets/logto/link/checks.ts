import { LINK_REFUSALS, linkRefusal, type LinkRefusalCode } from '../../../scenario/link-refusals.ts';
import type { AccountCall } from '../../../logto-api/account-client.ts';
import type { CheckResult } from '../../../model.ts';
import type { Observation } from '../../../observation.ts';
import { normalizePhone } from '../compare.ts';
import type { LinkOutcome } from './link-flow.ts';
import type { LinkObservation } from './observation.ts';

const show = (value: unknown) =>
  value === undefined || value === null || value === '' ? 'nothing' : JSON.stringify(value);
const same = (a: unknown, b: unknown) => (a ?? '') === (b ?? '');
const answer = (call: AccountCall) => `${call.request} → ${call.status}${call.code ? ` ${call.code}` : ''}`;
const refusal = (outcome: LinkOutcome) => (outcome.linked ? undefined : outcome.refusal);

const PROFILE_FIELDS = ['name', 'avatar', 'email', 'phone'] as const;

/**
 * What Logto did and stored when the user linked the connector, next to what the in-process run of
 * the same connector calls predicted (`replaced`: the prediction for the account that replaced it).
 * Every check carries the Account API's answers (masked) as evidence. Pure.
 */
export function compareLink(predicted: Observation, link: LinkObservation, replaced?: Observation): CheckResult[] {
  const evidence = { accountApi: link.calls };
  const expected = predicted.scenario.link?.expectRefusal;
  if (expected) return [refusedAsExpected(expected, link)];
  const predictedError = predicted.error?.logtoCode;
  const refused = refusal(link.link);
  const results: CheckResult[] = [];
  if (predictedError || refused) {
    const ok = predictedError === refused?.code;
    const known = ok ? undefined : linkRefusal(refused?.code);
    results.push({
      id: 'logto.link',
      title: 'Link through the Account API',
      status: ok ? 'pass' : 'fail',
      message: ok
        ? `refused as predicted: ${answer(refused!)}`
        : `finding: in-process predicted ${predictedError ?? 'a link'}, Logto answered ${refused ? answer(refused) : 'linked'}` +
          (known ? `: ${known.meaning}` : ''),
      evidence: { ...evidence, predicted: predicted.error ?? null },
      ...(known ? { hint: known.whatToDo } : {}),
    });
    return results;
  }
  results.push({
    id: 'logto.link',
    title: 'Link through the Account API',
    status: 'pass',
    message: `linked: ${answer(link.calls.find((call) => call.request.endsWith('/api/my-account/identities'))!)}`,
    evidence,
  });
  const userInfo = predicted.userInfo ?? {};
  results.push(...storedIdentity(link, userInfo), profileAfterLink(link));
  results.push(...linkScope(predicted, link));
  if (predicted.scenario.enableTokenStorage) results.push(...tokenSecret(predicted, link));
  else if (link.identity?.tokenSecret)
    results.push({
      id: 'logto.link.token-secret',
      title: 'Token secret stored on link',
      status: 'fail',
      message: 'finding: token storage is off but Logto stored a token secret on link',
    });
  if (link.again) results.push(linkedAgain(link.again));
  if (link.replace) results.push(replacement(link, replaced));
  if (link.unlink) results.push(unlinked(link));
  if (link.socialSignIn) results.push(socialSignIn(link));
  return results;
}

function storedIdentity(link: LinkObservation, userInfo: Record<string, unknown>): CheckResult[] {
  const identity = link.identity?.identity ?? link.user?.identities[link.connectorTarget];
  const idOk = same(userInfo.id, identity?.userId);
  const stored = Object.fromEntries(PROFILE_FIELDS.map((field) => [field, identity?.details?.[field] ?? null]));
  const want = Object.fromEntries(PROFILE_FIELDS.map((field) => [field, userInfo[field] ?? null]));
  const differ = PROFILE_FIELDS.filter((field) => !same(want[field], stored[field]));
  return [
    {
      id: 'logto.link.identity',
      title: `identities["${link.connectorTarget}"].userId after the link`,
      status: idOk ? 'pass' : 'fail',
      message: idOk
        ? `${show(identity?.userId)} (as predicted)`
        : `finding: in-process predicted ${show(userInfo.id)}, Logto stored ${show(identity?.userId)}`,
      evidence: { predicted: userInfo.id ?? null, stored: identity?.userId ?? null },
    },
    {
      id: 'logto.link.details',
      title: 'identity details the connector mapped',
      status: differ.length === 0 ? 'pass' : 'fail',
      message:
        differ.length === 0
          ? 'name, avatar, email and phone as predicted'
          : `finding: ${differ.map((field) => `${field}: predicted ${show(want[field])}, stored ${show(stored[field])}`).join('; ')}`,
      evidence: { predicted: want, stored },
    },
  ];
}

/** Logto's link writes the identity only: the user's own profile is what it was (measured on Logto 1.42). */
function profileAfterLink(link: LinkObservation): CheckResult {
  const { before, user } = link;
  const fields = ['name', 'avatar', 'primaryEmail', 'primaryPhone'] as const;
  const changed = fields.filter(
    (field) =>
      !same(
        field === 'primaryPhone' ? normalizePhone(before[field]) : before[field],
        field === 'primaryPhone' ? normalizePhone(user?.[field]) : user?.[field],
      ),
  );
  return {
    id: 'logto.link.profile',
    title: "the user's own profile after the link",
    status: changed.length === 0 ? 'pass' : 'fail',
    message:
      changed.length === 0
        ? 'unchanged: a link stores the identity (and its details) only; name, avatar, email and phone stay as they were'
        : `finding: the link changed ${changed.map((field) => `${field} ${show(before[field])} → ${show(user?.[field])}`).join(', ')}`,
    evidence: {
      before: Object.fromEntries(fields.map((field) => [field, before[field]])),
      after: Object.fromEntries(fields.map((field) => [field, user?.[field] ?? null])),
    },
  };
}

function linkScope(predicted: Observation, link: LinkObservation): CheckResult[] {
  if (!link.idp || link.idp.authorizeScope === undefined) return [];
  const want =
    predicted.scenario.link?.scope ?? new URL(predicted.authorizationUri ?? 'http://x').searchParams.get('scope');
  const sent = link.idp.authorizeScope;
  const ok = same(want, sent);
  return [
    {
      id: 'logto.link.scope',
      title: "scope of Logto's authorize request at link time",
      status: ok ? 'pass' : 'fail',
      message: ok
        ? `the IdP received scope ${show(sent)}${predicted.scenario.link?.scope ? ' (the link-time scope, not the config’s)' : ''}`
        : `finding: predicted scope ${show(want)}, the IdP received ${show(sent)}`,
      evidence: { predicted: want ?? null, atIdp: sent, idpJournal: link.idp.journal },
    },
  ];
}

function tokenSecret(predicted: Observation, link: LinkObservation): CheckResult[] {
  const secret = link.identity?.tokenSecret;
  if (!secret)
    return [
      {
        id: 'logto.link.token-secret',
        title: 'Token secret stored on link',
        status: 'fail',
        message:
          'finding: token storage is on but Logto stored no token secret on link (Logto swallows a failed store: is SECRET_VAULT_KEK set?)',
      },
    ];
  const refresh = Boolean(predicted.tokenResponse?.refresh_token);
  const grantedAtIdp = link.idp?.tokenAnswerScope;
  const results: CheckResult[] = [
    {
      id: 'logto.link.token-secret',
      title: 'Token secret stored on link',
      status: refresh === secret.metadata.hasRefreshToken ? 'pass' : 'fail',
      message:
        refresh === secret.metadata.hasRefreshToken
          ? `stored, ${refresh ? 'with' : 'without'} a refresh token (as predicted)`
          : `finding: predicted ${refresh ? 'a' : 'no'} refresh token, Logto stored ${secret.metadata.hasRefreshToken ? 'one' : 'none'}`,
      evidence: { metadata: secret.metadata },
    },
    grantedAtIdp === undefined
      ? {
          id: 'logto.link.token-secret.scope',
          title: 'granted scope stored with the token',
          status: 'warn',
          message: `the token answer at link had no scope: Logto stored ${show(secret.metadata.scope)}, and cannot show what the token may do`,
          evidence: { stored: secret.metadata.scope ?? null },
        }
      : {
          id: 'logto.link.token-secret.scope',
          title: 'granted scope stored with the token',
          status: same(grantedAtIdp, secret.metadata.scope) ? 'pass' : 'fail',
          message: same(grantedAtIdp, secret.metadata.scope)
            ? `${show(secret.metadata.scope)}, as the token answer granted`
            : `finding: the token answer granted ${show(grantedAtIdp)}, Logto stored ${show(secret.metadata.scope)}`,
          evidence: { tokenAnswer: grantedAtIdp, stored: secret.metadata.scope ?? null },
        },
  ];
  const read = link.tokenRead;
  const userinfo = read?.idpUserinfo;
  const ok = read?.call.status === 200 && userinfo?.status === 200;
  results.push({
    id: 'logto.link.access-token',
    title: 'stored token through the Account API, at the IdP',
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `GET …/access-token → 200; the IdP's userinfo accepted it (sub ${show(userinfo?.sub)})`
      : read
        ? `finding: ${answer(read.call)}${userinfo ? `; the IdP's userinfo answered ${userinfo.status}` : ''}`
        : 'finding: the stored token was not read',
    evidence: { ...(read ? { accountApi: read.call, idpUserinfo: read.idpUserinfo ?? null } : {}) },
  });
  return results;
}

function linkedAgain(again: LinkOutcome): CheckResult {
  const refused = refusal(again);
  const ok = refused?.code === 'user.identity_already_in_use';
  return {
    id: 'logto.link.again',
    title: 'the same target linked a second time',
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `refused as predicted: ${answer(refused)}`
      : `finding: predicted user.identity_already_in_use, Logto answered ${refused ? answer(refused) : 'linked'}`,
    evidence: { ...(refused ? { accountApi: refused } : {}) },
  };
}

function replacement(link: LinkObservation, replaced: Observation | undefined): CheckResult {
  const { outcome, identity } = link.replace!;
  const refused = refusal(outcome);
  const want = replaced?.userInfo?.id;
  const stored = identity?.identity.userId;
  const ok = !refused && same(want, stored);
  return {
    id: 'logto.link.replace',
    title: 'identity replaced (PUT /api/my-account/identities)',
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `the identity now names ${show(stored)}${identity?.tokenSecret ? ', with its own token secret' : ''}`
      : refused
        ? `finding: ${answer(refused)}`
        : `finding: predicted ${show(want)}, Logto stores ${show(stored)}`,
    evidence: {
      predicted: want ?? null,
      stored: stored ?? null,
      ...(identity?.tokenSecret ? { tokenSecret: identity.tokenSecret.metadata } : {}),
      ...(refused ? { accountApi: refused } : {}),
    },
  };
}

/**
 * `link.expectRefusal`: Logto refused the link (or the unlink of the only identity) with the expected
 * code and status, and kept what it had; the message says what the refusal means for the admin and
 * what to do about it.
 */
function refusedAsExpected(code: LinkRefusalCode, link: LinkObservation): CheckResult {
  const expected = LINK_REFUSALS[code];
  const unlinking = link.unlink !== undefined;
  const call = unlinking ? link.unlink!.call : refusal(link.link);
  const refused = call && call.status >= 400 ? call : undefined;
  const stillThere = Boolean(link.unlink?.user?.identities[link.connectorTarget]) || Boolean(link.unlink?.identity);
  const kept = !unlinking || stillThere;
  const ok = refused?.code === code && refused.status === expected.status && kept;
  const other = refused && refused.code !== code ? linkRefusal(refused.code) : undefined;
  const what = unlinking ? 'unlinked' : 'linked';
  return {
    id: 'logto.link.refused',
    title: `Logto refuses: ${code}`,
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `refused as expected: ${answer(refused)} — ${expected.meaning}. What to do: ${expected.whatToDo}`
      : !refused
        ? `finding: expected ${expected.status} ${code}, Logto ${what} (${call ? answer(call) : 'no answer'})`
        : refused.code !== code || refused.status !== expected.status
          ? `finding: expected ${expected.status} ${code}, Logto answered ${answer(refused)}${other ? `: ${other.meaning}` : ''}`
          : `finding: ${answer(refused)}, yet the identity is gone (Management API)`,
    evidence: {
      accountApi: link.calls,
      expected: { status: expected.status, code, call: expected.call },
      ...(unlinking ? { identityAfter: link.unlink!.identity ?? null } : {}),
    },
    ...(other ? { hint: other.whatToDo } : {}),
  };
}

function unlinked(link: LinkObservation): CheckResult {
  const { call, user, identity, tokenRead } = link.unlink!;
  const stillThere = Boolean(user?.identities[link.connectorTarget]) || Boolean(identity);
  const tokenServed = tokenRead?.status === 200;
  const ok = call.status === 204 && !stillThere && !tokenServed;
  return {
    id: 'logto.link.unlink',
    title: 'identity unlinked (DELETE /api/my-account/identities/:target)',
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `${answer(call)}: the identity is gone (Management API) and its token is no longer served (${tokenRead ? answer(tokenRead) : 'not read'})`
      : `finding: ${answer(call)}${stillThere ? '; the identity is still stored' : ''}${tokenServed ? '; the stored token is still served' : ''}`,
    evidence: { accountApi: call, identityAfter: identity ?? null, ...(tokenRead ? { tokenRead } : {}) },
  };
}

function socialSignIn(link: LinkObservation): CheckResult {
  const failure = link.socialSignIn?.failure;
  return failure
    ? {
        id: 'logto.link.linking-only',
        title: 'social sign-in with a linking-only connector',
        status: 'pass',
        message: `refused: ${failure.code} at ${failure.step}`,
        evidence: { failure },
      }
    : {
        id: 'logto.link.linking-only',
        title: 'social sign-in with a linking-only connector',
        status: 'warn',
        message:
          'Logto signed the user in with a connector that is not on the sign-in experience: its Experience API does not ' +
          'check socialSignInConnectorTargets; only the sign-in page hides the button',
      };
}
