import { randomBytes } from 'node:crypto';
import type { JournalEntry } from '../../../../mock-idp/journal.ts';
import { rememberSecrets } from '../../../../lib/mask.ts';
import { AccountClient } from '../../../logto-api/account-client.ts';
import { AppSession } from '../../../logto-api/app-client.ts';
import { undefinedOnLogtoError } from '../../../logto-api/logto-http.ts';
import type { ManagementClient } from '../../../logto-api/management-client.ts';
import type { Hop, Scenario } from '../../../model.ts';
import type { CleanupStack } from '../cleanup-stack.ts';
import type { LaunchedIdp } from '../idp-launcher.ts';
import { linkThroughAccountApi, type LinkOutcome } from './link-flow.ts';
import type { LinkObservation, TokenReadBack } from './observation.ts';
import { signInWithPassword } from './password-sign-in.ts';
import { LinkSteps } from './steps.ts';

export interface AccountLinkingInput {
  endpoint: string;
  management: ManagementClient;
  app: { id: string; secret: string };
  appRedirectUri: string;
  scenario: Scenario;
  idp: LaunchedIdp;
  connectorId: string;
  connectorTarget: string;
  /** The IdP's userinfo URL as Logto names it: the stored access token is tried there. */
  userinfoUrl?: string;
  cleanup: CleanupStack;
  /** The account center on with its social field Edit (the run's, shared with parallel scenarios). */
  openAccountCenter: () => Promise<void>;
  keep: boolean;
  apiTimeoutMs?: number;
  /** `linkingOnly`: a social sign-in with the connector through the Experience API; its failure, if any, and its hops. */
  trySocialSignIn: () => Promise<{ outcome: LinkObservation['socialSignIn']; hops: Hop[] }>;
}

const lastSeq = async (idp: LaunchedIdp) => (await idp.journal().catch(() => [])).at(-1)?.seq ?? 0;

/**
 * A linking scenario through a real Logto: a user with a password signs in to the application
 * (Experience API) with the `identities` scope, the account center lets the social field be
 * edited, the password is verified, and the scenario's connector is linked through the Account
 * API; then, by the scenario's action, linked again (refused), replaced, or unlinked. Everything is
 * read back through the Management API; what it created is removed by the cleanup stack.
 */
export async function observeAccountLinking(input: AccountLinkingInput): Promise<LinkObservation> {
  const { management, scenario, idp, connectorTarget } = input;
  const link = scenario.link!;
  const before = await createPasswordUser(input);
  const client = new AccountClient(input.endpoint, await signedInUserToken(input, before), {
    ...(input.apiTimeoutMs ? { timeoutMs: input.apiTimeoutMs } : {}),
  });
  const account = new LinkSteps(client, () => lastSeq(idp));
  await input.openAccountCenter();

  const verify = async () => {
    const { call, body } = await account.call('POST', '/api/verifications/password', { password: before.password });
    if (typeof body.verificationRecordId !== 'string')
      throw new Error(`POST /api/verifications/password answered ${call.status} ${call.code ?? ''}: no verification`);
    return body.verificationRecordId;
  };
  const verificationId = await verify();
  const linkAs = (method: 'POST' | 'PUT', idpUser: string | undefined): Promise<LinkOutcome> =>
    linkThroughAccountApi({
      account,
      connectorId: input.connectorId,
      verificationId,
      method,
      ...(link.scope ? { scope: link.scope } : {}),
      ...(idpUser ? { idpUser } : {}),
      rewriteIdpUrl: idp.reachable,
    });

  const after = await lastSeq(idp);
  const observation: LinkObservation = {
    connectorTarget,
    before: before.record,
    link: await linkAs('POST', scenario.user),
    calls: account.calls,
    steps: account.steps,
  };
  const journal = (await idp.journal().catch(() => [] as JournalEntry[])).filter((entry) => entry.seq > after);
  observation.idp = { ...seenAtIdp(journal), journal: { after, until: journal.at(-1)?.seq ?? after } };
  if (!observation.link.linked) return observation;

  observation.user = await management.getUser(before.record.id);
  observation.identity = await management.getIdentity(before.record.id, connectorTarget).catch(undefinedOnLogtoError);
  if (observation.identity?.tokenSecret) observation.tokenRead = await readStoredToken(input, account);

  if (link.action === 'link') observation.again = await linkAs('POST', scenario.user);
  if (link.action === 'replace') {
    const outcome = await linkAs('PUT', link.replaceWith);
    const identity = await management.getIdentity(before.record.id, connectorTarget).catch(undefinedOnLogtoError);
    observation.replace = { outcome, ...(identity ? { identity } : {}) };
  }
  if (link.linkingOnly) {
    const { outcome, hops } = await input.trySocialSignIn();
    observation.socialSignIn = outcome;
    account.steps.push({ kind: 'drawn', hops });
  }
  if (link.action === 'unlink') {
    const { call } = await account.call(
      'DELETE',
      `/api/my-account/identities/${encodeURIComponent(connectorTarget)}`,
      undefined,
      verificationId,
    );
    const identity = await management.getIdentity(before.record.id, connectorTarget).catch(undefinedOnLogtoError);
    const tokenRead = await account.call(
      'GET',
      `/api/my-account/identities/${encodeURIComponent(connectorTarget)}/access-token`,
    );
    observation.unlink = {
      call,
      user: await management.getUser(before.record.id),
      ...(identity ? { identity } : {}),
      tokenRead: tokenRead.call,
    };
  }
  return observation;
}

export interface OnlyIdentityInput extends Pick<
  AccountLinkingInput,
  'endpoint' | 'management' | 'idp' | 'cleanup' | 'openAccountCenter'
> {
  connectorTarget: string;
  /** The user who signed up with the connector, and their access token (scope identities). */
  userId: string;
  userToken: string;
  apiTimeoutMs?: number;
}

/**
 * `socialOnly`: the user signed up with the connector and has no other identifier; the app unlinks
 * the identity through the Account API (no identity verification: the user has no password, email or
 * phone to verify with), and what Logto kept is read back through the Management API.
 */
export async function observeOnlyIdentityUnlink(input: OnlyIdentityInput): Promise<LinkObservation> {
  const { management, connectorTarget, userId } = input;
  await input.openAccountCenter();
  const client = new AccountClient(input.endpoint, input.userToken, {
    ...(input.apiTimeoutMs ? { timeoutMs: input.apiTimeoutMs } : {}),
  });
  const account = new LinkSteps(client, () => lastSeq(input.idp));
  const before = await management.getUser(userId);
  const { call } = await account.call('DELETE', `/api/my-account/identities/${encodeURIComponent(connectorTarget)}`);
  const identity = await management.getIdentity(userId, connectorTarget).catch(undefinedOnLogtoError);
  return {
    connectorTarget,
    before,
    link: { linked: true },
    user: before,
    unlink: { call, user: await management.getUser(userId), ...(identity ? { identity } : {}) },
    calls: account.calls,
    steps: account.steps,
  };
}

/** The authorize request's scope and the token answer's, as the IdP's journal shows them. Pure. */
export function seenAtIdp(journal: readonly JournalEntry[]): { authorizeScope?: string; tokenAnswerScope?: string } {
  const authorize = journal.find((entry) => entry.endpoint === 'authorize' && entry.params.response_type !== undefined);
  const exchange = journal.find(
    (entry) => entry.endpoint === 'token' && entry.params.grant_type === 'authorization_code',
  );
  const body = exchange?.response.body;
  const scope = body && typeof body === 'object' ? (body as Record<string, unknown>).scope : undefined;
  return {
    ...(authorize?.params.scope === undefined ? {} : { authorizeScope: authorize.params.scope }),
    ...(typeof scope === 'string' ? { tokenAnswerScope: scope } : {}),
  };
}

/** A user with a username and password only (an email of the run's own, for the leftover sweep). */
async function createPasswordUser(input: AccountLinkingInput) {
  const username = input.connectorTarget.replace(/\W/g, '_');
  const password = `${randomBytes(12).toString('base64url')}-Aa1`;
  rememberSecrets({ password });
  const record = await input.management.createUser({
    username,
    password,
    primaryEmail: `link-user+${input.connectorTarget}@example.com`,
    name: 'Harness Link User',
  });
  if (!input.keep) input.cleanup.push(`delete user ${record.id}`, () => input.management.deleteUser(record.id));
  return { username, password, record };
}

/** The application's sign-in with the password, asking for the `identities` scope the Account API wants. */
async function signedInUserToken(
  input: AccountLinkingInput,
  user: { username: string; password: string },
): Promise<string> {
  const session = new AppSession(input.endpoint, input.app.id, input.app.secret, ['identities']);
  const callbackUrl = await signInWithPassword({
    endpoint: input.endpoint,
    authorizationUrl: await session.startSignIn(input.appRedirectUri),
    appRedirectUri: input.appRedirectUri,
    username: user.username,
    password: user.password,
    ...(input.apiTimeoutMs ? { apiTimeoutMs: input.apiTimeoutMs } : {}),
  });
  await session.finishSignIn(callbackUrl);
  return session.accountAccessToken();
}

/** The stored token through the Account API, then at the IdP's userinfo. */
async function readStoredToken(input: AccountLinkingInput, account: LinkSteps): Promise<TokenReadBack> {
  const { call, body } = await account.call(
    'GET',
    `/api/my-account/identities/${encodeURIComponent(input.connectorTarget)}/access-token`,
  );
  const token = call.status === 200 && typeof body.access_token === 'string' ? body.access_token : undefined;
  if (!token || !input.userinfoUrl) return { call };
  const userinfoUrl = input.idp.reachable(input.userinfoUrl);
  const { response, parsed } = await account.atIdp('probe', async () => {
    const response = await fetch(userinfoUrl, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    return { response, parsed: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  });
  return { call, idpUserinfo: { status: response.status, ...(parsed && 'sub' in parsed ? { sub: parsed.sub } : {}) } };
}
