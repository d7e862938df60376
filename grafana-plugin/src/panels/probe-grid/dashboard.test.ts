// The provisioned "TCP probes overview" dashboard's grid, fed what its own queries return: the series a gateway
// exports, in the shape each query gives them (a bare selector keeps __name__, an expression drops it) and in the
// query's format, through the grid's transform; and its per-location view through Grafana's own transformations.
import {
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
  type DataFrame,
  type DataTransformerConfig,
  type DataTransformerInfo,
  type TransformerRegistryItem,
} from '@grafana/data';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { SUMMARY_HEIGHT } from './components/styles';
import { buildLayout, TILE_SIZES } from './layout';
import { mergeLocations, probesToGroup } from './locations';
import { generateFleet, type FleetSeries } from './testing/fleet';
import { instantSeriesFrames, instantTableFrame, type SeriesSample } from './testing/prometheusFrames';
import { framesToProbes, groupProbes } from './transform';
import { DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS, type Probe, type ProbeGridOptions } from './types';

const T = Date.UTC(2026, 10, 25, 12, 0, 0);
const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../provisioning/grafana/dashboards/probekit/tcp-probes-overview.json'), 'utf8'));
const grid = dashboard.panels.find((panel: { type: string }) => panel.type === 'probekit-probegrid-panel');
const targets: Array<{ refId: string; expr: string; format?: string; instant?: boolean }> = grid.targets;

type Series = Record<string, SeriesSample[]>;

const probeLabels = (id: number, name: string) => ({
  gateway: 'hq',
  server: 'erp-prod',
  server_id: '1',
  probe: name,
  probe_id: String(id),
  target: `${name}.corp.example:5432`,
  role: 'production',
  site: 'fra',
});

/**
 * What a gateway exports (probe-metrics.ts): availability and connect time only inside the window and after a check;
 * last check and info once checked; checks_total{result="success"} from the moment it knows the probe.
 */
function exported(): Series {
  const series: Series = {};
  const add = (name: string, id: number, probe: string, value: number, extra: Record<string, string> = {}) =>
    (series[name] ??= []).push({ labels: { __name__: name, ...probeLabels(id, probe), ...extra }, value });
  // db-1 up; db-2 down, refused at its latest checks after timeouts earlier in the hour.
  for (const [id, name, up] of [[1, 'db-1', true], [2, 'db-2', false]] as const) {
    add('tcpprobe_availability', id, name, up ? 1 : 0);
    add('tcpprobe_last_check_timestamp_seconds', id, name, T / 1000 - 20);
    add('tcpprobe_info', id, name, 1, { actual_host: `${name}.internal`, actual_ipv4: `10.1.2.${id}` });
    add('tcpprobe_checks_total', id, name, up ? 120 : 80, { result: 'success' });
  }
  add('tcpprobe_connect_seconds', 1, 'db-1', 0.012);
  // db-1 speaks TLS: its certificate expires in 20 days.
  add('tcpprobe_tls_cert_expiry_timestamp_seconds', 1, 'db-1', T / 1000 + 20 * 86_400);
  add('tcpprobe_checks_total', 2, 'db-2', 9, { result: 'refused' });
  add('tcpprobe_checks_total', 2, 'db-2', 2, { result: 'timeout' });
  // mq-3: outside its window, checked before.
  add('tcpprobe_last_check_timestamp_seconds', 3, 'mq-3', T / 1000 - 7200);
  add('tcpprobe_info', 3, 'mq-3', 1, { actual_host: 'mq-3.internal', actual_ipv4: '10.1.2.3' });
  add('tcpprobe_checks_total', 3, 'mq-3', 0, { result: 'success' });
  // mq-4: created, not checked yet.
  add('tcpprobe_checks_total', 4, 'mq-4', 0, { result: 'success' });
  return series;
}

const metricOf = (expr: string) => /\btcpprobe_[a-z_]+/.exec(expr)![0];
/** A bare selector returns the series as they are; any function or operator drops the metric name. */
const keepsName = (expr: string) => /^tcpprobe_[a-z_]+\{[^}]*\}$/.test(expr);

/** The frames Grafana's Prometheus data source hands the grid for the dashboard's targets. */
function framesOf(series: Series) {
  return targets.flatMap(({ refId, expr, format }) => {
    const samples = (series[metricOf(expr)] ?? []).map(({ labels: { __name__, ...labels }, value }) => ({
      labels: keepsName(expr) ? { __name__: __name__!, ...labels } : labels,
      value,
    }));
    // Several queries in table format: each its own frame, the value named `Value #<refId>`.
    return format === 'table' ? [instantTableFrame(refId, samples, T, `Value #${refId}`)] : instantSeriesFrames(refId, samples, T);
  });
}

/** Grafana's dashboard grid: 30 px a row, 8 px between rows; a panel's header takes 32 px and its padding 2 × 8. */
const panelContentHeight = (gridRows: number) => gridRows * 30 + (gridRows - 1) * 8 - 32 - 16;

const byName = (probes: readonly Probe[]) => Object.fromEntries(probes.map((probe) => [probe.name, probe]));

const seriesOfFleet = (fleet: FleetSeries): Series => ({
  tcpprobe_availability: fleet.availability,
  tcpprobe_connect_seconds: fleet.connect,
  tcpprobe_info: fleet.info,
  tcpprobe_last_check_timestamp_seconds: fleet.lastCheck,
  tcpprobe_checks_total: fleet.checks,
});

describe('the provisioned dashboard\'s probe grid', () => {
  test('asks for availability, connect time, info, last check, checks by result and certificate expiry, as instant queries', () => {
    expect(targets.map(({ expr }) => metricOf(expr))).toEqual([
      'tcpprobe_availability',
      'tcpprobe_connect_seconds',
      'tcpprobe_info',
      'tcpprobe_last_check_timestamp_seconds',
      'tcpprobe_checks_total',
      'tcpprobe_tls_cert_expiry_timestamp_seconds',
    ]);
    expect(targets.every((target) => target.instant)).toBe(true);
  });

  test('a down tile gets its failure reason and actual IPv4 and host from the dashboard\'s own queries', () => {
    const probes = byName(framesToProbes(framesOf(exported())).probes);
    expect(probes['db-2']).toMatchObject({ state: 'down', failureReason: 'refused', actualIpv4: '10.1.2.2', actualHost: 'db-2.internal' });
    expect(probes['db-1']).toMatchObject({ state: 'up', connectSeconds: 0.012, actualIpv4: '10.1.2.1', failureReason: undefined, lastCheckMs: T - 20_000 });
  });

  test("a TLS probe's tile gets its certificate expiry from the dashboard's own query; a plain one none", () => {
    const probes = byName(framesToProbes(framesOf(exported())).probes);
    expect(probes['db-1']!.certExpiresAtMs).toBe(T + 20 * 86_400_000);
    expect(probes['db-2']!.certExpiresAtMs).toBeUndefined();
  });

  test('a no-data tile says why: outside its window when checked before, not checked yet when never', () => {
    const probes = byName(framesToProbes(framesOf(exported())).probes);
    expect(probes['mq-3']).toMatchObject({ state: 'nodata', noDataReason: 'outsideWindow', actualIpv4: '10.1.2.3' });
    expect(probes['mq-4']).toMatchObject({ state: 'nodata', noDataReason: 'notCheckedYet' });
  });

  test('at 600 probes its first screen holds four groups, those with probes down first; "Only problems" shows every probe down', () => {
    const { probes } = framesToProbes(framesOf(seriesOfFleet(generateFleet({ probes: 600, seed: 1 }))));
    const options: ProbeGridOptions = { ...DEFAULT_OPTIONS, ...grid.options };
    const viewportHeight = panelContentHeight(grid.gridPos.h) - SUMMARY_HEIGHT;
    /** What the first screen shows: the groups wholly in view and the tiles of its rows. */
    const firstScreen = (problemsOnly: boolean) => {
      const groups = groupProbes(probes, { ...options, problemsOnly, thresholds: DEFAULT_FIELD_CONFIG.thresholds });
      // A full-width panel on a 1920 px screen, less the dashboard's margins, the panel's padding and the scrollbar room.
      const layout = buildLayout(groups, 1880 - 16 - 16, TILE_SIZES[options.tileSize]);
      const rows = layout.rows.filter((row) => row.top + row.height <= viewportHeight);
      const firstCut = layout.rows.find((row) => row.top + row.height > viewportHeight)?.group ?? groups.length;
      return {
        groups: groups.slice(0, firstCut),
        tiles: rows.flatMap((row) => (row.kind === 'tiles' ? layout.tiles.slice(row.start, row.end) : [])),
      };
    };
    const down = probes.filter((probe) => probe.state === 'down');
    const downGroups = new Set(down.map((probe) => probe.server));
    expect(downGroups.size).toBeGreaterThan(4);

    const all = firstScreen(false);
    expect(all.groups.length).toBeGreaterThanOrEqual(4);
    expect(all.groups.every((group) => group.counts.down > 0)).toBe(true);
    expect(all.groups.every((group) => group.tiles[0]!.probe.state === 'down')).toBe(true);

    const problems = firstScreen(true);
    expect(problems.tiles.filter((tile) => tile.probe.state === 'down')).toHaveLength(down.length);
    expect(problems.tiles.every((tile) => tile.probe.state === 'down' || tile.level !== 'ok' || tile.probe.failureReason)).toBe(true);
  });
});

describe('the provisioned dashboard at several locations', () => {
  const variables = Object.fromEntries(dashboard.templating.list.map((variable: { name: string }) => [variable.name, variable]));

  test('has a location variable: the gateways of tcpprobe_availability, several or all, a regex for "All"', () => {
    expect(variables.gateway).toMatchObject({
      label: 'Location',
      type: 'query',
      multi: true,
      includeAll: true,
      allValue: '.*',
      definition: 'label_values(tcpprobe_availability, gateway)',
      query: { query: 'label_values(tcpprobe_availability, gateway)' },
    });
    // The other filters offer the values of the locations chosen.
    for (const name of ['site', 'role', 'server']) expect(variables[name].definition, name).toContain('gateway=~"$gateway"');
  });

  test('every query of the grid, the stats and the per-location view applies it; the grid\'s keep each location\'s series', () => {
    const perProbe = dashboard.panels.filter((panel: { targets?: unknown[]; title: string }) => panel.targets && !/scheduler|configured/i.test(panel.title));
    expect(perProbe.length).toBeGreaterThan(8);
    for (const panel of perProbe) {
      for (const target of panel.targets) expect(target.expr, `${panel.title} ${target.refId}`).toContain('gateway=~"$gateway"');
    }
    // No aggregation: the grid merges a probe's locations itself, and needs each location's series to.
    for (const { refId, expr } of targets) expect(expr, refId).not.toMatch(/\b(sum|avg|max|min|count)\b|\bby\s*\(/);
  });

  test('a fleet run from three gateways, through the grid\'s own queries: one cell per probe, some partly down, after those down', () => {
    const fleet = generateFleet({ probes: 240, seed: 5, locations: 3, partialRatio: 0.1 });
    const byLocation = framesToProbes(framesOf(seriesOfFleet(fleet))).probes;
    const probes = mergeLocations(byLocation);
    expect(probes).toHaveLength(240);
    expect(byLocation).toHaveLength(720);
    const partial = probes.filter((probe) => probe.state === 'partial');
    expect(partial.length).toBeGreaterThan(5);
    for (const probe of partial) {
      expect(probe.locations).toHaveLength(3);
      expect(probe.locations!.some((location) => location.state === 'down') && probe.locations!.some((location) => location.state === 'up')).toBe(true);
    }

    const options: ProbeGridOptions = { ...DEFAULT_OPTIONS, ...grid.options };
    const [first] = groupProbes(probes, { ...options, groupBy: 'none', thresholds: DEFAULT_FIELD_CONFIG.thresholds });
    const states = first!.tiles.map((tile) => tile.probe.state);
    expect(states.indexOf('partial')).toBe(states.lastIndexOf('down') + 1);

    // Grouped by gateway: each location's tile in its gateway's group, none partial.
    const byGateway = groupProbes(probesToGroup('gateway', byLocation, probes), { ...options, groupBy: 'gateway', thresholds: DEFAULT_FIELD_CONFIG.thresholds });
    expect(byGateway.map((group) => group.key).sort()).toEqual(['branch-fra', 'branch-nyc', 'hq']);
    expect(byGateway.reduce((sum, group) => sum + group.tiles.length, 0)).toBe(720);
    expect(byGateway.some((group) => group.counts.partial > 0)).toBe(false);
  });

  describe('its per-location view', () => {
    let registry: { mockRestore(): void } | undefined;
    beforeAll(() => {
      // Grafana registers its transformations at boot; here the real ones, looked up by id.
      const byId = new Map(Object.values(standardTransformers).map((info: DataTransformerInfo) => [info.id, info]));
      registry = vi
        .spyOn(standardTransformersRegistry, 'get')
        .mockImplementation((id: string) => ({ id, name: id, transformation: byId.get(id)! }) as unknown as TransformerRegistryItem);
    });
    afterAll(() => {
      registry?.mockRestore();
    });

    const panel = (title: string) => dashboard.panels.find((candidate: { title: string }) => candidate.title === title);

    test('charts availability and connect time with a series per location', () => {
      for (const title of ['Availability by location', 'Connect time by location']) {
        const chart = panel(title);
        expect(chart.type, title).toBe('timeseries');
        expect(chart.targets[0].expr, title).toMatch(/^avg by \(gateway\) \(/);
        expect(chart.targets[0].legendFormat, title).toBe('{{gateway}}');
      }
    });

    test('tabulates each probe at each location: now, availability over the range and connect time, from Grafana\'s merge', async () => {
      const table = panel('Probes by location');
      const by = ['gateway', 'server', 'probe', 'probe_id'];
      for (const target of table.targets) {
        expect(target, target.refId).toMatchObject({ instant: true, format: 'table' });
        expect(target.expr, target.refId).toContain(`by (${by.join(', ')})`);
      }
      // What Prometheus answers for `... by (gateway, server, probe, probe_id) (...)`: those labels only.
      const fleet = generateFleet({ probes: 4, seed: 2, locations: 2, partialRatio: 0.5, noDataRatio: 0, downRatio: 0 });
      const answer = (samples: SeriesSample[], scale = 1) =>
        samples.map(({ labels, value }) => ({ labels: Object.fromEntries(by.map((label) => [label, labels[label]!])), value: value === null ? null : value * scale }));
      const results: Record<string, SeriesSample[]> = { A: answer(fleet.availability), B: answer(fleet.availability, 100), C: answer(fleet.connect) };
      const frames: DataFrame[] = table.targets.map(({ refId }: { refId: string }) => instantTableFrame(refId, results[refId]!, T, `Value #${refId}`));

      const [merged] = await firstValueFrom(transformDataFrame(table.transformations as DataTransformerConfig[], frames));
      expect(merged!.fields.map((field) => field.config.displayName ?? field.name)).toEqual(['server', 'probe', 'Location', 'Now', 'Availability', 'Connect time']);
      const rows = Array.from({ length: merged!.length }, (_, row) => merged!.fields.map((field) => field.values[row]));
      expect(rows).toHaveLength(8);
      const db = (gateway: string, id: number) => rows.find((row) => row[2] === gateway && row[1] === fleet.availability.find((s) => s.labels.probe_id === String(id))!.labels.probe);
      for (const { labels, value } of fleet.availability) {
        const row = db(labels.gateway!, Number(labels.probe_id))!;
        const connect = fleet.connect.find((sample) => sample.labels.probe_id === labels.probe_id && sample.labels.gateway === labels.gateway)?.value;
        expect(row, `${labels.probe} at ${labels.gateway}`).toEqual([labels.server, labels.probe, labels.gateway, value, value! * 100, connect]);
      }
      // The fleet has a probe down at one of its two locations: the table tells which.
      expect(rows.filter((row) => row[3] === 0).length).toBeGreaterThan(0);
      expect(rows.filter((row) => row[3] === 1).length).toBeGreaterThan(0);
    });
  });
});

/** Debian's promtool: `promtool test rules` evaluates PromQL with Prometheus' own engine over series a test gives. */
const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

describe('the provisioned dashboard\'s stats, evaluated by Prometheus\' engine over three locations', () => {
  const stat = (title: string): string => dashboard.panels.find((panel: { title: string }) => panel.title === title).targets[0].expr;
  /** What Grafana sends for the filters: a multi-value variable as a regex alternation, "All" as its allValue. */
  const withFilters = (expr: string, gateway: string) =>
    expr.replaceAll('$gateway', gateway).replaceAll('$site', '.*').replaceAll('$role', '.*').replaceAll('$server', '.*').replaceAll('$__range', '5m');

  /**
   * db-1 down from branch-fra and aws-eu, up from hq; db-2 down everywhere; db-3 up everywhere; db-4 down from hq,
   * no series elsewhere (outside its window there); db-5 up from hq only.
   */
  const availability: Array<[number, string, 0 | 1]> = [
    [1, 'hq', 1], [1, 'branch-fra', 0], [1, 'aws-eu', 0],
    [2, 'hq', 0], [2, 'branch-fra', 0], [2, 'aws-eu', 0],
    [3, 'hq', 1], [3, 'branch-fra', 1], [3, 'aws-eu', 1],
    [4, 'hq', 0],
    [5, 'hq', 1],
  ];

  /** Each expression's value at 5m, as `promtool test rules` checks it: it fails (naming the expression) otherwise. */
  function expectValues(expected: Array<{ expr: string; value: number }>) {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: this test runs the real promtool. Install it with: apt-get install -y prometheus`);
    const dir = mkdtempSync(join(tmpdir(), 'probekit-dashboard-'));
    try {
      // JSON is YAML: the test file needs no YAML writer.
      const input_series = availability.map(([id, gateway, value]) => ({
        series: `tcpprobe_availability{gateway="${gateway}",server="erp-prod",server_id="1",probe="db-${id}",probe_id="${id}",target="db-${id}:5432",role="production",site="fra"}`,
        values: `${value}x10`,
      }));
      const tests = { rule_files: [], evaluation_interval: '1m', tests: [{ interval: '1m', input_series, promql_expr_test: expected.map(({ expr, value }) => ({ expr, eval_time: '5m', exp_samples: [{ labels: '{}', value }] })) }] };
      writeFileSync(join(dir, 'stats.test.yml'), JSON.stringify(tests));
      execFileSync(PROMTOOL, ['test', 'rules', join(dir, 'stats.test.yml')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`promtool: ${stdout ?? ''}${stderr ?? ''}` || String(error));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('all locations: up and down where every reporting location agrees, partly down where they differ', () => {
    expectValues([
      { expr: withFilters(stat('Probes up'), '.*'), value: 2 },
      { expr: withFilters(stat('Probes down'), '.*'), value: 2 },
      { expr: withFilters(stat('Probes partly down'), '.*'), value: 1 },
    ]);
  });

  test('the location filter narrows every stat to the locations chosen', () => {
    expectValues([
      // hq alone: db-1 is up from there.
      { expr: withFilters(stat('Probes up'), 'hq'), value: 3 },
      { expr: withFilters(stat('Probes down'), 'hq'), value: 2 },
      { expr: withFilters(stat('Probes partly down'), 'hq'), value: 0 },
      // hq and branch-fra, as Grafana sends two values.
      { expr: withFilters(stat('Probes partly down'), '(hq|branch-fra)'), value: 1 },
    ]);
  });
});
