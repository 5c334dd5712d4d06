import { defineConfig } from 'vitest/config';

// The lane is in the name. `*.docker.test.ts` start containers and `*.live.test.ts` drive a running
// Logto: they run one file at a time, after the rest (two at once share two cores with Logto's
// start, and a stack start sweeps orphaned stacks, which another file's test of that sweep has made
// on purpose). Every other test, pure ones beside them in test/logto/ included, runs in parallel.
const CONTAINER_SUITES = ['test/**/*.docker.test.ts', 'test/**/*.live.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own IdPs on port 0; two cores, so keep the pool small.
    maxWorkers: 2,
    reporters: ['default', './test/closing-line-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: CONTAINER_SUITES } },
      {
        extends: true,
        test: { name: 'containers', include: CONTAINER_SUITES, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
