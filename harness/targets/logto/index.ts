import { PACKAGE_ROOT } from '../../../lib/package-root.ts';
import { FlowRunner } from '../../flow/flow-runner.ts';
import { accessProblem } from '../../logto-api/access-problem.ts';
import { ManagementClient } from '../../logto-api/management-client.ts';
import type { Observed, Target } from '../../model.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { inProcessIdpLauncher } from './idp-launcher.ts';
import { removeLeftovers } from './leftovers.ts';
import { applicationName, connectorTarget, newRunId } from './naming.ts';
import type { LogtoTargetOptions } from './options.ts';
import { APP_POST_LOGOUT_URI, APP_REDIRECT_URI, LogtoScenarioRun, type LogtoRun } from './scenario-run.ts';
import { withUniqueEmail } from './unique-fixture.ts';

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
  // The Account API serves stored tokens only with the account center on: switched on at the
  // first token-storage scenario, back to how it was when the run ends.
  let accountCenter: Promise<void> | undefined;
  const run: LogtoRun = {
    options,
    management,
    prediction,
    app: { id: app.id, secret: secret.value },
    idpLauncher,
    log,
    enableAccountCenter: () =>
      (accountCenter ??= (async () => {
        const { enabled } = await management.getAccountCenter();
        if (enabled) return;
        await management.patchAccountCenter({ enabled: true });
        runCleanup.push('switch the account center off again', () => management.patchAccountCenter({ enabled: false }));
      })()),
  };
  let index = 0;
  // One scenario at a time: they share the sign-in experience.
  let queue = Promise.resolve();

  return {
    name: 'logto',
    observe(scenario, context): Promise<Observed> {
      const observed = queue.then(() => {
        index += 1;
        return new LogtoScenarioRun(
          run,
          withUniqueEmail(scenario, runId),
          connectorTarget(runId, index),
          context,
        ).observe();
      });
      queue = observed.then(
        () => undefined,
        () => undefined,
      );
      return observed;
    },
    async close() {
      await queue;
      await runCleanup.drain();
      await idpLauncher.close?.();
      await prediction.close();
    },
  };
}
