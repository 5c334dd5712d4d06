import { isUserError } from '../../../lib/user-error.ts';
import type { Fixture } from '../../../mock-idp/fixture/schema.ts';
import { runChecks } from '../../checks/index.ts';
import type { FlowRunner } from '../../flow/flow-runner.ts';
import { AppSession } from '../../logto-api/app-client.ts';
import { undefinedOnLogtoError } from '../../logto-api/logto-http.ts';
import type { ManagementClient } from '../../logto-api/management-client.ts';
import type { CheckResult, Hop, Observed, RunContext, Scenario } from '../../model.ts';
import type { Observation } from '../../observation.ts';
import { substituteIssuer } from '../../substitute.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { compareWithPrediction } from './compare.ts';
import { signInThroughExperience } from './experience-driver.ts';
import { experienceHops } from './hops.ts';
import { observeAccountLinking, observeOnlyIdentityUnlink } from './link/account-linking.ts';
import type { LinkObservation } from './link/observation.ts';
import { compareLink } from './link/checks.ts';
import { linkHops } from './link/hops.ts';
import type { IdpLauncher, LaunchedIdp } from './idp-launcher.ts';
import type { LogtoFailure, LogtoObservation } from './observation.ts';
import type { LogtoTargetOptions } from './options.ts';
import { observesProfileSync, profileChange } from './second-sign-in.ts';
import type { SharedAccountCenter } from './shared-account-center.ts';
import type { SharedSignInExperience } from './shared-sign-in-experience.ts';
import { compareTokenUse } from './token-use/checks.ts';
import { tokenUseHops } from './token-use/hops.ts';
import { firstTokenRequest } from './token-use/idp-journal.ts';
import { planTokenUse } from './token-use/plan.ts';
import { useStoredToken } from './token-use/use-stored-token.ts';
import type { RaceWindow } from './run-alone.ts';

// The application's redirect URIs: never loaded, the harness stops the browser before them.
export const APP_REDIRECT_URI = 'http://localhost:3000/harness/callback';
export const APP_POST_LOGOUT_URI = 'http://localhost:3000/harness/signed-out';

/** What every scenario of one Logto run shares, set up once by createLogtoTarget. */
export interface LogtoRun {
  options: LogtoTargetOptions;
  management: ManagementClient;
  /** The in-process run of the same connector code: what Logto should do. */
  prediction: FlowRunner;
  /** The application that signs users in. */
  app: { id: string; secret: string };
  idpLauncher: IdpLauncher;
  /** Each scenario's connector target among the social sign-in targets, one change at a time. */
  signInExperience: SharedSignInExperience;
  /** On for the Account API (stored tokens, linking), as far as a scenario needs it, until the run ends. */
  accountCenter: SharedAccountCenter;
  log: (line: string) => void;
}

type Received = Awaited<ReturnType<AppSession['finishSignIn']>>;
type SignInOutcome = { failure: LogtoFailure } | { received: Received };

/** Waits for every step, then throws the first failure: no step is still running when the cleanup starts. */
async function settledTogether(steps: Array<Promise<void>>): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((step) => step.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * One scenario through a real Logto, a step at a time: its prediction in-process, its mock IdP, a
 * temporary connector on the sign-in experience, the application's sign-in (with the stored token
 * read through the Account API while signed in), what Logto stored, a second sign-in after the
 * IdP changed the profile, and the comparison with the prediction. Whatever it created is removed
 * at the end, whatever happened.
 */
export class LogtoScenarioRun {
  readonly #run: LogtoRun;
  /** With an email of its own (Logto refuses a second user with the same one). */
  readonly #scenario: Scenario;
  readonly #context: RunContext;
  readonly #cleanup: CleanupStack;
  readonly #logto: LogtoObservation;
  readonly #checks: CheckResult[] = [];
  readonly #hops: Hop[] = [];
  #fixture!: Fixture;
  #predicted!: Observation;
  #idp!: LaunchedIdp;

  /** A scenario racing its token's expiry: the stretch from its sign-in to its first token read runs alone. */
  readonly #race: RaceWindow | undefined;

  constructor(run: LogtoRun, scenario: Scenario, connectorTarget: string, context: RunContext, race?: RaceWindow) {
    this.#run = run;
    this.#race = race;
    this.#scenario = scenario;
    this.#context = context;
    this.#cleanup = new CleanupStack(run.log);
    this.#logto = { connectorTarget, connectorId: '' };
  }

  /** Every step; a failing step is the scenario's `logto.harness` check, a UserError stops the run (exit 2). */
  async observe(): Promise<Observed> {
    try {
      // The prediction runs in this process, the IdP and the connector in Logto: side by side.
      await settledTogether([this.predict(), this.launchIdp().then(() => this.createConnector())]);
      if (this.#scenario.link) await this.linkToPasswordUser();
      else await this.signInWithConnector();
    } catch (error) {
      // An endpoint answering as something else than Logto is no verdict on this scenario: the run stops (exit 2).
      if (isUserError(error)) throw error;
      this.#checks.push({
        id: 'logto.harness',
        title: 'Logto target',
        status: 'fail',
        message: (error as Error).message,
      });
    } finally {
      this.#race?.leave();
      await this.#cleanup.drain();
    }
    return this.#observed();
  }

  #observed(): Observed {
    const { failure } = this.#logto;
    return {
      checks: this.#checks,
      ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
      ...(this.#hops.length > 0 ? { hops: this.#hops } : {}),
    };
  }

  /** A sign-in scenario: the connector on the sign-in experience, a social sign-in, a second one after a profile change. */
  async signInWithConnector(): Promise<void> {
    await this.openSignInExperience();
    if (this.#scenario.enableTokenStorage) await this.#run.accountCenter.open();
    this.#context.progress(`${this.#scenario.name}: signing in through Logto`);
    await this.#race?.enter();
    const first = await this.signIn(
      '',
      this.#scenario.enableTokenStorage ? (session, received) => this.readStoredToken(session, received) : undefined,
    );
    // Its token was read while signed in (or there was none to read): no race left.
    this.#race?.leave();
    if ('failure' in first) {
      this.#logto.failure = first.failure;
    } else {
      const userId = await this.readSignedInUser(first.received);
      if (observesProfileSync(this.#scenario)) await this.signInAgainAfterProfileChange(userId);
    }
    await this.compare();
  }

  /** The same connector code in-process: its checks count, and it is what Logto is compared with. */
  async predict(): Promise<void> {
    if (this.#scenario.idp.kind !== 'fixture')
      throw new Error('the Logto target needs a fixture IdP (it changes the profile between sign-ins)');
    this.#fixture = this.#scenario.idp.fixture;
    this.#predicted = await this.#run.prediction.run(this.#scenario, this.#context.signal);
    this.#checks.push(...runChecks(this.#predicted));
  }

  async launchIdp(): Promise<void> {
    const idp = await this.#run.idpLauncher.launch(this.#fixture);
    this.#idp = idp;
    this.#cleanup.push('stop the mock IdP', () => idp.stop());
  }

  async createConnector(): Promise<void> {
    const { management, options } = this.#run;
    const { connectorTarget } = this.#logto;
    const scenario = this.#scenario;
    const connector = await management.createConnector({
      connectorId: scenario.connector,
      config: substituteIssuer(scenario.config, this.#idp.issuer),
      metadata: { target: connectorTarget, name: { en: `${connectorTarget} (${scenario.name})`.slice(0, 128) } },
      syncProfile: scenario.syncProfile,
      enableTokenStorage: scenario.enableTokenStorage,
    });
    this.#logto.connectorId = connector.id;
    // Deleting it takes its target off the sign-in experience too (Logto does), one change at a time with the others'.
    if (!options.keep)
      this.#cleanup.push(`delete connector ${connector.id}`, () =>
        this.#run.signInExperience.deleteConnector(connectorTarget, () => management.deleteConnector(connector.id)),
      );
  }

  /** The connector among the sign-in experience's social connectors (off again when the connector is deleted). */
  async openSignInExperience(): Promise<void> {
    await this.#run.signInExperience.add(this.#logto.connectorTarget);
  }

  /** The application signs a user in through the Experience API; `whileSignedIn` runs before the sign-out, which revokes the app's grant. */
  async signIn(
    prefix = '',
    whileSignedIn?: (session: AppSession, received: Received) => Promise<void>,
  ): Promise<SignInOutcome> {
    const { options, app } = this.#run;
    const scenario = this.#scenario;
    const idp = this.#idp;
    const session = new AppSession(
      options.endpoint,
      app.id,
      app.secret,
      scenario.enableTokenStorage || scenario.link ? ['identities'] : [],
    );
    const authorizationUrl = await session.startSignIn(APP_REDIRECT_URI);
    const outcome = await signInThroughExperience({
      endpoint: options.endpoint,
      authorizationUrl,
      appRedirectUri: APP_REDIRECT_URI,
      connectorId: this.#logto.connectorId,
      ...(scenario.user ? { idpUser: scenario.user } : {}),
      rewriteIdpUrl: idp.reachable,
      journalSeq: async () => (await idp.journal()).at(-1)?.seq ?? 0,
      ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
    });
    this.#hops.push(...experienceHops(outcome.steps, await idp.journal().catch(() => []), prefix));
    if ('failure' in outcome) return { failure: outcome.failure };
    const received = await session.finishSignIn(outcome.callbackUrl);
    if (whileSignedIn) await whileSignedIn(session, received);
    const endSession = await session.signOut(APP_POST_LOGOUT_URI).catch(() => undefined);
    if (endSession)
      await fetch(endSession, { redirect: 'manual' })
        .then((response) => response.body?.cancel())
        .catch(() => undefined);
    return { received };
  }

  /**
   * A linking scenario: the connector linked to a password user through the Account API (on the
   * sign-in experience unless `linkingOnly`), then replaced or unlinked by the scenario's action.
   */
  async linkToPasswordUser(): Promise<void> {
    const { management, options, app, prediction } = this.#run;
    const scenario = this.#scenario;
    const link = scenario.link!;
    if (!link.linkingOnly) await this.openSignInExperience();
    if (link.socialOnly) return this.unlinkOnlyIdentity();
    if (link.heldByAnotherUser) await this.anotherUserSignsInFirst();
    const replaced = link.replaceWith
      ? await prediction.run({ ...scenario, user: link.replaceWith }, this.#context.signal)
      : undefined;
    this.#context.progress(`${scenario.name}: linking through Logto's Account API`);
    await this.#race?.enter();
    const userinfoUrl = this.#userinfoUrl();
    const observation = await observeAccountLinking({
      endpoint: options.endpoint,
      management,
      app,
      appRedirectUri: APP_REDIRECT_URI,
      scenario,
      idp: this.#idp,
      connectorId: this.#logto.connectorId,
      connectorTarget: this.#logto.connectorTarget,
      ...(userinfoUrl ? { userinfoUrl } : {}),
      cleanup: this.#cleanup,
      openAccountCenter: () => this.#run.accountCenter.open({ socialEdit: true }),
      keep: Boolean(options.keep),
      ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
      trySocialSignIn: async () => {
        const drawn = this.#hops.length;
        const outcome = await this.signIn('social sign-in with the linking-only connector: ');
        return { outcome: 'failure' in outcome ? { failure: outcome.failure } : {}, hops: this.#hops.splice(drawn) };
      },
    });
    this.#hops.push(...linkHops(observation.steps, await this.#idp.journal().catch(() => [])));
    this.#checks.push(...compareLink(this.#predicted, observation, replaced));
  }

  /** `heldByAnotherUser`: a social sign-in with the same IdP account first, which makes Logto a user holding the identity. */
  async anotherUserSignsInFirst(): Promise<void> {
    this.#context.progress(`${this.#scenario.name}: another user signs in with the same IdP account first`);
    const outcome = await this.signIn('another user signs in with the IdP account first: ');
    if ('failure' in outcome)
      throw new Error(`the other user's sign-in failed (${outcome.failure.code} at ${outcome.failure.step})`);
    this.#removeUserAfterwards(outcome.received);
  }

  /** The user a social sign-in created (or found), deleted with the rest; returns its id. */
  #removeUserAfterwards(received: Received): string {
    const userId = String(received.claims.sub);
    if (!this.#run.options.keep)
      this.#cleanup.push(`delete user ${userId}`, () => this.#run.management.deleteUser(userId));
    return userId;
  }

  /** `socialOnly`: a user signs up with the connector, then the app unlinks the identity, their only identifier. */
  async unlinkOnlyIdentity(): Promise<void> {
    const { management, options } = this.#run;
    this.#context.progress(`${this.#scenario.name}: signing up with the connector, then unlinking it`);
    let observation: LinkObservation | undefined;
    const outcome = await this.signIn('sign-up with the connector: ', async (session, received) => {
      const userId = this.#removeUserAfterwards(received);
      observation = await observeOnlyIdentityUnlink({
        endpoint: options.endpoint,
        management,
        idp: this.#idp,
        cleanup: this.#cleanup,
        openAccountCenter: () => this.#run.accountCenter.open({ socialEdit: true }),
        connectorTarget: this.#logto.connectorTarget,
        userId,
        userToken: await session.accountAccessToken(),
        ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
      });
    });
    if ('failure' in outcome)
      throw new Error(`the sign-up with the connector failed (${outcome.failure.code} at ${outcome.failure.step})`);
    this.#hops.push(...linkHops(observation!.steps, await this.#idp.journal().catch(() => [])));
    this.#checks.push(...compareLink(this.#predicted, observation!));
  }

  /** The IdP's userinfo URL as Logto names it, when the fixture serves one. */
  #userinfoUrl(): string | undefined {
    if (!this.#fixture.userinfo.enabled) return undefined;
    const config = substituteIssuer(this.#scenario.config, this.#idp.issuer);
    return typeof config.userInfoEndpoint === 'string'
      ? config.userInfoEndpoint
      : `${this.#idp.issuer}${this.#fixture.userinfo.path}`;
  }

  /** Token storage: what Logto stored, then Logto's own use of it through the Account API, expiries included. */
  async readStoredToken(session: AppSession, received: Received): Promise<void> {
    const { management, options } = this.#run;
    const { connectorTarget } = this.#logto;
    const scenario = this.#scenario;
    const idp = this.#idp;
    const userId = String(received.claims.sub);
    const storedAt = Date.now();
    // What it stored, before the Account API reads (and maybe refreshes) it.
    this.#logto.identity = await management.getIdentity(userId, connectorTarget).catch(undefinedOnLogtoError);
    if (!this.#logto.identity?.tokenSecret) return;
    const plan = planTokenUse(this.#predicted, this.#fixture.accessTokenTtlSeconds);
    const userinfoUrl = this.#userinfoUrl();
    const expiries = plan.expiries > 0 ? ` (${plan.expiries} expir${plan.expiries === 1 ? 'y' : 'ies'})` : '';
    this.#context.progress(`${scenario.name}: reading the stored token through Logto's Account API${expiries}`);
    try {
      const optional = {
        ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
        ...(userinfoUrl ? { userinfoUrl } : {}),
      };
      const userToken = await session.accountAccessToken();
      this.#logto.tokenUse = await useStoredToken({
        endpoint: options.endpoint,
        userToken,
        connectorTarget,
        userId,
        management,
        idp,
        plan,
        storedAt,
        onFirstRead: () => this.#race?.leave(),
        ...optional,
      });
      this.#hops.push(...tokenUseHops(this.#logto.tokenUse, await idp.journal().catch(() => [])));
    } catch (error) {
      if (isUserError(error)) throw error;
      // The sign-in itself worked: its other checks still count.
      this.#checks.push({
        id: 'logto.token-storage.harness',
        title: 'Stored token through the Account API',
        status: 'fail',
        message: `could not drive the Account API: ${(error as Error).message}`,
      });
    }
  }

  /** What the application got, and the user and identity Logto stored; the user is deleted afterwards. */
  async readSignedInUser(received: Received): Promise<string> {
    const { management, options } = this.#run;
    this.#logto.app = received;
    const userId = String(received.claims.sub);
    if (!options.keep) this.#cleanup.push(`delete user ${userId}`, () => management.deleteUser(userId));
    this.#logto.user = await management.getUser(userId);
    this.#logto.identity ??= await management
      .getIdentity(userId, this.#logto.connectorTarget)
      .catch(undefinedOnLogtoError);
    return userId;
  }

  /** The IdP changes the user's name and avatar; a second sign-in shows whether Logto synced them. */
  async signInAgainAfterProfileChange(userId: string): Promise<void> {
    const idpUserId = this.#scenario.user ?? this.#fixture.defaultUser;
    const fixtureUser = this.#fixture.users.find((candidate) => candidate.id === idpUserId);
    if (!fixtureUser) return;
    const change = profileChange(this.#scenario, fixtureUser);
    await this.#idp.updateUser(fixtureUser.id, {
      profile: change.profile,
      ...(change.claims ? { claims: change.claims } : {}),
    });
    const second = await this.signIn('second sign-in: ');
    this.#logto.second = {
      changed: change.changed,
      ...('failure' in second ? { failure: second.failure } : {}),
    };
    if (!this.#logto.second.failure) this.#logto.second.user = await this.#run.management.getUser(userId);
  }

  /** What Logto did and stored, next to what the in-process run predicted. */
  async compare(): Promise<void> {
    const idpToken = firstTokenRequest(await this.#idp.journal());
    if (idpToken) this.#logto.idpToken = idpToken;
    this.#checks.push(
      ...compareWithPrediction(this.#predicted, this.#logto),
      ...(this.#logto.tokenUse ? compareTokenUse(this.#predicted, this.#logto.tokenUse) : []),
    );
  }
}
