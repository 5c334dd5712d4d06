import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own IdPs on port 0; two cores, so keep the pool small.
    maxWorkers: 2,
    reporters: ['default', './test/closing-line-reporter.ts'],
  },
});
