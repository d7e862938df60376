import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    setupFiles: ['src/test/jsdomShims.ts', 'src/test/bootData.ts', 'src/test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    server: {
      deps: {
        // Grafana's ES builds import CSS files and CommonJS named exports (moment-timezone) that Node cannot load
        inline: [/@grafana\//],
      },
    },
  },
});
