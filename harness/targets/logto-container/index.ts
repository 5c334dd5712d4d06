import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT_ON_SIGNAL, interruption, throwIfInterrupted } from '../../../lib/interruption.ts';
import { mask } from '../../../lib/mask.ts';
import { UserError } from '../../../lib/user-error.ts';
import type { Target } from '../../model.ts';
import { detectContainerRuntime, newStackId, startLogtoStack, type LogtoStack } from './stack.ts';
import { createLogtoTarget } from '../logto/index.ts';
import { containerIdpLauncher } from './container-idp.ts';
import { removeCommand, removeStack, stackName, withoutRyuk } from './stack-cleanup.ts';

export interface LogtoContainerOptions {
  /** Leave the stack running afterwards, with its URLs and credentials printed. */
  keepStack: boolean;
  /** Leave each scenario's connector, user and app in Logto (debugging). */
  keep?: boolean;
  /** Where --keep-stack writes the stack's credentials (an env file, mode 600). */
  credentialsDir: string;
  /** Per call to Logto's APIs, the bootstrap's included (default DEFAULT_API_TIMEOUT_MS). */
  apiTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * The M2M secret is a credential, so it stays off the terminal and CI logs (masked there); the
 * whole set goes to an env file only the user can read, which `--target logto` takes as it is.
 */
async function writeCredentials(stack: LogtoStack, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `logto-stack-${stack.stackId}.env`);
  const lines = [
    `LOGTO_ENDPOINT=${stack.endpoint}`,
    `LOGTO_M2M_APP_ID=${stack.m2mAppId}`,
    `LOGTO_M2M_APP_SECRET=${stack.m2mAppSecret}`,
    `LOGTO_RESOURCE=${stack.resource}`,
  ];
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/**
 * `--target logto-container`: PostgreSQL and Logto in containers, each scenario's mock IdP a
 * container beside them, the Logto target run against it; every container and the network are
 * removed afterwards, on failure, and on Ctrl-C (exit 130).
 */
export async function createLogtoContainerTarget(options: LogtoContainerOptions): Promise<Target> {
  const log = options.log ?? (() => {});
  // A signal before anything started: no stack to start, none to remove.
  throwIfInterrupted(interruption.signal);
  withoutRyuk();
  const runtime = await detectContainerRuntime();
  if (!runtime.available) {
    throw new UserError({
      field: '--target logto-container',
      message: `needs a Docker (or Podman) engine: ${runtime.reason}`,
      hint: 'start the engine (docker info answers when it is up), or use --target in-process',
    });
  }
  const stackId = newStackId();
  // testcontainers leaves nothing holding the event loop while a container starts (its ssh
  // connection is unref'd): without this, Node exits mid-start with code 13.
  const hold = setInterval(() => {}, 60_000);
  let removal: Promise<void> | undefined;
  const remove = () =>
    (removal ??= removeStack(stackId).then(
      (removed) => (removed.length > 0 ? log(`removed ${removed.join(', ')}`) : undefined),
      (error: unknown) =>
        log(`could not remove the stack: ${(error as Error).message}; run: ${removeCommand(stackId)}`),
    ));
  // The CLI owns the signals (lib/interruption.ts). The stack goes as soon as one arrives; while it is
  // still starting, nothing else can stop testcontainers' start, so the process ends once it is removed.
  let starting = true;
  const onInterrupt = () => {
    const signal = interruption.received() ?? 'SIGINT';
    log(`${signal}: removing the stack's containers and network`);
    void remove().finally(() => (starting ? process.exit(EXIT_ON_SIGNAL[signal]) : undefined));
  };
  interruption.signal.addEventListener('abort', onInterrupt, { once: true });
  const release = () => {
    interruption.signal.removeEventListener('abort', onInterrupt);
    clearInterval(hold);
  };

  let stack: LogtoStack;
  let target: Target;
  let idpLauncher: ReturnType<typeof containerIdpLauncher> | undefined;
  try {
    log(`logto-container: starting stack ${stackName(stackId)}`);
    const apiTimeout = options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {};
    stack = await startLogtoStack({
      stackId,
      kept: options.keepStack,
      ...apiTimeout,
      // The IdP container starts beside PostgreSQL and Logto: ready before the first scenario.
      onNetwork: (network, labels, images) =>
        (idpLauncher = containerIdpLauncher({
          image: images.mockIdp,
          network,
          stackId,
          labels,
          log: (line) => log(`logto-container: ${line}`),
        })),
      log: (line) => log(`logto-container: ${line}`),
    });
    log(`logto-container: stack ready in ${(stack.timings.total / 1000).toFixed(1)} s`);
    target = await createLogtoTarget({
      endpoint: stack.endpoint,
      m2mAppId: stack.m2mAppId,
      m2mAppSecret: stack.m2mAppSecret,
      resource: stack.resource,
      keep: Boolean(options.keep),
      ...apiTimeout,
      idpLauncher: idpLauncher!,
      log,
    });
  } catch (error) {
    await remove();
    release();
    throw error;
  }
  starting = false;

  return {
    name: 'logto-container',
    ...(target.prepare ? { prepare: (scenarios) => target.prepare!(scenarios) } : {}),
    observe: (scenario, context) => target.observe(scenario, context),
    async close() {
      try {
        await target.close?.();
      } finally {
        if (options.keepStack && !removal) {
          const file = await writeCredentials(stack, options.credentialsDir);
          log(`logto-container: stack kept (--keep-stack)`);
          log(`  Logto          ${stack.endpoint}   (Management API resource ${stack.resource})`);
          log(`  M2M app        ${stack.m2mAppId}   secret ${mask(stack.m2mAppSecret)}`);
          log(`  credentials    ${file} (mode 600): set -a; . ${file}; set +a`);
          log(
            `  then e.g.      connector-harness run <scenarios> --target logto --idp-public-url <URL Logto reaches your IdP at>`,
          );
          log(`  remove it      ${removeCommand(stackId)}`);
          log(
            `  or             connector-harness stacks --remove ${stackId}   (connector-harness stacks lists what is left)`,
          );
        } else {
          await remove();
        }
        release();
      }
    },
  };
}
