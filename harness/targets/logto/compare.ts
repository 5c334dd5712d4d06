import type { CheckResult } from '../../model.ts';
import type { Observation } from '../../observation.ts';
import { firstTokenRequest } from './token-use/idp-journal.ts';
import type { LogtoObservation } from './observation.ts';

const show = (value: unknown) =>
  value === undefined || value === null || value === '' ? 'nothing' : JSON.stringify(value);
const same = (a: unknown, b: unknown) => (a ?? '') === (b ?? '');

/** Logto stores phone numbers normalized to digits (`+1 555-0100` → `15550100`). Pure. */
export const normalizePhone = (value: unknown): unknown =>
  typeof value === 'string' ? value.replace(/\D/g, '') : value;

function finding(
  id: string,
  title: string,
  predicted: unknown,
  stored: unknown,
  note = '',
  normalize: (value: unknown) => unknown = (value) => value,
): CheckResult {
  const ok = same(normalize(predicted), normalize(stored));
  return {
    id,
    title,
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `${show(stored)} (as predicted)`
      : `finding: in-process predicted ${show(predicted)}, Logto stored ${show(stored)}${note}`,
    evidence: { predicted, stored },
  };
}

/**
 * What Logto stored and what the application received, side by side with what the in-process
 * run of the same connector code predicted. Every difference is a finding. Pure.
 */
export function compareWithPrediction(prediction: Observation, logto: LogtoObservation): CheckResult[] {
  const results: CheckResult[] = [];
  const predictedError = prediction.error?.logtoCode;
  const logtoError = logto.failure?.code;
  results.push(
    predictedError || logtoError
      ? {
          id: 'logto.sign-in',
          title: 'Sign-in through Logto',
          status: predictedError === logtoError ? 'pass' : 'fail',
          message:
            predictedError === logtoError
              ? `failed as predicted: ${logtoError} at ${logto.failure?.step}`
              : `finding: in-process predicted ${predictedError ?? 'success'}, Logto answered ` +
                `${logtoError ? `${logtoError} at ${logto.failure?.step}: ${logto.failure?.message}` : 'success'}`,
          evidence: { predicted: prediction.error ?? null, logto: logto.failure ?? null },
        }
      : {
          id: 'logto.sign-in',
          title: 'Sign-in through Logto',
          status: 'pass',
          message: 'the application got a session',
        },
  );
  // The IdP's own view: Logto's token request authenticated the way the in-process one did (a
  // client_secret_jwt aud names the token endpoint at the URL Logto reaches the IdP at).
  const predictedToken = firstTokenRequest(prediction.journal ?? []);
  if (predictedToken && logto.idpToken)
    results.push(
      finding(
        'logto.idp.token-request',
        'token request as the IdP saw it',
        predictedToken,
        logto.idpToken,
        '',
        (value) => JSON.stringify(value),
      ),
    );
  if (!logto.user || !prediction.userInfo) return results;

  const predicted = prediction.userInfo;
  const identity = logto.identity?.identity ?? logto.user.identities[logto.connectorTarget];
  results.push(
    finding('logto.identity', `identities["${logto.connectorTarget}"].userId`, predicted.id, identity?.userId),
  );
  for (const field of ['name', 'avatar', 'email', 'phone'] as const) {
    results.push(
      finding(`logto.details.${field}`, `identity details.${field}`, predicted[field], identity?.details?.[field]),
    );
  }
  results.push(finding('logto.user.name', 'user.name (taken at sign-up)', predicted.name, logto.user.name));
  results.push(finding('logto.user.avatar', 'user.avatar (taken at sign-up)', predicted.avatar, logto.user.avatar));
  results.push(
    finding(
      'logto.user.primaryEmail',
      'user.primaryEmail',
      predicted.email,
      logto.user.primaryEmail,
      ' (Logto leaves it empty when another user has that email)',
    ),
  );
  results.push(
    finding(
      'logto.user.primaryPhone',
      'user.primaryPhone (Logto keeps digits only)',
      predicted.phone,
      logto.user.primaryPhone,
      '',
      normalizePhone,
    ),
  );

  const secret = logto.identity?.tokenSecret;
  if (prediction.scenario.enableTokenStorage) {
    const tokens = prediction.tokenResponse ?? {};
    if (!secret) {
      results.push({
        id: 'logto.token-storage',
        title: 'Token secret in the Secret Vault',
        status: 'fail',
        message:
          'finding: token storage is on but Logto stored no token secret (is SECRET_VAULT_KEK set on the server?)',
      });
    } else {
      results.push(
        finding(
          'logto.token-storage.refresh',
          'stored refresh token',
          Boolean(tokens.refresh_token),
          secret.metadata.hasRefreshToken,
        ),
      );
      results.push(
        finding('logto.token-storage.type', 'stored token type', tokens.token_type, secret.metadata.tokenType),
      );
      results.push(
        finding(
          'logto.token-storage.expiry',
          'stored expiry',
          tokens.expires_in !== undefined,
          secret.metadata.expiresAt !== undefined,
        ),
      );
    }
  } else if (secret) {
    results.push({
      id: 'logto.token-storage',
      title: 'Token secret in the Secret Vault',
      status: 'fail',
      message: 'finding: token storage is off but Logto stored a token secret',
    });
  }

  if (logto.app) {
    results.push(finding('logto.app.sub', 'ID token sub = the Logto user', logto.user.id, logto.app.claims.sub));
    if (logto.app.claims.name !== undefined)
      results.push(finding('logto.app.name', 'ID token name', logto.user.name, logto.app.claims.name));
  }

  if (logto.second) {
    const { changed, user, failure } = logto.second;
    if (failure || !user) {
      results.push({
        id: 'logto.sync-profile',
        title: 'Second sign-in',
        status: 'fail',
        message: `the second sign-in failed: ${failure?.code ?? 'no user'} ${failure?.message ?? ''}`,
      });
    } else {
      const sync = prediction.scenario.syncProfile;
      const wantName = changed.name !== undefined && sync ? changed.name : logto.user.name;
      const wantAvatar = changed.avatar !== undefined && sync ? changed.avatar : logto.user.avatar;
      const ok = same(user.name, wantName) && same(user.avatar, wantAvatar);
      results.push({
        id: 'logto.sync-profile',
        title: `syncProfile ${sync ? 'on (every sign-in)' : 'off (sign-up only)'}`,
        status: ok ? 'pass' : 'fail',
        message: ok
          ? `after the IdP changed the profile, Logto ${sync ? 'updated' : 'kept'} name/avatar`
          : `finding: expected name ${show(wantName)} / avatar ${show(wantAvatar)}, Logto has ${show(user.name)} / ${show(user.avatar)}`,
        evidence: {
          changedAtIdp: changed,
          before: { name: logto.user.name, avatar: logto.user.avatar },
          after: { name: user.name, avatar: user.avatar },
        },
      });
    }
  }
  return results;
}
