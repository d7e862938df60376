import { createDataFrame, FieldType, ThresholdsMode, toDataFrame, type DataFrame, type ThresholdsConfig } from '@grafana/data';
import { describe, expect, test } from 'vitest';
import { instantSeriesFrames, instantTableFrame, type SeriesSample } from './testing/prometheusFrames';
import { connectLevel, framesToProbes, groupProbes, metricKindOf, naturalCompare, stateOf } from './transform';
import { DEFAULT_FIELD_CONFIG, type Probe } from './types';

const T = Date.UTC(2026, 10, 25, 12, 0, 0);

function labels(id: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    gateway: 'hq',
    server: id <= 2 ? 'erp-prod' : 'mq-qa',
    server_id: id <= 2 ? '1' : '2',
    probe: `probe-${id}`,
    probe_id: String(id),
    target: `host-${id}.corp.example:443`,
    role: id <= 2 ? 'production' : 'quality',
    site: id <= 2 ? 'fra' : 'ams',
    ...extra,
  };
}

const metric = (name: string, id: number, value: number | null, extra: Record<string, string> = {}): SeriesSample => ({
  labels: { __name__: name, ...labels(id, extra) },
  value,
});

/** Three probes: 1 up and fast, 2 down, 3 outside its window (connect time left from its last success, no availability). */
const availability = [metric('tcpprobe_availability', 1, 1), metric('tcpprobe_availability', 2, 0)];
const connect = [metric('tcpprobe_connect_seconds', 1, 0.0123), metric('tcpprobe_connect_seconds', 2, 0.5), metric('tcpprobe_connect_seconds', 3, 0.02)];

const byId = (probes: Probe[]) => Object.fromEntries(probes.map((probe) => [probe.probeId, probe]));

describe('framesToProbes', () => {
  test('joins one-frame-per-series instant results on probe_id, with the labels on the value field', () => {
    const frames = [...instantSeriesFrames('A', availability, T), ...instantSeriesFrames('B', connect, T)];
    expect(frames).toHaveLength(5);
    expect(frames[0]!.fields.map((field) => field.name)).toEqual(['Time', 'Value']);

    const { probes, seriesWithoutProbeId } = framesToProbes(frames);
    expect(seriesWithoutProbeId).toBe(0);
    expect(probes).toHaveLength(3);
    expect(byId(probes)['1']).toEqual({
      key: 'hq\u00001',
      probeId: '1',
      name: 'probe-1',
      gateway: 'hq',
      server: 'erp-prod',
      serverId: '1',
      site: 'fra',
      role: 'production',
      target: 'host-1.corp.example:443',
      state: 'up',
      connectSeconds: 0.0123,
      sharedId: false,
    });
    expect(byId(probes)['2']).toMatchObject({ state: 'down', connectSeconds: 0.5 });
  });

  test('a probe with a connect time but no availability sample (outside its window) has no data, not down', () => {
    const { probes } = framesToProbes([...instantSeriesFrames('A', availability, T), ...instantSeriesFrames('B', connect, T)]);
    expect(byId(probes)['3']).toMatchObject({ state: 'nodata', connectSeconds: 0.02, server: 'mq-qa' });
  });

  test('reads the table format: one frame per query with label columns, Value or Value #refId', () => {
    const single = framesToProbes([instantTableFrame('A', availability, T), instantTableFrame('B', connect, T)]);
    const several = framesToProbes([instantTableFrame('A', availability, T, 'Value #A'), instantTableFrame('B', connect, T, 'Value #B')]);
    const series = framesToProbes([...instantSeriesFrames('A', availability, T), ...instantSeriesFrames('B', connect, T)]);
    expect(single.probes).toEqual(series.probes);
    expect(several.probes).toEqual(series.probes);
  });

  test('reads a table whose label columns Organize fields turned into numbers, and a joined table with both values on a row', () => {
    // "Join by labels" on probe_id: each row carries both queries' values, named after their refIds.
    const joined = createDataFrame({
      refId: 'A',
      fields: [
        { name: 'probe_id', type: FieldType.number, values: [1, 2] },
        { name: 'probe', type: FieldType.string, values: ['probe-1', 'probe-2'] },
        { name: 'gateway', type: FieldType.string, values: ['hq', 'hq'] },
        { name: 'Value #availability', type: FieldType.number, values: [1, 0] },
        { name: 'Value #connect', type: FieldType.number, values: [0.01, null] },
      ],
    });
    const { probes } = framesToProbes([joined]);
    expect(probes.map(({ probeId, state, connectSeconds }) => ({ probeId, state, connectSeconds }))).toEqual([
      { probeId: '1', state: 'up', connectSeconds: 0.01 },
      { probeId: '2', state: 'down', connectSeconds: null },
    ]);
  });

  test('NaN, ±Inf and null samples are no sample: availability NaN is no data, a NaN connect time is none', () => {
    const frames = [
      ...instantSeriesFrames('A', [metric('tcpprobe_availability', 1, Number.NaN), metric('tcpprobe_availability', 2, null), metric('tcpprobe_availability', 3, 1)], T),
      ...instantSeriesFrames('B', [metric('tcpprobe_connect_seconds', 3, Number.POSITIVE_INFINITY), metric('tcpprobe_connect_seconds', 1, Number.NaN)], T),
    ];
    // The JSON decoding restores the entities, as Grafana's frontend does.
    expect(frames[0]!.fields[1]!.values[0]).toBeNaN();
    expect(frames[3]!.fields[1]!.values[0]).toBe(Number.POSITIVE_INFINITY);

    const probes = byId(framesToProbes(frames).probes);
    expect(probes['1']).toMatchObject({ state: 'nodata', connectSeconds: null });
    expect(probes['2']).toMatchObject({ state: 'nodata' });
    expect(probes['3']).toMatchObject({ state: 'up', connectSeconds: null });

    const table = byId(framesToProbes([instantTableFrame('A', [metric('tcpprobe_availability', 1, Number.NaN)], T)]).probes);
    expect(table['1']!.state).toBe('nodata');
  });

  test('a finite availability wins over a NaN one for the same probe from another query', () => {
    const frames = [
      ...instantSeriesFrames('A', [metric('tcpprobe_availability', 1, 0)], T),
      ...instantSeriesFrames('B', [metric('tcpprobe_availability', 1, Number.NaN)], T),
    ];
    expect(framesToProbes(frames).probes).toMatchObject([{ probeId: '1', state: 'down' }]);
  });

  test('the same probe_id from gateways A and B is a probe per location, each marked as sharing its id', () => {
    const frames = instantSeriesFrames(
      'A',
      [metric('tcpprobe_availability', 7, 1, { gateway: 'A' }), metric('tcpprobe_availability', 7, 0, { gateway: 'B' }), metric('tcpprobe_availability', 8, 1, { gateway: 'A' })],
      T,
    );
    const { probes } = framesToProbes(frames);
    expect(probes.map(({ key, gateway, state, sharedId }) => ({ key, gateway, state, sharedId }))).toEqual([
      { key: 'A\u00007', gateway: 'A', state: 'up', sharedId: true },
      { key: 'B\u00007', gateway: 'B', state: 'down', sharedId: true },
      { key: 'A\u00008', gateway: 'A', state: 'up', sharedId: false },
    ]);
  });

  test('three gateways with one probe_id, their series interleaved across queries, stay three locations with their own samples', () => {
    const at = (gateway: string) => ({ gateway });
    const frames = [
      ...instantSeriesFrames('A', [metric('tcpprobe_availability', 7, 1, at('C')), metric('tcpprobe_availability', 7, 0, at('A'))], T),
      ...instantSeriesFrames(
        'B',
        [metric('tcpprobe_connect_seconds', 7, 0.03, at('B')), metric('tcpprobe_connect_seconds', 7, 0.01, at('C')), metric('tcpprobe_connect_seconds', 7, 0.02, at('A'))],
        T,
      ),
      ...instantSeriesFrames('A', [metric('tcpprobe_availability', 7, 1, at('B'))], T),
    ];
    const { probes } = framesToProbes(frames);
    expect(probes.map(({ gateway, state, connectSeconds, sharedId }) => ({ gateway, state, connectSeconds, sharedId }))).toEqual([
      { gateway: 'C', state: 'up', connectSeconds: 0.01, sharedId: true },
      { gateway: 'A', state: 'down', connectSeconds: 0.02, sharedId: true },
      { gateway: 'B', state: 'up', connectSeconds: 0.03, sharedId: true },
    ]);
  });

  test('labels missing on the first series of a probe are taken from a later one; without a probe label the tile is named by id', () => {
    const frames = [
      ...instantSeriesFrames('A', [{ labels: { __name__: 'tcpprobe_availability', probe_id: '4', gateway: 'hq' }, value: 1 }], T),
      ...instantSeriesFrames('B', [metric('tcpprobe_connect_seconds', 4, 0.01)], T),
      ...instantSeriesFrames('A', [{ labels: { __name__: 'tcpprobe_availability', probe_id: '5', site: 'ams' }, value: 0 }], T),
    ];
    const { probes } = framesToProbes(frames);
    expect(probes[0]).toMatchObject({ name: 'probe-4', server: 'mq-qa', serverId: '2', site: 'ams', role: 'quality', target: 'host-4.corp.example:443', state: 'up' });
    expect(probes[1]).toMatchObject({ name: 'probe 5', gateway: '', server: '', site: 'ams', state: 'down' });
  });

  test('tcpprobe_info gives the actual IPv4 and host; checks_total the main failure reason; last check in ms', () => {
    const frames = [
      ...instantSeriesFrames('A', [metric('tcpprobe_availability', 2, 0)], T),
      ...instantSeriesFrames('C', [metric('tcpprobe_info', 2, 1, { actual_host: 'db.internal', actual_ipv4: '10.1.2.3' })], T),
      ...instantSeriesFrames(
        'E',
        [
          metric('tcpprobe_checks_total', 2, 40, { result: 'success' }),
          metric('tcpprobe_checks_total', 2, 3, { result: 'timeout' }),
          metric('tcpprobe_checks_total', 2, 1, { result: 'refused' }),
          metric('tcpprobe_checks_total', 2, 0, { result: 'dns_error' }),
        ],
        T,
      ),
      ...instantSeriesFrames('D', [metric('tcpprobe_last_check_timestamp_seconds', 2, 1_764_072_000.5)], T),
    ];
    expect(framesToProbes(frames).probes).toEqual([
      expect.objectContaining({ probeId: '2', state: 'down', actualIpv4: '10.1.2.3', actualHost: 'db.internal', failureReason: 'timeout', lastCheckMs: 1_764_072_000_500 }),
    ]);
  });

  test('a probe known only from tcpprobe_info has no data: it has been checked, so it is outside its window', () => {
    const { probes } = framesToProbes(instantSeriesFrames('C', [metric('tcpprobe_info', 4, 1, { actual_ipv4: '10.0.0.4' })], T));
    expect(probes).toMatchObject([{ probeId: '4', state: 'nodata', actualIpv4: '10.0.0.4', connectSeconds: null, noDataReason: 'outsideWindow' }]);
  });

  test('why no data: outside its window (checked before), not checked yet (no last check where others have one), NaN, or unknown', () => {
    const frames = [
      ...instantSeriesFrames('A', [metric('tcpprobe_availability', 1, 1), metric('tcpprobe_availability', 4, Number.NaN)], T),
      ...instantSeriesFrames('D', [metric('tcpprobe_last_check_timestamp_seconds', 1, T / 1000), metric('tcpprobe_last_check_timestamp_seconds', 2, T / 1000 - 3600)], T),
      ...instantSeriesFrames('E', [metric('tcpprobe_checks_total', 2, 30, { result: 'success' }), metric('tcpprobe_checks_total', 3, 0, { result: 'success' })], T),
    ];
    const probes = byId(framesToProbes(frames).probes);
    expect(probes['1']).toMatchObject({ state: 'up', noDataReason: undefined });
    expect(probes['2']).toMatchObject({ state: 'nodata', noDataReason: 'outsideWindow', lastCheckMs: T - 3_600_000 });
    expect(probes['3']).toMatchObject({ state: 'nodata', noDataReason: 'notCheckedYet' });
    expect(probes['4']).toMatchObject({ state: 'nodata', noDataReason: 'notANumber' });

    // Without a last-check query, a probe lacking one may be either.
    const unknown = framesToProbes(instantSeriesFrames('B', [metric('tcpprobe_connect_seconds', 3, 0.02)], T)).probes;
    expect(unknown).toMatchObject([{ state: 'nodata', noDataReason: 'unknown' }]);
  });

  test('every probe has the same properties in the same order (one hidden class for the code that renders them)', () => {
    const frames = [
      ...instantSeriesFrames('A', availability, T),
      ...instantSeriesFrames('C', [metric('tcpprobe_info', 2, 1, { actual_ipv4: '10.0.0.2' })], T),
      ...instantSeriesFrames('B', connect, T),
    ];
    const shapes = new Set(framesToProbes(frames).probes.map((probe) => Object.keys(probe).join()));
    expect(shapes.size).toBe(1);
  });

  test('without __name__ (an aggregating query), the metric is told by the field name or the query refId', () => {
    const strip = (samples: SeriesSample[]) => samples.map(({ labels: { __name__, ...rest }, value }) => ({ labels: rest, value }));
    const byRefId = framesToProbes([...instantSeriesFrames('availability', strip(availability), T), ...instantSeriesFrames('connect time', strip(connect), T)]);
    expect(byRefId.probes.map(({ probeId, state, connectSeconds }) => [probeId, state, connectSeconds])).toEqual([
      ['1', 'up', 0.0123],
      ['2', 'down', 0.5],
      ['3', 'nodata', 0.02],
    ]);

    // Grafana's dataplane frames name the value field after the metric.
    const dataplane = toDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: [T] },
        { name: 'tcpprobe_availability', type: FieldType.number, values: [0], labels: labels(9) },
      ],
    });
    expect(framesToProbes([dataplane]).probes).toMatchObject([{ probeId: '9', state: 'down' }]);
  });

  test('counts series of a known metric without probe_id, and ignores other metrics and the histogram', () => {
    const frames = [
      ...instantSeriesFrames('A', [{ labels: { __name__: 'tcpprobe_availability', server: 'erp-prod' }, value: 1 }], T),
      ...instantSeriesFrames('B', [{ labels: { __name__: 'up', job: 'probekit', probe_id: '1' }, value: 1 }], T),
      ...instantSeriesFrames('C', [metric('tcpprobe_connect_duration_seconds_bucket', 1, 4, { le: '0.01' })], T),
      ...instantSeriesFrames('D', [metric('tcpprobe_dns_lookup_seconds', 1, 0.001)], T),
    ];
    expect(framesToProbes(frames)).toEqual({ probes: [], seriesWithoutProbeId: 1 });
  });

  test('a range result uses each series latest finite sample', () => {
    const range: DataFrame = toDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: [T - 60_000, T - 30_000, T] },
        { name: 'Value', type: FieldType.number, values: [0, 1, Number.NaN], labels: { __name__: 'tcpprobe_availability', ...labels(1) } },
      ],
    });
    expect(framesToProbes([range]).probes[0]!.state).toBe('up');
  });

  test('empty results (no series, zero-row frames) give no probes', () => {
    expect(framesToProbes([])).toEqual({ probes: [], seriesWithoutProbeId: 0 });
    expect(framesToProbes([instantTableFrame('A', [], T), createDataFrame({ refId: 'B', fields: [] })]).probes).toEqual([]);
  });

  test('is pure: the frames are left as they were and the same input gives the same output', () => {
    const frames = [...instantSeriesFrames('A', availability, T), instantTableFrame('B', connect, T)];
    const before = JSON.stringify(frames);
    const first = framesToProbes(frames);
    expect(JSON.stringify(frames)).toBe(before);
    expect(framesToProbes(frames)).toEqual(first);
  });
});

describe('stateOf and metricKindOf', () => {
  test('availability 1 is up, 0 down, an average from 0.5 up, nothing or NaN no data', () => {
    expect([1, 0, 0.75, 0.25, Number.NaN, undefined].map(stateOf)).toEqual(['up', 'down', 'up', 'down', 'nodata', 'nodata']);
  });

  test('names of the tcpprobe metrics, query refIds and Value suffixes', () => {
    expect(
      ['tcpprobe_availability', 'tcpprobe_connect_seconds', 'tcpprobe_info', 'tcpprobe_last_check_timestamp_seconds', 'tcpprobe_checks_total', 'Connect time', 'info', 'tcpprobe_connect_duration_seconds_bucket', 'A', undefined].map(
        metricKindOf,
      ),
    ).toEqual(['availability', 'connect', 'info', 'lastCheck', 'checks', 'connect', 'info', undefined, undefined, undefined]);
  });

  test("a TLS probe's certificate expiry, by metric name or refId; its other TLS series are not read as connect times", () => {
    expect(['tcpprobe_tls_cert_expiry_timestamp_seconds', 'cert_expiry', 'tcpprobe_tls_handshake_seconds', 'tcpprobe_response_seconds'].map(metricKindOf)).toEqual([
      'certExpiry',
      'certExpiry',
      undefined,
      undefined,
    ]);
  });
});

const probe = (id: number, state: Probe['state'], connectSeconds: number | null, extra: Partial<Probe> = {}): Probe => ({
  key: `hq\u0000${id}`,
  probeId: String(id),
  name: `probe-${id}`,
  gateway: 'hq',
  server: 'erp-prod',
  serverId: '1',
  site: 'fra',
  role: 'production',
  target: `h${id}:1`,
  state,
  connectSeconds,
  sharedId: false,
  ...extra,
});

describe('connectLevel', () => {
  const thresholds = DEFAULT_FIELD_CONFIG.thresholds!;

  test('the default thresholds: below 200 ms ok, from 200 ms a warning, from 1 s critical', () => {
    expect([0.01, 0.2, 0.5, 1, 3].map((seconds) => connectLevel(probe(1, 'up', seconds), thresholds))).toEqual(['ok', 'warning', 'warning', 'critical', 'critical']);
  });

  test('only up probes with a connect time have a level', () => {
    expect(connectLevel(probe(1, 'down', 3), thresholds)).toBe('ok');
    expect(connectLevel(probe(1, 'nodata', 3), thresholds)).toBe('ok');
    expect(connectLevel(probe(1, 'up', null), thresholds)).toBe('ok');
    expect(connectLevel(probe(1, 'up', 3), undefined)).toBe('ok');
  });

  test('one threshold above the base is a warning; four steps give warnings below the top one', () => {
    const one: ThresholdsConfig = { mode: ThresholdsMode.Absolute, steps: [{ value: -Infinity, color: 'green' }, { value: 0.1, color: 'red' }] };
    expect(connectLevel(probe(1, 'up', 0.5), one)).toBe('warning');
    const four: ThresholdsConfig = {
      mode: ThresholdsMode.Absolute,
      steps: [{ value: -Infinity, color: 'green' }, { value: 0.1, color: 'yellow' }, { value: 0.3, color: 'orange' }, { value: 0.6, color: 'red' }],
    };
    expect([0.05, 0.2, 0.4, 0.7].map((seconds) => connectLevel(probe(1, 'up', seconds), four))).toEqual(['ok', 'warning', 'warning', 'critical']);
  });
});

describe('groupProbes', () => {
  const thresholds = DEFAULT_FIELD_CONFIG.thresholds;
  const fleet = [
    probe(1, 'up', 0.01, { name: 'db-10' }),
    probe(2, 'up', 0.5, { name: 'db-2' }),
    probe(3, 'down', null, { name: 'db-3', server: 'mq-qa' }),
    probe(4, 'nodata', null, { name: 'lb-1' }),
    probe(5, 'up', 2, { name: 'ldap', server: 'mq-qa' }),
    probe(6, 'down', null, { name: 'ab', server: 'erp-prod' }),
    probe(7, 'down', null, { name: 'x', server: '' }),
    probe(8, 'up', 0.01, { name: 'db-1' }),
  ];
  const names = (groupBy: 'none' | 'server', sortBy: 'state' | 'name') =>
    groupProbes(fleet, { groupBy, sortBy, thresholds }).map((group) => [group.title, group.tiles.map((tile) => tile.probe.name), group.counts]);

  test('sorted by state: down, critical, warning, no data, up, then by name (numbers as numbers)', () => {
    expect(names('none', 'state')).toEqual([
      ['All probes', ['ab', 'db-3', 'x', 'ldap', 'db-2', 'lb-1', 'db-1', 'db-10'], { up: 4, down: 3, partial: 0, nodata: 1 }],
    ]);
  });

  test('grouped by server with counts; the group with the most probes down first, a missing label last', () => {
    expect(names('server', 'state')).toEqual([
      ['server erp-prod', ['ab', 'db-2', 'lb-1', 'db-1', 'db-10'], { up: 3, down: 1, partial: 0, nodata: 1 }],
      ['server mq-qa', ['db-3', 'ldap'], { up: 1, down: 1, partial: 0, nodata: 0 }],
      ['no server', ['x'], { up: 0, down: 1, partial: 0, nodata: 0 }],
    ]);
  });

  test('an up probe that failed recently comes after the slow ones and before no data', () => {
    const groups = groupProbes([probe(1, 'up', 0.01, { name: 'a' }), probe(2, 'nodata', null, { name: 'b' }), probe(3, 'up', 0.01, { name: 'c', failureReason: 'timeout' }), probe(4, 'up', 0.5, { name: 'd' })], {
      groupBy: 'none',
      sortBy: 'state',
      thresholds,
    });
    expect(groups[0]!.tiles.map((tile) => tile.probe.name)).toEqual(['d', 'c', 'b', 'a']);
  });

  test('among groups with as many probes down, those with slow or recently failed probes come first', () => {
    const groups = groupProbes(
      [
        probe(1, 'up', 0.01, { server: 'a-quiet' }),
        probe(2, 'up', 0.01, { server: 'b-failed', failureReason: 'refused' }),
        probe(3, 'up', 0.5, { server: 'c-slow' }),
        probe(4, 'up', 2, { server: 'c-slow' }),
        probe(5, 'down', null, { server: 'd-down' }),
        probe(6, 'nodata', null, { server: 'e-nodata' }),
      ],
      { groupBy: 'server', sortBy: 'state', thresholds },
    );
    expect(groups.map((group) => [group.key, group.attention])).toEqual([
      ['d-down', 0],
      ['c-slow', 2],
      ['b-failed', 1],
      ['a-quiet', 0],
      ['e-nodata', 0],
    ]);
  });

  test('only problems: the tiles down, slow or failed recently, groups without any left out, counts of all probes', () => {
    const groups = groupProbes([...fleet, probe(9, 'up', 0.01, { name: 'lb-9', server: 'quiet' })], { groupBy: 'server', sortBy: 'state', thresholds, problemsOnly: true });
    expect(groups.map((group) => [group.title, group.tiles.map((tile) => tile.probe.name), group.counts])).toEqual([
      ['server erp-prod', ['ab', 'db-2'], { up: 3, down: 1, partial: 0, nodata: 1 }],
      ['server mq-qa', ['db-3', 'ldap'], { up: 1, down: 1, partial: 0, nodata: 0 }],
      ['no server', ['x'], { up: 0, down: 1, partial: 0, nodata: 0 }],
    ]);
  });

  test('sorted by name: groups and tiles alphabetical', () => {
    expect(names('server', 'name').map(([title, tiles]) => [title, tiles])).toEqual([
      ['server erp-prod', ['ab', 'db-1', 'db-2', 'db-10', 'lb-1']],
      ['server mq-qa', ['db-3', 'ldap']],
      ['no server', ['x']],
    ]);
  });

  test('groups by site, role and gateway too, and keeps each tile level', () => {
    const groups = groupProbes([probe(1, 'up', 0.5, { site: 'ams' }), probe(2, 'up', 0.01, { site: 'fra' })], { groupBy: 'site', sortBy: 'name', thresholds });
    expect(groups.map((group) => [group.title, group.tiles.map((tile) => tile.level)])).toEqual([
      ['site ams', ['warning']],
      ['site fra', ['ok']],
    ]);
    expect(groupProbes(fleet, { groupBy: 'role', sortBy: 'name' }).map((group) => group.title)).toEqual(['role production']);
    expect(groupProbes(fleet, { groupBy: 'gateway', sortBy: 'name' }).map((group) => group.title)).toEqual(['gateway hq']);
  });
});

describe('naturalCompare', () => {
  test('orders names as people read them: digit runs as numbers, case ignored, shorter prefix first', () => {
    const names = ['db-10', 'DB-2', 'db-1', 'db-02b', 'db', 'ab-100', 'db-2a', 'lb-1', 'db-001'];
    expect([...names].sort(naturalCompare)).toEqual(['ab-100', 'db', 'db-1', 'db-001', 'DB-2', 'db-2a', 'db-02b', 'db-10', 'lb-1']);
    expect(naturalCompare('x', 'x')).toBe(0);
    expect(naturalCompare('a9', 'a10')).toBeLessThan(0);
  });
});
