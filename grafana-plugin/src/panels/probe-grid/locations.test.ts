// Probes run from several gateways: Prometheus frames with one series per location, through the grid's transform,
// merge, grouping, layout and paint, as the panel runs them.
import { createTheme } from '@grafana/data';
import { describe, expect, test } from 'vitest';
import { buildLayout } from './layout';
import { locationCounts, locationsText, mergeLocations, mergeProbe, probesToGroup } from './locations';
import { createPainter, stateText } from './paint';
import { instantSeriesFrames, type SeriesSample } from './testing/prometheusFrames';
import { framesToProbes, groupProbes } from './transform';
import { DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS, type Probe } from './types';

const T = Date.UTC(2026, 10, 25, 12, 0, 0);
const thresholds = DEFAULT_FIELD_CONFIG.thresholds;

const labels = (id: number, gateway: string) => ({
  gateway,
  server: 'erp-prod',
  server_id: '1',
  probe: `db-${id}`,
  probe_id: String(id),
  target: `db-${id}.corp.example:5432`,
  role: 'production',
  site: 'fra',
});

/** What one location exports for a probe: availability (none: no data), connect time, last check, failures, info. */
interface LocationSeries {
  gateway: string;
  availability?: number;
  connectSeconds?: number;
  lastCheckSecondsAgo?: number;
  failure?: string;
  actualIpv4?: string;
}

function framesOf(probes: Record<number, LocationSeries[]>) {
  const series: Record<string, SeriesSample[]> = { A: [], B: [], C: [], D: [], E: [] };
  for (const [id, locations] of Object.entries(probes)) {
    for (const location of locations) {
      const at = labels(Number(id), location.gateway);
      if (location.availability !== undefined) series.A!.push({ labels: { __name__: 'tcpprobe_availability', ...at }, value: location.availability });
      if (location.connectSeconds !== undefined) series.B!.push({ labels: { __name__: 'tcpprobe_connect_seconds', ...at }, value: location.connectSeconds });
      series.C!.push({ labels: { __name__: 'tcpprobe_info', ...at, actual_host: `db-${id}.internal`, actual_ipv4: location.actualIpv4 ?? `10.0.0.${id}` }, value: 1 });
      if (location.lastCheckSecondsAgo !== undefined) {
        series.D!.push({ labels: { __name__: 'tcpprobe_last_check_timestamp_seconds', ...at }, value: T / 1000 - location.lastCheckSecondsAgo });
      }
      if (location.failure) series.E!.push({ labels: { __name__: 'tcpprobe_checks_total', ...at, result: location.failure }, value: 2 });
    }
  }
  return Object.entries(series).flatMap(([refId, samples]) => instantSeriesFrames(refId, samples, T));
}

const up = (gateway: string, connectSeconds: number): LocationSeries => ({ gateway, availability: 1, connectSeconds, lastCheckSecondsAgo: 30 });
const down = (gateway: string, failure = 'timeout'): LocationSeries => ({ gateway, availability: 0, lastCheckSecondsAgo: 10, failure });
/** Outside its window at this location: checked before (info, last check), no availability now. */
const silent = (gateway: string): LocationSeries => ({ gateway, lastCheckSecondsAgo: 7200 });

const probesOf = (probes: Record<number, LocationSeries[]>) => {
  const byLocation = framesToProbes(framesOf(probes)).probes;
  return { byLocation, merged: mergeLocations(byLocation) };
};
const byId = (probes: readonly Probe[]) => Object.fromEntries(probes.map((probe) => [probe.probeId, probe]));

describe('a probe over its locations', () => {
  const fleet = {
    // down at 2 of 3
    1: [up('hq', 0.012), down('branch-fra', 'refused'), down('aws-eu')],
    // down everywhere
    2: [down('hq'), down('branch-fra')],
    // one location: exactly as without locations
    3: [down('hq', 'refused')],
    // down at 1 of 2 that report; no data from aws-eu
    4: [up('hq', 0.02), down('branch-fra'), silent('aws-eu')],
    // up at all that report, one silent
    5: [up('hq', 0.01), up('branch-fra', 0.3), silent('aws-eu')],
    // down at the one that reports, the other silent: down, not partial
    6: [down('hq'), silent('branch-fra')],
    // silent everywhere
    7: [silent('hq'), silent('branch-fra')],
  };
  const { byLocation, merged } = probesOf(fleet);
  const probes = byId(merged);

  test('one cell per probe_id; down at some but not all reporting locations is partial', () => {
    expect(merged.map((probe) => [probe.probeId, probe.state])).toEqual([
      ['1', 'partial'],
      ['2', 'down'],
      ['3', 'down'],
      ['4', 'partial'],
      ['5', 'up'],
      ['6', 'down'],
      ['7', 'nodata'],
    ]);
    expect(byLocation).toHaveLength(16);
    expect(locationCounts(probes['1']!.locations!)).toEqual({ down: 2, up: 1, nodata: 0, reporting: 3 });
    expect(locationCounts(probes['4']!.locations!)).toEqual({ down: 1, up: 1, nodata: 1, reporting: 2 });
  });

  test('a probe one gateway reports is the very probe framesToProbes made; without shared ids the list itself', () => {
    expect(probes['3']).toBe(byLocation.find((probe) => probe.probeId === '3'));
    expect(probes['3']!.locations).toBeUndefined();
    const single = probesOf({ 3: fleet[3], 8: [up('hq', 0.01)] });
    expect(single.merged).toBe(single.byLocation);
  });

  test('keeps each location by gateway name, with its own state, connect time and failure', () => {
    const locations = probes['1']!.locations!;
    expect(locations.map(({ gateway, state, connectSeconds, failureReason }) => ({ gateway, state, connectSeconds, failureReason }))).toEqual([
      { gateway: 'aws-eu', state: 'down', connectSeconds: null, failureReason: 'timeout' },
      { gateway: 'branch-fra', state: 'down', connectSeconds: null, failureReason: 'refused' },
      { gateway: 'hq', state: 'up', connectSeconds: 0.012, failureReason: undefined },
    ]);
    expect(probes['1']).toMatchObject({ key: '1', gateway: 'aws-eu, branch-fra, hq', name: 'db-1', server: 'erp-prod', failureReason: 'timeout', sharedId: false });
    expect(locationsText(locations)).toBe('down from aws-eu, branch-fra; up from hq');
    expect(locationsText(probes['4']!.locations!)).toBe('down from branch-fra; up from hq; no data from aws-eu');
  });

  test('its connect time is the slowest up location\'s, its last check the newest, its addresses every distinct one', () => {
    expect(probes['5']).toMatchObject({ state: 'up', connectSeconds: 0.3, lastCheckMs: T - 30_000, actualIpv4: '10.0.0.5' });
    const apart = byId(probesOf({ 9: [up('hq', 0.01), { ...up('aws-eu', 0.08), actualIpv4: '52.0.0.9' }] }).merged);
    expect(apart['9']).toMatchObject({ actualIpv4: '52.0.0.9, 10.0.0.9', connectSeconds: 0.08 });
    // Silent everywhere: no data, for the reason its series tell.
    expect(probes['7']).toMatchObject({ state: 'nodata', noDataReason: 'outsideWindow', lastCheckMs: T - 7_200_000 });
  });

  test('has the same properties in the same order as a one-location probe (one hidden class for the renderer)', () => {
    expect(new Set(merged.map((probe) => Object.keys(probe).join()))).toEqual(new Set([Object.keys(probes['3']!).join()]));
  });

  test('in words: "down at 2 of 3", of the locations that report, and which have no data', () => {
    expect(stateText(probes['1']!)).toBe('down at 2 of 3');
    expect(stateText(probes['4']!)).toBe('down at 1 of 2 (no data from aws-eu)');
    expect(stateText(probes['5']!)).toBe('up (no data from aws-eu)');
    expect(stateText(probes['6']!)).toBe('down (no data from branch-fra)');
    expect(stateText(probes['2']!)).toBe('down');
    expect(stateText(probes['3']!)).toBe('down');
  });

  test('painted in the partly-down colour, "down at 2 of 3" on the tile and in its label with the locations', () => {
    const theme = createTheme();
    const paint = createPainter(theme, DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS);
    const tiles = Object.fromEntries(groupProbes(merged, { groupBy: 'none', sortBy: 'state', thresholds })[0]!.tiles.map((tile) => [tile.probe.probeId, tile]));
    const partial = paint(tiles['1']!);
    expect(partial.background).toBe(theme.visualization.getColorByName('purple'));
    expect(partial.background).not.toBe(paint(tiles['2']!).background);
    expect(partial.valueText).toBe('down at 2 of 3');
    expect(partial.ariaLabel).toBe('db-1, down at 2 of 3, timeout, down from aws-eu, branch-fra; up from hq, server erp-prod');
    expect(paint(tiles['4']!).valueText).toBe('down at 1 of 2');
    expect(paint(tiles['2']!)).toMatchObject({ background: theme.visualization.getColorByName('red'), valueText: 'timeout' });
    // Up everywhere it reports: coloured and labelled by the slowest path.
    expect(paint(tiles['5']!)).toMatchObject({ background: theme.visualization.getColorByName('yellow'), valueText: '300 ms' });
    expect(paint(tiles['5']!).ariaLabel).toMatch(/^db-5, up \(no data from aws-eu\), slowest connect time 300 ms \(warning\), up from branch-fra, hq; no data from aws-eu,/);
    // One location: the label of today.
    expect(paint(tiles['3']!).ariaLabel).toBe('db-3, down, refused, server erp-prod');
  });

  test('sorted by state, partly down comes right after down; "only problems" keeps it; groups with it come before quiet ones', () => {
    const [all] = groupProbes(merged, { groupBy: 'none', sortBy: 'state', thresholds });
    expect(all!.tiles.map((tile) => [tile.probe.name, tile.probe.state])).toEqual([
      ['db-2', 'down'],
      ['db-3', 'down'],
      ['db-6', 'down'],
      ['db-1', 'partial'],
      ['db-4', 'partial'],
      ['db-5', 'up'],
      ['db-7', 'nodata'],
    ]);
    expect(all!.counts).toEqual({ up: 1, down: 3, partial: 2, nodata: 1 });

    const [problems] = groupProbes(merged, { groupBy: 'none', sortBy: 'state', thresholds, problemsOnly: true });
    // db-5 is up but slow at one location: a problem too.
    expect(problems!.tiles.map((tile) => tile.probe.name)).toEqual(['db-2', 'db-3', 'db-6', 'db-1', 'db-4', 'db-5']);

    const withServers = [
      ...merged.filter((probe) => probe.probeId === '1').map((probe) => ({ ...probe, server: 'b-partial' })),
      ...merged.filter((probe) => probe.probeId === '5').map((probe) => ({ ...probe, server: 'a-slow' })),
    ];
    expect(groupProbes(withServers, { groupBy: 'server', sortBy: 'state', thresholds }).map((group) => group.key)).toEqual(['b-partial', 'a-slow']);
  });

  test('grouped by gateway, a probe is in each of its gateways\' groups with that location\'s state', () => {
    const groups = groupProbes(probesToGroup('gateway', byLocation, merged), { groupBy: 'gateway', sortBy: 'name', thresholds });
    const db1 = groups.map((group) => [group.key, group.tiles.find((tile) => tile.probe.probeId === '1')?.probe.state]);
    expect(db1).toEqual([
      ['aws-eu', 'down'],
      ['branch-fra', 'down'],
      ['hq', 'up'],
    ]);
    expect(groups.flatMap((group) => group.tiles).some((tile) => tile.probe.state === 'partial')).toBe(false);
    expect(groups.find((group) => group.key === 'aws-eu')!.counts).toEqual({ up: 0, down: 1, partial: 0, nodata: 2 });
    // Grouped otherwise, one cell per probe.
    expect(probesToGroup('server', byLocation, merged)).toBe(merged);
  });

  test('the layout places one partial tile per probe, or one tile per location when grouped by gateway', () => {
    const cell = { width: 100, height: 40 };
    const merged3 = buildLayout(groupProbes(merged, { groupBy: 'server', sortBy: 'state', thresholds }), 1000, cell);
    expect(merged3.tiles).toHaveLength(7);
    expect(merged3.indexOf('1')).toBe(3);
    const perLocation = buildLayout(groupProbes(byLocation, { groupBy: 'gateway', sortBy: 'state', thresholds }), 1000, cell);
    expect(perLocation.tiles).toHaveLength(16);
    expect(['aws-eu\u00001', 'branch-fra\u00001', 'hq\u00001'].map((key) => perLocation.indexOf(key) !== undefined)).toEqual([true, true, true]);
    expect(perLocation.indexOf('1')).toBeUndefined();
  });

  test('mergeProbe orders locations by gateway name whatever order the series came in', () => {
    const reversed = mergeProbe([...probes['1']!.locations!].reverse());
    expect(reversed.locations!.map((location) => location.gateway)).toEqual(['aws-eu', 'branch-fra', 'hq']);
    expect(reversed).toEqual(probes['1']);
  });
});

test("a TLS probe over several locations expires when the soonest location's certificate does", () => {
  const frames = instantSeriesFrames(
    'cert_expiry',
    [
      { labels: labels(7, 'hq'), value: (T + 30 * 86_400_000) / 1000 },
      { labels: labels(7, 'aws-eu'), value: (T + 3 * 86_400_000) / 1000 },
    ],
    T,
  );
  const [merged] = mergeLocations(framesToProbes(frames).probes);
  expect(merged!.certExpiresAtMs).toBe(T + 3 * 86_400_000);
  expect(merged!.locations!.map((location) => [location.gateway, location.certExpiresAtMs])).toEqual([
    ['aws-eu', T + 3 * 86_400_000],
    ['hq', T + 30 * 86_400_000],
  ]);
});
