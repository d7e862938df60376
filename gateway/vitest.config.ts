import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests that build network namespaces or run Prometheus share host state; files run in parallel,
    // tests inside a file in order. `npm test` runs test/multi-gateway on its own afterwards: its hand-over test
    // maps each arrival to a 1 s slot, which a scheduler lag near a second (two cores shared with every other
    // test file) can blur into a false double run.
    pool: 'forks',
  },
});
