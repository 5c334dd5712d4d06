import type { CheckResult } from '../../../model.ts';
import type { Observation } from '../../../observation.ts';
import { refreshRequestsIn, type RefreshRequestSeen, type TokenRead, type TokenUse } from './use-stored-token.ts';

const answer = (read: TokenRead) =>
  read.status === 200 ? 'HTTP 200 with an access token' : `HTTP ${read.status} ${read.code ?? ''}`.trim();
const evidenceOf = (read: TokenRead) => ({
  accountApi: { status: read.status, body: read.body },
  ...(read.token ? { sameTokenAsBefore: read.token.sameAsBefore ?? null, idpUserinfo: read.token.idpUserinfo } : {}),
  storedMetadata: read.metadata ?? null,
  idpRefreshRequests: read.refreshRequests,
  waitedMs: read.waitedMs,
});
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The IdP's view of a refresh request, for comparing Logto's with the in-process one. Pure. */
const shape = (request: RefreshRequestSeen | undefined) =>
  request ? { method: request.method, params: Object.keys(request.params).sort(), status: request.status } : null;

/** The read before expiry: Logto hands back the token the IdP issued, and the IdP accepts it for the signed-in user. Pure. */
function beforeExpiry(prediction: Observation, read: TokenRead): CheckResult {
  const wantSub = prediction.userInfo?.id;
  const userinfo = read.token?.idpUserinfo;
  const refreshedEarly = read.refreshRequests.length > 0;
  const problems = [
    read.status !== 200 || !read.token ? `the Account API answered ${answer(read)}` : undefined,
    userinfo && userinfo.status !== 200 && userinfo.status !== 0
      ? `the IdP's userinfo answered ${userinfo.status} to it`
      : undefined,
    userinfo?.sub !== undefined && wantSub !== undefined && String(userinfo.sub) !== String(wantSub)
      ? `the IdP says it belongs to ${JSON.stringify(userinfo.sub)}, not ${JSON.stringify(wantSub)}`
      : undefined,
  ].filter(Boolean);
  if (problems.length === 0 && refreshedEarly) {
    return {
      id: 'logto.token-storage.account-read',
      title: 'Stored token through the Account API, before expiry',
      status: 'warn',
      message:
        'the token had already expired when the harness first read it (slow sign-in): Logto refreshed at the first read; the steps after it are not comparable',
      evidence: evidenceOf(read),
    };
  }
  return {
    id: 'logto.token-storage.account-read',
    title: 'Stored token through the Account API, before expiry',
    status: problems.length === 0 ? 'pass' : 'fail',
    message:
      problems.length === 0
        ? `the IdP's access token came back` +
          `${userinfo?.status === 200 ? ` and the IdP's userinfo accepts it for ${JSON.stringify(userinfo.sub ?? wantSub)}` : ''}`
        : `finding: ${problems.join('; ')}`,
    evidence: evidenceOf(read),
  };
}

/** The read after the first expiry, against the plan's expectation (from the in-process prediction). Pure. */
function afterExpiry(use: TokenUse, read: TokenRead, before: TokenRead): CheckResult[] {
  const expected = use.plan.afterExpiry!;
  const id = 'logto.token-storage.after-expiry';
  const title = 'Stored token through the Account API, after it expired';
  if (expected.kind === 'error') {
    const ok = read.status === expected.status && read.code === expected.code;
    return [
      {
        id,
        title,
        status: ok ? 'pass' : 'fail',
        message: ok
          ? `failed as predicted: HTTP ${read.status} ${read.code} (${expected.why})`
          : `finding: in-process predicted HTTP ${expected.status} ${expected.code} (${expected.why}), Logto answered ${answer(read)}`,
        evidence: { predicted: { status: expected.status, code: expected.code }, ...evidenceOf(read) },
      },
    ];
  }
  if (expected.kind === 'same-token') {
    const ok = read.status === 200 && read.token?.sameAsBefore === true && read.refreshRequests.length === 0;
    const dead =
      read.token && read.token.idpUserinfo.status >= 400
        ? `; the IdP's userinfo now answers it with ${read.token.idpUserinfo.status}: the user gets a dead token`
        : '';
    return [
      {
        id,
        title,
        status: ok ? 'pass' : 'fail',
        message: ok
          ? `no expiry stored: Logto never refreshes, it handed back the same token after ${seconds(read.waitedMs)}${dead}`
          : `finding: with no expiry stored Logto was expected to hand back the same token without refreshing;` +
            ` it answered ${answer(read)}${read.token?.sameAsBefore === false ? ' with another token' : ''}` +
            `${read.refreshRequests.length > 0 ? ' and sent a refresh request' : ''}`,
        evidence: evidenceOf(read),
      },
    ];
  }
  const problems = [
    read.status !== 200 || !read.token ? `the Account API answered ${answer(read)}` : undefined,
    read.token?.sameAsBefore === true ? 'the same (expired) token came back' : undefined,
    read.refreshRequests.length === 0 ? 'the IdP received no refresh request' : undefined,
    read.token && read.token.idpUserinfo.status !== 200 && read.token.idpUserinfo.status !== 0
      ? `the IdP's userinfo answered ${read.token.idpUserinfo.status} to the new token`
      : undefined,
  ].filter(Boolean);
  const results: CheckResult[] = [
    {
      id,
      title,
      status: problems.length === 0 ? 'pass' : 'fail',
      message:
        problems.length === 0
          ? `Logto refreshed through the IdP (${read.refreshRequests[0]!.method}) and handed back a new token the IdP accepts`
          : `finding: in-process predicted a refresh; ${problems.join('; ')}`,
      evidence: evidenceOf(read),
    },
  ];
  const was = before.metadata?.expiresAt;
  const now = read.metadata?.expiresAt;
  if (read.status === 200) {
    const moved = was !== undefined && now !== undefined && now > was;
    results.push({
      id: 'logto.token-storage.expires-at',
      title: 'Stored expiresAt after the refresh',
      status: moved ? 'pass' : 'fail',
      message: moved ? `moved ${now - was} s later` : `finding: expiresAt ${was ?? 'none'} → ${now ?? 'none'}`,
      evidence: { before: was ?? null, after: now ?? null },
    });
  }
  return results;
}

/** The second expiry: the refresh token Logto kept (the answer had none) refreshes again. Pure. */
function secondRefresh(first: TokenRead, second: TokenRead | undefined): CheckResult {
  const id = 'logto.token-storage.kept-refresh-token';
  const title = 'Kept refresh token refreshes again';
  if (!second)
    return {
      id,
      title,
      status: 'fail',
      message: `finding: no second read (the first refresh answered ${answer(first)})`,
      evidence: evidenceOf(first),
    };
  const sameRefreshToken =
    first.refreshRequests[0]?.params.refresh_token !== undefined &&
    first.refreshRequests[0]?.params.refresh_token === second.refreshRequests[0]?.params.refresh_token;
  const problems = [
    first.metadata?.hasRefreshToken !== true
      ? 'after the first refresh Logto reports no stored refresh token'
      : undefined,
    second.status !== 200 || !second.token ? `the Account API answered ${answer(second)}` : undefined,
    second.token?.sameAsBefore === true ? 'the same (expired) token came back' : undefined,
    second.refreshRequests.length === 0
      ? 'the IdP received no second refresh request'
      : !sameRefreshToken
        ? 'the second refresh sent another refresh token than the first'
        : undefined,
  ].filter(Boolean);
  return {
    id,
    title,
    status: problems.length === 0 ? 'pass' : 'fail',
    message:
      problems.length === 0
        ? 'the refresh answer had no refresh_token; Logto kept the stored one and refreshed with it again'
        : `finding: ${problems.join('; ')}`,
    evidence: evidenceOf(second),
  };
}

/** Logto's refresh request as the IdP saw it, against the in-process one (method, parameter names, status). Pure. */
function refreshRequest(prediction: Observation, read: TokenRead): CheckResult {
  const predicted = shape(refreshRequestsIn(prediction.journal ?? [])[0]);
  const seen = shape(read.refreshRequests[0]);
  const ok = JSON.stringify(predicted) === JSON.stringify(seen);
  const show = (value: typeof seen) =>
    value ? `${value.method} [${value.params.join(', ')}] → ${value.status}` : 'no request';
  return {
    id: 'logto.token-storage.refresh-request',
    title: 'Refresh request as the IdP saw it',
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `${show(seen)} (as predicted)`
      : `finding: in-process sent ${show(predicted)}, Logto sent ${show(seen)}`,
    evidence: { predicted, logto: read.refreshRequests[0] ?? null },
  };
}

/**
 * Logto using what it stored: each Account API read next to what the in-process prediction says
 * Logto's third-party-tokens route does with it. Pure.
 */
export function compareTokenUse(prediction: Observation, use: TokenUse): CheckResult[] {
  const [before, first, second] = use.reads;
  if (!before) return [];
  const results = [beforeExpiry(prediction, before)];
  if (use.plan.expiries === 0) {
    results.push({
      id: 'logto.token-storage.expiry-path',
      title: 'Refresh through Logto',
      status: 'skip',
      message: `not driven: ${use.plan.why}`,
    });
    return results;
  }
  if (results[0]!.status === 'warn') return results;
  if (!first)
    return [
      ...results,
      {
        id: 'logto.token-storage.after-expiry',
        title: 'Stored token through the Account API, after it expired',
        status: 'fail',
        message: 'no read after expiry',
      },
    ];
  results.push(...afterExpiry(use, first, before));
  if (use.plan.afterExpiry?.kind !== 'same-token') results.push(refreshRequest(prediction, first));
  if (use.plan.expiries === 2) results.push(secondRefresh(first, second));
  return results;
}
