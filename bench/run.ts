import os from 'node:os';
import { benchMockIdp } from './mock-idp-bench.ts';
import { benchHarness, benchShards } from './harness-bench.ts';
import { benchContainers } from './container-bench.ts';

const which = process.argv[2] ?? 'all';
if (!['all', 'mock-idp', 'harness', 'shards', 'containers'].includes(which)) {
  console.error('usage: npm run bench -- [all|mock-idp|harness|shards|containers]');
  process.exit(2);
}
// The machine line: the figures below only compare within one run, on this machine, at this load.
const load = os
  .loadavg()
  .map((value) => value.toFixed(1))
  .join(' ');
console.log(
  `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${load} at start, ${new Date().toISOString().slice(0, 10)}\n`,
);
if (which === 'all' || which === 'mock-idp') console.log(`${await benchMockIdp()}\n`);
if (which === 'all' || which === 'harness') console.log(`${await benchHarness()}\n`);
if (which === 'all' || which === 'shards') console.log(`${await benchShards()}\n`);
if (which === 'all' || which === 'containers') console.log(await benchContainers());
