// The provisioned "TCP probes overview" dashboard's grid, fed what its own queries return: the series a gateway
// exports, in the shape each query gives them (a bare selector keeps __name__, an expression drops it) and in the
// query's format, through the grid's transform.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SUMMARY_HEIGHT } from './components/styles';
import { buildLayout, TILE_SIZES } from './layout';
import { generateFleet } from './testing/fleet';
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

const byName = (probes: Probe[]) => Object.fromEntries(probes.map((probe) => [probe.name, probe]));

describe('the provisioned dashboard\'s probe grid', () => {
  test('asks for availability, connect time, info, last check and checks by result, as instant queries', () => {
    expect(targets.map(({ expr }) => metricOf(expr))).toEqual([
      'tcpprobe_availability',
      'tcpprobe_connect_seconds',
      'tcpprobe_info',
      'tcpprobe_last_check_timestamp_seconds',
      'tcpprobe_checks_total',
    ]);
    expect(targets.every((target) => target.instant)).toBe(true);
  });

  test('a down tile gets its failure reason and actual IPv4 and host from the dashboard\'s own queries', () => {
    const probes = byName(framesToProbes(framesOf(exported())).probes);
    expect(probes['db-2']).toMatchObject({ state: 'down', failureReason: 'refused', actualIpv4: '10.1.2.2', actualHost: 'db-2.internal' });
    expect(probes['db-1']).toMatchObject({ state: 'up', connectSeconds: 0.012, actualIpv4: '10.1.2.1', failureReason: undefined, lastCheckMs: T - 20_000 });
  });

  test('a no-data tile says why: outside its window when checked before, not checked yet when never', () => {
    const probes = byName(framesToProbes(framesOf(exported())).probes);
    expect(probes['mq-3']).toMatchObject({ state: 'nodata', noDataReason: 'outsideWindow', actualIpv4: '10.1.2.3' });
    expect(probes['mq-4']).toMatchObject({ state: 'nodata', noDataReason: 'notCheckedYet' });
  });

  test('at 600 probes its first screen holds four groups, those with probes down first; "Only problems" shows every probe down', () => {
    const fleet = generateFleet({ probes: 600, seed: 1 });
    const series: Series = {
      tcpprobe_availability: fleet.availability,
      tcpprobe_connect_seconds: fleet.connect,
      tcpprobe_info: fleet.info,
      tcpprobe_last_check_timestamp_seconds: fleet.lastCheck,
      tcpprobe_checks_total: fleet.checks,
    };
    const { probes } = framesToProbes(framesOf(series));
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
