// The provisioned overview dashboard's status grid at Grafana's dashboard path (/d/<uid>): the panel as the dashboard
// JSON defines it (its own queries, options and field config) against the preview's Prometheus, variables at "All".
import { useMemo } from 'react';
import { EmbeddedScene, SceneFlexItem, SceneFlexLayout, SceneQueryRunner, SceneTimeRange, VizPanel } from '@grafana/scenes';
import dashboard from '../../provisioning/grafana/dashboards/probekit/tcp-probes-overview.json';
import gridPluginJson from '../src/panels/probe-grid/plugin.json';
import { PreviewPluginPage } from './shell';

interface DashboardPanel {
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  targets: Array<{ refId: string; expr: string; instant?: boolean; range?: boolean; format?: string }>;
  options: Record<string, unknown>;
  fieldConfig: { defaults: Record<string, unknown>; overrides: [] };
  gridPos: { h: number };
}

/** Grafana's dashboard grid: a row unit is 30 px high, with 8 px between panels. */
const GRID_ROW_PX = 30 + 8;

/** A dashboard variable at "All": every regex matcher on it matches anything. */
export function withVariablesAtAll(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (match, name: string) => (dashboard.templating.list.some((v) => v.name === name) ? '.*' : match));
}

function overviewGridScene(): EmbeddedScene {
  const panel = (dashboard.panels as unknown as DashboardPanel[]).find((candidate) => candidate.type === gridPluginJson.id);
  if (!panel) throw new Error(`the provisioned dashboard has no ${gridPluginJson.id} panel`);
  const grid = new VizPanel({
    pluginId: panel.type,
    title: panel.title,
    options: panel.options,
    fieldConfig: panel.fieldConfig,
    $data: new SceneQueryRunner({
      datasource: panel.datasource,
      queries: panel.targets.map((target) => ({ ...target, expr: withVariablesAtAll(target.expr) })),
    }),
  });
  return new EmbeddedScene({
    $timeRange: new SceneTimeRange({ from: dashboard.time?.from ?? 'now-6h', to: dashboard.time?.to ?? 'now' }),
    body: new SceneFlexLayout({ children: [new SceneFlexItem({ height: panel.gridPos.h * GRID_ROW_PX, body: grid })] }),
  });
}

export function OverviewDashboardPage() {
  const scene = useMemo(overviewGridScene, []);
  return (
    <PreviewPluginPage pageNav={{ text: dashboard.title, subTitle: 'The status grid of the provisioned dashboard, with its own queries' }}>
      <scene.Component model={scene} />
    </PreviewPluginPage>
  );
}
