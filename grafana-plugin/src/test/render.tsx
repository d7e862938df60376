// Renders plugin pages the way Grafana mounts them: the app root under /a/<plugin id>/* in a router, with the
// plugin's meta (jsonData, secureJsonFields) taken from the test Grafana's stored settings.
import type { ReactElement } from 'react';
import { render, type RenderResult } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { PluginType, type AppPluginMeta, type AppRootProps } from '@grafana/data';
import pluginJson from '../plugin.json';
import type { AppJsonData } from '../types';
import { expect } from 'vitest';
import type { FakeGrafana } from './grafanaRuntime';

/** The meta Grafana hands to the app root and to its configuration page. */
export function pluginMeta(grafana: FakeGrafana): AppPluginMeta<AppJsonData> {
  const { enabled, pinned, jsonData, secureJsonData } = grafana.settings;
  return {
    id: pluginJson.id,
    name: pluginJson.name,
    type: PluginType.app,
    module: `public/plugins/${pluginJson.id}/module.js`,
    baseUrl: `public/plugins/${pluginJson.id}`,
    info: { ...pluginJson.info, links: [], screenshots: [] } as unknown as AppPluginMeta['info'],
    enabled,
    pinned,
    jsonData: { ...jsonData },
    secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((key) => [key, true])),
  };
}

/** Shows the router's current path, so tests can see where a page navigated to. */
function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location" hidden>{location.pathname + location.search}</div>;
}

export interface RenderAppResult extends RenderResult {
  user: ReturnType<typeof userEvent.setup>;
  /** The current path, e.g. /a/probekit-tcpprobe-app/servers. */
  location(): string;
}

/**
 * Renders `App` at `path` (e.g. `/a/probekit-tcpprobe-app/servers`) as Grafana's app route does. Pass the root
 * component so this file does not depend on the pages.
 */
export function renderApp(App: (props: AppRootProps<AppJsonData>) => ReactElement, grafana: FakeGrafana, path: string): RenderAppResult {
  const meta = pluginMeta(grafana);
  const basename = `/a/${pluginJson.id}`;
  const result = render(
    <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Routes>
        <Route path={`${basename}/*`} element={<App meta={meta} basename={basename} path={path} query={{}} onNavChanged={() => {}} />} />
      </Routes>
      <LocationProbe />
    </MemoryRouter>,
  );
  return {
    ...result,
    user: userEvent.setup(),
    location: () => result.getByTestId('location').textContent ?? '',
  };
}

/**
 * The validation message shown for a form input: the role="alert" text inside the @grafana/ui Field that holds
 * the input and its label; null when the field shows none.
 */
export function fieldError(input: HTMLElement): string | null {
  let field: HTMLElement | null = input.parentElement;
  while (field && !field.querySelector('label')) field = field.parentElement;
  return field?.querySelector('[role="alert"]')?.textContent ?? null;
}

/**
 * The help texts of a form's fields, each asserted whole: none trails off, none is cut by style. Grafana's Label
 * styles apply to them (display: block), so the style checks see real styles rather than empty ones.
 */
export function expectWholeHelpTexts(form: HTMLElement): HTMLElement[] {
  const helpTexts = [...form.querySelectorAll<HTMLElement>('label > span')];
  for (const help of helpTexts) {
    expect(help.textContent).not.toMatch(/(\.\.\.|…)$/);
    const style = getComputedStyle(help);
    expect(style.display).toBe('block');
    expect(style.textOverflow).not.toBe('ellipsis');
    expect(style.whiteSpace).not.toBe('nowrap');
    expect(style.overflow).not.toBe('hidden');
  }
  return helpTexts;
}
