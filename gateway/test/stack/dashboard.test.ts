// The "TCP probes overview" dashboard asks only for metrics a real gateway exports, only of the provisioned
// Prometheus, and has the status grid, the charts and the filters the stack promises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  addLoopbackProbes, dashboardDatasourceUids, dashboardQueries, exportedMetricNames, GRID_PANEL_ID, metricNamesIn,
  pluginJsons, PROMETHEUS_UID, readJson, type ProbedGateway,
} from './stack.js';

const dashboard = readJson('provisioning', 'grafana', 'dashboards', 'probekit', 'tcp-probes-overview.json');
const queries = dashboardQueries(dashboard);
const panels: any[] = dashboard.panels;

let gw: TestGateway;
let probed: ProbedGateway;
let exported: Set<string>;
let metricsText: string;

beforeAll(async () => {
  gw = await startTestGateway();
  probed = await addLoopbackProbes(gw);
  metricsText = await (await fetch(`${gw.url}/metrics`)).text();
  exported = exportedMetricNames(metricsText);
});

afterAll(async () => {
  await gw?.dispose();
  await probed?.close();
});

describe('the TCP probes overview dashboard', () => {
  it('is the provisioned dashboard, with a stable uid', () => {
    expect(dashboard).toMatchObject({ uid: 'probekit-tcp-probes-overview', title: 'TCP probes overview' });
    expect(dashboard.id).toBeUndefined();
  });

  it('reads the gateway\'s metrics from a real /metrics (the families this test saw exported)', () => {
    for (const name of ['tcpprobe_availability', 'tcpprobe_connect_seconds', 'tcpprobe_checks_total', 'tcpprobe_info']) {
      expect(exported, name).toContain(name);
    }
  });

  it('queries only tcpprobe_* metrics that the gateway exports', () => {
    const used = new Set(queries.flatMap((q) => metricNamesIn(q.expr)));
    expect(used.size).toBeGreaterThan(5);
    for (const query of queries) {
      for (const name of metricNamesIn(query.expr)) expect(exported, `${query.panel} (${query.refId}) uses ${name}`).toContain(name);
    }
    for (const name of ['tcpprobe_availability', 'tcpprobe_connect_seconds', 'tcpprobe_checks_total']) expect(used).toContain(name);
  });

  it('uses only the provisioned Prometheus data source', () => {
    expect([...dashboardDatasourceUids(dashboard)].filter((uid) => uid !== '-- Grafana --')).toEqual([PROMETHEUS_UID]);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(PROMETHEUS_UID);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, `${panel.title} ${target.refId}`).toBe(PROMETHEUS_UID);
    }
  });

  it('filters by gateway, site, role and server, each from the labels of tcpprobe_availability', () => {
    const variables = Object.fromEntries(dashboard.templating.list.map((v: any) => [v.name, v]));
    expect(Object.keys(variables).sort()).toEqual(['gateway', 'role', 'server', 'site']);
    for (const [name, variable] of Object.entries<any>(variables)) {
      expect(variable.datasource.uid).toBe(PROMETHEUS_UID);
      expect(variable.query.query).toMatch(new RegExp(`^label_values\\(tcpprobe_availability(\\{[^}]*\\})?, ${name}\\)$`));
      expect(variable.definition).toBe(variable.query.query);
      // "All" must match probes without a site too: a regex, not the list of the values seen.
      expect(variable).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
    }
    // Every per-probe query applies every filter.
    for (const query of queries.filter((q) => !q.panel.startsWith('variable') && !/scheduler|in_flight|probes_configured/.test(q.expr))) {
      for (const name of ['gateway', 'site', 'role', 'server']) expect(query.expr, `${query.panel}: $${name}`).toContain(`${name}=~"$${name}"`);
    }
  });

  it('shows the nested status grid panel, whose id the app\'s panel plugin has once it exists', () => {
    const grid = panels.filter((p) => p.type === GRID_PANEL_ID);
    expect(grid).toHaveLength(1);
    // Availability and connect time, and what the tooltip tells: actual host and IPv4, last check, failure reason;
    // each refId names its metric, which is how the grid tells a query's series apart when PromQL drops __name__.
    expect(grid[0].targets.map((t: any) => [t.refId, metricNamesIn(t.expr)[0]])).toEqual([
      ['availability', 'tcpprobe_availability'],
      ['connect', 'tcpprobe_connect_seconds'],
      ['info', 'tcpprobe_info'],
      ['last_check', 'tcpprobe_last_check_timestamp_seconds'],
      ['checks_total', 'tcpprobe_checks_total'],
      ['cert_expiry', 'tcpprobe_tls_cert_expiry_timestamp_seconds'],
    ]);
    for (const target of grid[0].targets) expect(target, target.refId).toMatchObject({ instant: true, range: false });
    const panelPlugins = pluginJsons().filter((plugin) => plugin.type === 'panel');
    for (const plugin of panelPlugins) expect(plugin.id, plugin.path).toBe(GRID_PANEL_ID);
  });

  it('the grid\'s series carry what its down tile tells: the failure result and the actual IPv4, by probe_id', () => {
    const closed = `probe_id="${probed.probeIds.closed}"`;
    const lines = metricsText.split('\n').filter((line) => line.includes(closed));
    expect(lines.find((line) => line.startsWith('tcpprobe_availability{'))).toMatch(/ 0$/);
    expect(lines.find((line) => line.startsWith('tcpprobe_checks_total{') && line.includes('result="refused"'))).toMatch(/ [1-9]\d*$/);
    // A refused connection was resolved first: tcpprobe_info names the address it went to.
    expect(lines.find((line) => line.startsWith('tcpprobe_info{'))).toMatch(/actual_ipv4="127\.0\.0\.1"/);
    // A success series from the start: the grid's checks query gives every probe a tile, even one not checked yet.
    expect(lines.find((line) => line.startsWith('tcpprobe_checks_total{') && line.includes('result="success"'))).toBeDefined();
  });

  it('charts availability and connect time over time, and checks by result', () => {
    const charts = panels.filter((p) => p.type === 'timeseries');
    const charted = charts.flatMap((p) => p.targets.flatMap((t: any) => metricNamesIn(t.expr)));
    expect(charted).toEqual(expect.arrayContaining(['tcpprobe_availability', 'tcpprobe_connect_seconds', 'tcpprobe_checks_total']));
    expect(charts.find((p) => p.title === 'Checks by result')!.targets[0].expr).toMatch(/sum by \(result\)/);
  });

  it('lays panels out without overlaps inside the 24-column grid, with unique ids', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, a] of panels.entries()) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of panels.slice(i + 1)) {
        const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w
          && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });

  it('links to the app\'s probe servers page', () => {
    const app = pluginJsons()[0]!;
    expect(dashboard.links.map((l: any) => l.url)).toContain(`/a/${app.id}/servers`);
  });
});
