import { Command, Option } from 'commander';
import { EXIT } from '../../../lib/run-cli.ts';
import { UserError } from '../../../lib/user-error.ts';
import { requireCheckout } from './require-checkout.ts';
import type { StackState } from './stack-owner.ts';
import type { FoundStack } from './stack-sweep.ts';

interface StacksFlags {
  remove?: string;
  removeOrphans?: boolean;
  snapshot?: boolean;
}

const STATE_TEXT: Record<StackState, string> = {
  running: 'running',
  kept: 'kept',
  'unknown-owner': 'unknown owner',
  'other-host': 'other host',
  orphaned: 'orphaned',
};

function ago(since: Date | undefined, now: number): string {
  if (!since) return '';
  const minutes = Math.max(0, Math.round((now - since.getTime()) / 60_000));
  return minutes < 60
    ? `${minutes} min ago`
    : minutes < 48 * 60
      ? `${Math.round(minutes / 60)} h ago`
      : `${Math.round(minutes / 1440)} d ago`;
}

/** One row a stack, columns aligned: id, state, owner, age, what it holds, Logto's URL. */
export function renderStacks(stacks: FoundStack[], now = Date.now()): string {
  const rows = [
    ['STACK', 'STATE', 'OWNER', 'CREATED', 'HOLDS', 'LOGTO'],
    ...stacks.map((stack) => [
      stack.stackId,
      STATE_TEXT[stack.state],
      stack.owner ? `pid ${stack.owner.pid} on ${stack.owner.host}` : '-',
      ago(stack.created, now),
      [
        stack.containers.length > 0 &&
          `${stack.containers.length} container${stack.containers.length === 1 ? '' : 's'}`,
        stack.network && 'network',
      ]
        .filter(Boolean)
        .join(' + '),
      stack.logto ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `connector-harness stacks`: the stacks --target logto-container left on this engine, and their removal. */
export function makeStacksCommand(): Command {
  return new Command('stacks')
    .description('list the Logto stacks --target logto-container left on this Docker engine, and remove them')
    .addOption(
      new Option('--remove <id>', 'remove one stack (its id as listed, or connector-harness-<id>)').conflicts([
        'removeOrphans',
        'snapshot',
      ]),
    )
    .option('--remove-orphans', 'remove every orphaned stack now (what the next stack start would do)')
    .option(
      '--snapshot',
      "make the seeded database snapshot for the images the settings pick now (what the first stack start would do; CI's containers/ci-prepare.sh does)",
    )
    .hook('preAction', () => requireCheckout('stacks'))
    .addHelpText(
      'after',
      `
Every container and the network of a stack carry labels naming the process that started it (host,
pid, and when that process started, so a later process given the same pid is not taken for it) and
whether --keep-stack kept it. A stack's process removes it when it ends, also on failure and Ctrl-C;
a process killed outright (kill -9, a CI job timeout, out of memory) cannot, so each new stack
first removes the orphaned ones, one line each. STATE:
  running        its process still runs on this host; it removes the stack itself when it ends
  kept           left on purpose by --keep-stack (from its start: also when that run was killed);
                 stays until you remove it
  orphaned       its process is gone: the next stack start removes it, or --remove-orphans now
  other host     started from another machine using this engine: never removed from here on its own
  unknown owner  made by a version without owner labels: remove it with --remove <id>

Every stack starts PostgreSQL on a seeded database snapshot, an image made once per pair of
PostgreSQL and Logto images (connector-harness/logto-db:v1-<postgres id>-<logto id>); the listing
names them, "stale" when an image they were made from is gone (the next snapshot made removes those).

Examples:
  $ connector-harness stacks
  $ connector-harness stacks --remove 1a2b3c4d     # a kept stack you are done with
  $ connector-harness stacks --remove-orphans
  $ connector-harness stacks --snapshot           # before the first stack, e.g. in CI

Exit status: 0 done, 1 a stack could not be removed (the message has the docker commands),
2 bad input (no such stack, a stack whose run is still going, no Docker engine).`,
    )
    .action(async (flags: StacksFlags) => {
      const { detectContainerRuntime } = await import('./stack.ts');
      const runtime = await detectContainerRuntime();
      if (!runtime.available)
        throw new UserError({
          field: 'stacks',
          message: `needs the Docker (or Podman) engine the stacks run on: ${runtime.reason}`,
          hint: 'start the engine (docker info answers when it is up), or point DOCKER_HOST at it',
        });
      if (flags.snapshot) {
        const { resolveImages } = await import('./images.ts');
        const { ensureDbSnapshot } = await import('./db-snapshot.ts');
        const snapshot = await ensureDbSnapshot(
          await resolveImages(['postgres', 'logto'], (line) => console.log(line)),
          (line) => console.log(line),
        );
        if (snapshot.madeMs === undefined) console.log(`${snapshot.image} is here already`);
        return;
      }
      const { listStacks, ownerText, sweepOrphanedStacks } = await import('./stack-sweep.ts');
      const { removeStack, stackName } = await import('./stack-cleanup.ts');
      if (flags.removeOrphans) {
        const { removed, failed } = await sweepOrphanedStacks((line) => console.log(line));
        if (removed.length + failed.length === 0)
          console.log(
            'no orphaned stacks (orphaned: its process on this host is gone, and --keep-stack did not keep it)',
          );
        if (failed.length > 0) process.exitCode = EXIT.failed;
        return;
      }
      const stacks = await listStacks();
      if (flags.remove !== undefined) {
        const stackId = flags.remove.replace(/^connector-harness-/, '');
        const stack = stacks.find((candidate) => candidate.stackId === stackId);
        if (!stack)
          throw new UserError({
            field: '--remove',
            message: `no stack ${flags.remove} on this Docker engine`,
            hint:
              stacks.length > 0
                ? `the stacks there are: ${stacks.map((candidate) => candidate.stackId).join(', ')}`
                : 'connector-harness stacks lists none: nothing to remove',
          });
        if (stack.state === 'running') {
          throw new UserError({
            field: '--remove',
            message: `stack ${stackId} belongs to a run that is still going (${ownerText(stack.owner)})`,
            hint: `end that run (Ctrl-C, or kill ${stack.owner!.pid}): it removes its stack itself; and if it cannot, the next stack start does`,
          });
        }
        const removed = await removeStack(stackId, { sessionForwarder: false });
        console.log(
          `removed stack ${stackName(stackId)} (${STATE_TEXT[stack.state]}): ${removed.join(', ') || 'nothing was left'}`,
        );
        return;
      }
      const { listDbSnapshots } = await import('./db-snapshot.ts');
      const snapshots = (await listDbSnapshots())
        .map(
          (snapshot) =>
            `database snapshot ${snapshot.tag}${snapshot.current ? '' : ' (stale: an image it was made from is gone)'}`,
        )
        .join('\n');
      if (stacks.length === 0) {
        console.log(['no connector-harness stacks on this Docker engine', snapshots].filter(Boolean).join('\n'));
        return;
      }
      console.log(renderStacks(stacks));
      if (snapshots) console.log(`\n${snapshots}`);
      const orphans = stacks.filter((stack) => stack.state === 'orphaned').length;
      if (orphans > 0)
        console.log(
          `\n${orphans} orphaned: the next stack start removes ${orphans === 1 ? 'it' : 'them'}; now: connector-harness stacks --remove-orphans`,
        );
      if (stacks.some((stack) => stack.state !== 'running' && stack.state !== 'orphaned'))
        console.log('remove a kept one (or any not running): connector-harness stacks --remove <id>');
    });
}
