import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests that build network namespaces or run Prometheus share host state; files run in parallel,
    // tests inside a file in order. `npm test` runs test/multi-gateway on its own afterwards: its hand-over test
    // counts the target's connections in 1 s slots, and three gateway processes beside every other test file on
    // two cores is more timing noise than it needs.
    pool: 'forks',
  },
});
