// Runs before every UI test file: jest-dom matchers, a PluginPage that shows what Grafana's page chrome would (title,
// subtitle, actions), and a clean DOM after each test.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

vi.mock('@grafana/runtime', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@grafana/runtime')>();
  const { TestPluginPage } = await import('./TestPluginPage');
  // Grafana installs its page chrome at boot through an internal setter; the package default renders only children.
  const runtime: Record<string, unknown> = { ...actual, PluginPage: TestPluginPage };
  // Like the real module, a name it does not export reads as undefined: libraries feature-detect newer runtime APIs
  // (e.g. @grafana/scenes asking for useDataSourceInstance), where vitest's mock would otherwise throw.
  return new Proxy(runtime, { has: (target, key) => typeof key === 'string' || key in target });
});

afterEach(() => {
  cleanup();
});
