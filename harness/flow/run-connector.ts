import { randomUUID } from 'node:crypto';
import { loadConnectorFactory, installedVersion, type ConnectorSource } from '../connectors/load.ts';
import { observeError } from '../errors.ts';
import { followRedirects, type FollowResult } from '../follow-redirects.ts';
import type { Scenario } from '../model.ts';
import { NEVER_BACK_AT_LOGTO, type Observation } from '../observation.ts';
import { storedConfig } from '../stored-config.ts';
import { substituteIssuer } from '../substitute.ts';
import type { JournalSource } from './journal-source.ts';

// Where Logto would send the IdP back to; nothing listens there, the follower stops before it.
const REDIRECT_URI = 'http://logto.harness.invalid/callback/harness-connector';

/** Who opens the authorization URL and lands on the redirect URI: a headless follower, or a person (`record`). */
export interface Browser {
  redirectUri: string;
  signIn(authorizationUri: string, signal?: AbortSignal): Promise<FollowResult>;
}

const headless: Browser = {
  redirectUri: REDIRECT_URI,
  signIn: (authorizationUri, signal) =>
    followRedirects(authorizationUri, (url) => url.startsWith(REDIRECT_URI), signal ? { signal } : {}),
};

export interface ConnectorRun {
  scenario: Scenario;
  /** The IdP the run talks to, and where its journal is read (none: the journal checks are skipped). */
  idp: { issuer: string; journal?: JournalSource };
  /** Which installed connector packages run. */
  source: ConnectorSource;
  signal?: AbortSignal;
  /** Who signs in at the IdP (default: a headless redirect follower). */
  browser?: Browser;
}

/**
 * Drives the real connector as Logto does: authorization URI → the IdP (headless) → the callback →
 * the token-storage or plain sign-in path → refresh from the config as stored (raw, no defaults).
 * A linking scenario makes the same calls, with the link-time scope passed to getAuthorizationUri
 * as Logto's `POST /api/verifications/social` does (the connector lets it override the config's).
 */
export async function runConnector({
  scenario,
  idp,
  source,
  signal,
  browser = headless,
}: ConnectorRun): Promise<Observation> {
  const config = storedConfig(substituteIssuer(scenario.config, idp.issuer));
  const factory = await loadConnectorFactory(scenario.connector, source);
  const connector = await factory({ getConfig: async () => structuredClone(config) });
  const journalStart = idp.journal ? await idp.journal.lastSeq() : 0;
  const session: Record<string, unknown> = {};
  const state = randomUUID();
  const observation: Observation = {
    scenario,
    config,
    connectorVersion: installedVersion(scenario.connector, source),
    issuer: idp.issuer,
    redirectUri: browser.redirectUri,
    state,
    signInPath:
      scenario.enableTokenStorage && connector.getTokenResponseAndUserInfo
        ? 'getTokenResponseAndUserInfo'
        : 'getUserInfo',
    journal: [],
    journalAvailable: Boolean(idp.journal),
  };
  const collectJournal = async () => {
    observation.journal = idp.journal ? [...(await idp.journal.readAfter(journalStart))] : [];
  };

  try {
    try {
      observation.authorizationUri = await connector.getAuthorizationUri(
        {
          state,
          redirectUri: browser.redirectUri,
          connectorId: 'harness-connector',
          connectorFactoryId: scenario.connector,
          jti: randomUUID(),
          headers: {},
          ...(scenario.link?.scope ? { scope: scenario.link.scope } : {}),
        },
        async (data) => {
          Object.assign(session, data);
        },
      );
    } catch (error) {
      observation.error = observeError(error, 'authorization-uri');
      return observation;
    }

    const target = new URL(observation.authorizationUri);
    // Choosing the IdP user is the browser's business, not the connector's: it does not reach customConfig checks.
    if (scenario.user && !target.searchParams.has('login_hint')) target.searchParams.set('login_hint', scenario.user);
    let followed;
    try {
      followed = await browser.signIn(target.href, signal);
    } catch (error) {
      observation.error = {
        stage: 'idp-redirect',
        logtoCode: NEVER_BACK_AT_LOGTO,
        cause: 'unreachable',
        message: `could not reach the IdP at ${target.origin}: ${(error as Error).message}`,
      };
      return observation;
    }
    if (!followed.callbackUrl) {
      const stop = followed.stoppedAt;
      observation.error = {
        stage: 'idp-redirect',
        logtoCode: NEVER_BACK_AT_LOGTO,
        message: `the IdP did not redirect back: ${stop?.status ?? '?'} at ${stop?.url ?? '?'}`,
        ...(stop ? { data: stop.body } : {}),
      };
      return observation;
    }
    observation.callback = Object.fromEntries(new URL(followed.callbackUrl).searchParams);

    const getSession = async () => structuredClone(session);
    try {
      if (observation.signInPath === 'getTokenResponseAndUserInfo' && connector.getTokenResponseAndUserInfo) {
        const { tokenResponse, userInfo } = await connector.getTokenResponseAndUserInfo(
          observation.callback,
          getSession,
        );
        observation.tokenResponse = tokenResponse;
        observation.userInfo = userInfo;
      } else {
        observation.userInfo = await connector.getUserInfo(observation.callback, getSession);
      }
    } catch (error) {
      observation.error = observeError(error, 'sign-in');
      return observation;
    }

    const refreshToken = observation.tokenResponse?.refresh_token;
    if (scenario.enableTokenStorage && typeof refreshToken === 'string' && connector.getAccessTokenByRefreshToken) {
      // getConfig hands out the config as Logto stores it: the refresh path uses it raw, no defaults applied.
      try {
        observation.refresh = { attempted: true, response: await connector.getAccessTokenByRefreshToken(refreshToken) };
      } catch (error) {
        observation.refresh = { attempted: true, error: observeError(error, 'refresh') };
      }
    } else {
      observation.refresh = { attempted: false };
    }
    return observation;
  } finally {
    await collectJournal();
  }
}
