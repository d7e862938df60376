import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests that build network namespaces or run Prometheus share host state; files run in parallel,
    // tests inside a file in order.
    pool: 'forks',
  },
});
