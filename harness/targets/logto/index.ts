import { PROJECT_ROOT } from '../../../lib/project-root.ts';
import { isUserError } from '../../../lib/user-error.ts';
import { runChecks } from '../../checks/index.ts';
import type { CheckResult, Hop, Observed, RunContext, Scenario, Target } from '../../model.ts';
import { substituteIssuer } from '../../substitute.ts';
import { FlowRunner } from '../../flow/flow-runner.ts';
import type { LogtoTargetOptions } from './options.ts';
import { AppSession } from '../../logto-api/app-client.ts';
import { compareWithPrediction } from './compare.ts';
import { signInThroughExperience } from './experience-driver.ts';
import { experienceHops } from './hops.ts';
import { firstTokenRequest } from './token-use/idp-journal.ts';
import { inProcessIdpLauncher } from './idp-launcher.ts';
import { removeLeftovers } from './leftovers.ts';
import { accessProblem } from '../../logto-api/access-problem.ts';
import { undefinedOnLogtoError } from '../../logto-api/logto-http.ts';
import { ManagementClient } from '../../logto-api/management-client.ts';
import { applicationName, connectorTarget, newRunId } from './naming.ts';
import type { LogtoObservation } from './observation.ts';
import { profileChange } from './second-sign-in.ts';
import { signInExperienceChange } from './sign-in-experience.ts';
import { useStoredToken } from './token-use/use-stored-token.ts';
import { compareTokenUse } from './token-use/checks.ts';
import { tokenUseHops } from './token-use/hops.ts';
import { planTokenUse } from './token-use/plan.ts';
import { withUniqueEmail } from './unique-fixture.ts';

// The application's redirect URIs: never loaded, the harness stops the browser before them.
const APP_REDIRECT_URI = 'http://localhost:3000/harness/callback';
const APP_POST_LOGOUT_URI = 'http://localhost:3000/harness/signed-out';

/** Runs cleanup steps in reverse order; each failure is logged, none stops the others. */
class CleanupStack {
  readonly #steps: Array<{ what: string; run: () => Promise<unknown> }> = [];
  readonly #log: (line: string) => void;
  constructor(log: (line: string) => void) {
    this.#log = log;
  }
  push(what: string, run: () => Promise<unknown>) {
    this.#steps.push({ what, run });
  }
  async drain() {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      await step
        .run()
        .catch((error: unknown) => this.#log(`cleanup: could not ${step.what}: ${(error as Error).message}`));
    }
  }
}

/**
 * A running Logto (self-hosted or a tenant): each scenario becomes a temporary connector, a real
 * sign-in by an application through the Experience API, and a read-back of what Logto stored,
 * next to what the in-process run of the same connector code predicted.
 */
export async function createLogtoTarget(options: LogtoTargetOptions): Promise<Target> {
  const log = options.log ?? (() => {});
  const runId = newRunId();
  const credentials = {
    endpoint: options.endpoint,
    appId: options.m2mAppId,
    appSecret: options.m2mAppSecret,
    resource: options.resource,
  };
  const apiTimeout = options.apiTimeoutMs ? { timeoutMs: options.apiTimeoutMs } : {};
  const management = new ManagementClient(credentials, { ...apiTimeout, onWaiting: log });
  const prediction = new FlowRunner({ projectRoot: PROJECT_ROOT });
  const runCleanup = new CleanupStack(log);

  const removed = await removeLeftovers(management).catch((error: unknown) => {
    throw accessProblem(error);
  });
  if (removed.length > 0) log(`removed leftovers of an earlier run: ${removed.join(', ')}`);

  const app = await management.createApplication({
    name: applicationName(runId),
    type: 'Traditional',
    oidcClientMetadata: { redirectUris: [APP_REDIRECT_URI], postLogoutRedirectUris: [APP_POST_LOGOUT_URI] },
  });
  if (!options.keep) runCleanup.push(`delete application ${app.id}`, () => management.deleteApplication(app.id));
  const [secret] = await management.applicationSecrets(app.id);
  if (!secret) throw new Error(`Logto returned no secret for application ${app.id}`);

  const idpLauncher = options.idpLauncher ?? inProcessIdpLauncher(options.idpPublicUrl);
  let index = 0;
  // The Account API serves stored tokens only with the account center on: switched on at the
  // first token-storage scenario, back to how it was when the run ends.
  let accountCenter: Promise<void> | undefined;
  const enableAccountCenter = () =>
    (accountCenter ??= (async () => {
      const { enabled } = await management.getAccountCenter();
      if (enabled) return;
      await management.patchAccountCenter({ enabled: true });
      runCleanup.push('switch the account center off again', () => management.patchAccountCenter({ enabled: false }));
    })());
  // One scenario at a time: they share the sign-in experience.
  let queue = Promise.resolve();

  const runOne = async (original: Scenario, context: RunContext): Promise<Observed> => {
    index += 1;
    const target = connectorTarget(runId, index);
    const scenario = withUniqueEmail(original, runId);
    const cleanup = new CleanupStack(log);
    const logto: LogtoObservation = { target, connectorId: '' };
    const checks: CheckResult[] = [];
    const hops: Hop[] = [];
    try {
      if (scenario.idp.kind !== 'fixture')
        throw new Error('the Logto target needs a fixture IdP (it changes the profile between sign-ins)');
      const observed = await prediction.run(scenario, context.signal);
      checks.push(...runChecks(observed));

      const idp = await idpLauncher.launch(scenario.idp.fixture);
      cleanup.push('stop the mock IdP', () => idp.stop());

      const connector = await management.createConnector({
        connectorId: scenario.connector,
        config: substituteIssuer(scenario.config, idp.issuer),
        metadata: { target, name: { en: `${target} (${scenario.name})`.slice(0, 128) } },
        syncProfile: scenario.syncProfile,
        enableTokenStorage: scenario.enableTokenStorage,
      });
      logto.connectorId = connector.id;
      if (!options.keep)
        cleanup.push(`delete connector ${connector.id}`, () => management.deleteConnector(connector.id));

      const change = signInExperienceChange(await management.getSignInExperience(), target);
      await management.patchSignInExperience(change.apply);
      if (!options.keep)
        cleanup.push('restore the sign-in experience', () => management.patchSignInExperience(change.restore));

      type Received = Awaited<ReturnType<AppSession['finishSignIn']>>;
      // `whileSignedIn` runs before the sign-out, which revokes the app's grant.
      const signIn = async (
        prefix = '',
        whileSignedIn?: (session: AppSession, received: Received) => Promise<void>,
      ) => {
        const session = new AppSession(
          options.endpoint,
          app.id,
          secret.value,
          scenario.enableTokenStorage ? ['identities'] : [],
        );
        const authorizationUrl = await session.startSignIn(APP_REDIRECT_URI);
        const outcome = await signInThroughExperience({
          endpoint: options.endpoint,
          authorizationUrl,
          appRedirectUri: APP_REDIRECT_URI,
          connectorId: connector.id,
          ...(scenario.user ? { idpUser: scenario.user } : {}),
          rewriteIdpUrl: idp.reachable,
          journalSeq: async () => (await idp.journal()).at(-1)?.seq ?? 0,
          ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
        });
        hops.push(...experienceHops(outcome.steps, await idp.journal().catch(() => []), prefix));
        if ('failure' in outcome) return { failure: outcome.failure };
        const received = await session.finishSignIn(outcome.callbackUrl);
        if (whileSignedIn) await whileSignedIn(session, received);
        const endSession = await session.signOut(APP_POST_LOGOUT_URI).catch(() => undefined);
        if (endSession)
          await fetch(endSession, { redirect: 'manual' })
            .then((response) => response.body?.cancel())
            .catch(() => undefined);
        return { received };
      };

      if (scenario.enableTokenStorage) await enableAccountCenter();
      context.progress(`${scenario.name}: signing in through Logto`);
      const useToken = async (session: AppSession, received: Received) => {
        const userId = String(received.claims.sub);
        const storedAt = Date.now();
        // What it stored, before the Account API reads (and maybe refreshes) it.
        logto.identity = await management.getIdentity(userId, target).catch(undefinedOnLogtoError);
        if (!logto.identity?.tokenSecret || scenario.idp.kind !== 'fixture') return;
        const plan = planTokenUse(observed, scenario.idp.fixture.accessTokenTtlSeconds);
        const config = substituteIssuer(scenario.config, idp.issuer);
        const userinfoUrl = scenario.idp.fixture.userinfo.enabled
          ? typeof config.userInfoEndpoint === 'string'
            ? config.userInfoEndpoint
            : `${idp.issuer}${scenario.idp.fixture.userinfo.path}`
          : undefined;
        context.progress(
          `${scenario.name}: reading the stored token through Logto's Account API${plan.expiries > 0 ? ` (${plan.expiries} expir${plan.expiries === 1 ? 'y' : 'ies'})` : ''}`,
        );
        try {
          const optional = {
            ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
            ...(userinfoUrl ? { userinfoUrl } : {}),
          };
          const userToken = await session.accountAccessToken();
          logto.tokenUse = await useStoredToken({
            endpoint: options.endpoint,
            userToken,
            target,
            userId,
            management,
            idp,
            plan,
            storedAt,
            ...optional,
          });
          hops.push(...tokenUseHops(logto.tokenUse, await idp.journal().catch(() => [])));
        } catch (error) {
          if (isUserError(error)) throw error;
          // The sign-in itself worked: its other checks still count.
          checks.push({
            id: 'logto.token-storage.harness',
            title: 'Stored token through the Account API',
            status: 'fail',
            message: `could not drive the Account API: ${(error as Error).message}`,
          });
        }
      };
      const first = await signIn('', scenario.enableTokenStorage ? useToken : undefined);
      if ('failure' in first && first.failure) {
        logto.failure = first.failure;
      } else if ('received' in first && first.received) {
        logto.app = first.received;
        const userId = String(first.received.claims.sub);
        if (!options.keep) cleanup.push(`delete user ${userId}`, () => management.deleteUser(userId));
        logto.user = await management.getUser(userId);
        logto.identity ??= await management.getIdentity(userId, target).catch(undefinedOnLogtoError);

        const idpUserId = scenario.user ?? scenario.idp.fixture.defaultUser;
        const fixtureUser = scenario.idp.fixture.users.find((candidate) => candidate.id === idpUserId);
        if (fixtureUser) {
          const change = profileChange(scenario, fixtureUser);
          await idp.updateUser(fixtureUser.id, {
            profile: change.profile,
            ...(change.claims ? { claims: change.claims } : {}),
          });
          const second = await signIn('second sign-in: ');
          logto.second = {
            changed: change.changed,
            ...('failure' in second && second.failure ? { failure: second.failure } : {}),
          };
          if (!logto.second.failure) logto.second.user = await management.getUser(userId);
        }
      }
      const idpToken = firstTokenRequest(await idp.journal());
      if (idpToken) logto.idpToken = idpToken;
      checks.push(
        ...compareWithPrediction(observed, logto),
        ...(logto.tokenUse ? compareTokenUse(observed, logto.tokenUse) : []),
      );
    } catch (error) {
      // An endpoint answering as something else than Logto is no verdict on this scenario: the run stops (exit 2).
      if (isUserError(error)) throw error;
      checks.push({ id: 'logto.harness', title: 'Logto target', status: 'fail', message: (error as Error).message });
    } finally {
      await cleanup.drain();
    }
    return {
      checks,
      ...(logto.failure ? { error: { code: logto.failure.code, message: logto.failure.message } } : {}),
      ...(hops.length > 0 ? { hops } : {}),
    };
  };

  return {
    name: 'logto',
    observe(scenario, context) {
      const result = queue.then(() => runOne(scenario, context));
      queue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    async close() {
      await queue;
      await runCleanup.drain();
      await idpLauncher.close?.();
      await prediction.close();
    },
  };
}
