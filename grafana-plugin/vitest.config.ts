import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The first render of a test file loads all of @grafana/ui through vite; on 2 cores that alone can take 20 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'ui',
          // Pages, the API client and pure helpers, in jsdom against a real gateway (see src/test/).
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}'],
          // Loading @grafana/ui takes ~20 s per module graph; sharing one graph per worker instead of one per file
          // cuts the run by minutes. Tests install their own test Grafana and gateway, so no state leaks between files.
          isolate: false,
          setupFiles: ['src/test/jsdomShims.ts', 'src/test/bootData.ts', 'src/test/setup.ts'],
          server: {
            deps: {
              // Grafana's ES builds import CSS files and CommonJS named exports (moment-timezone) that Node cannot
              // load on its own; vite transforms them instead.
              inline: [/@grafana\//],
            },
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'dist',
          // The built plugin as Grafana loads it; needs `npm run build` first.
          environment: 'node',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // The journey in Debian's Chromium through the preview host (preview/) against a real gateway.
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
