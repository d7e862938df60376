// Grafana's page chrome for tests: the parts of PluginPage a user reads and clicks (title, subtitle, actions).
import type { PluginPageProps } from '@grafana/runtime';

export function TestPluginPage({ pageNav, subTitle, actions, children }: PluginPageProps) {
  return (
    <div data-testid="plugin-page">
      <header>
        {pageNav && <h1>{pageNav.text}</h1>}
        {subTitle && <div>{subTitle}</div>}
        {actions && <div data-testid="page-actions">{actions}</div>}
      </header>
      <main>{children}</main>
    </div>
  );
}
