import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import { FlowRunner } from '../../flow/flow-runner.ts';
import { accessProblem } from '../../logto-api/access-problem.ts';
import { ManagementClient } from '../../logto-api/management-client.ts';
import type { Observed, Target } from '../../model.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { inProcessIdpLauncher } from './idp-launcher.ts';
import { removeLeftovers } from './leftovers.ts';
import { raceWindow, runsAlone, ScenarioLock } from './run-alone.ts';
import { SharedAccountCenter } from './shared-account-center.ts';
import { SharedSignInExperience } from './shared-sign-in-experience.ts';
import { applicationName, connectorTarget, newRunId } from './naming.ts';
import type { LogtoTargetOptions } from './options.ts';
import { APP_POST_LOGOUT_URI, APP_REDIRECT_URI, LogtoScenarioRun, type LogtoRun } from './scenario-run.ts';
import { withUniqueContacts } from './unique-fixture.ts';

/**
 * A running Logto (self-hosted or a tenant): each scenario becomes a temporary connector, a real
 * sign-in by an application through the Experience API, and a read-back of what Logto stored,
 * next to what the in-process run of the same connector code predicted (LogtoScenarioRun).
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
  const prediction = new FlowRunner({ projectRoot: PACKAGE_ROOT });
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
  const run: LogtoRun = {
    options,
    management,
    prediction,
    app: { id: app.id, secret: secret.value },
    idpLauncher,
    log,
    signInExperience: new SharedSignInExperience(management, options.keep ? undefined : runCleanup),
    accountCenter: new SharedAccountCenter(management, runCleanup),
  };
  let index = 0;
  // Scenarios run in parallel (-p): each has its own connector target, IdP, users and emails; what
  // they share in Logto (the sign-in experience, the account center) is changed one step at a time.
  // A scenario racing its stored token's expiry runs alone from its sign-in to its first read of the
  // token, and beside the others the rest of the time (run-alone.ts).
  const running = new Set<Promise<void>>();
  const lock = new ScenarioLock();

  return {
    name: 'logto',
    observe(scenario, context): Promise<Observed> {
      index += 1;
      // The email and phone unique to the scenario, not only the run: two users alive at once with one
      // email or phone would leave the second one's primaryEmail or primaryPhone empty.
      const serial = index;
      const unique = `${runId}-${serial}`;
      const target = connectorTarget(runId, serial);
      const race = runsAlone(scenario) ? raceWindow(lock) : undefined;
      const held = race ? Promise.resolve(() => {}) : lock.acquire(false);
      const observed = held.then(async (release) => {
        try {
          return await new LogtoScenarioRun(
            run,
            withUniqueContacts(scenario, unique, serial),
            target,
            context,
            race,
          ).observe();
        } finally {
          release();
        }
      });
      const settled: Promise<void> = observed
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => void running.delete(settled));
      running.add(settled);
      return observed;
    },
    async close() {
      await Promise.all([...running]);
      await runCleanup.drain();
      await idpLauncher.close?.();
      await prediction.close();
    },
  };
}
