// Run as a process of its own: starts an idle stack owned by itself, prints "ready", then waits to be killed.
// Arguments: <stack id> <image> kept|not-kept
import { stackLabels, withoutRyuk } from '../../harness/targets/logto-container/stack-cleanup.ts';
import { startIdleStack } from './idle-stack.ts';

const [stackId, image, kept] = process.argv.slice(2);
if (!stackId || !image) throw new Error('usage: idle-stack-child.ts <stack id> <image> kept|not-kept');
withoutRyuk();
await startIdleStack(stackId, image, await stackLabels(stackId, { kept: kept === 'kept' }));
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
