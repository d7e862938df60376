// Pure core of the probe grid: Prometheus data frames -> one Probe per (gateway, probe_id) -> sorted, counted groups.
import { FieldType, getActiveThreshold, type DataFrame, type Field, type ThresholdsConfig } from '@grafana/data';
import { PROBE_LABELS, type ConnectLevel, type GroupBy, type Probe, type ProbeGroup, type ProbeState, type SortBy, type StateCounts, type Tile } from './types';

/** The tcpprobe_* series the grid reads; every other series is ignored. */
export type MetricKind = 'availability' | 'connect' | 'info' | 'lastCheck' | 'checks';

export interface FramesToProbesResult {
  probes: Probe[];
  /** Series of a known metric that carry no probe_id label (an aggregating query), so cannot be placed on a tile. */
  seriesWithoutProbeId: number;
}

/**
 * Which metric a name speaks of: a `__name__`, a field name, a `Value #<refId>` suffix or a query's refId.
 * The connect-time histogram (`tcpprobe_connect_duration_seconds`) has buckets, not a value per probe: not read.
 */
export function metricKindOf(name: string | undefined): MetricKind | undefined {
  if (!name) {
    return undefined;
  }
  const lower = name.toLowerCase();
  if (lower.includes('availability')) {
    return 'availability';
  }
  if (/last_?check/.test(lower)) {
    return 'lastCheck';
  }
  if (lower.includes('checks_total')) {
    return 'checks';
  }
  if (lower.includes('connect_duration')) {
    return undefined;
  }
  if (lower.includes('connect')) {
    return 'connect';
  }
  if (/(^|_)info$/.test(lower)) {
    return 'info';
  }
  return undefined;
}

/** Grafana's generic value field names: `Value` (one query) and `Value #<refId>` (a table of several queries). */
const GENERIC_VALUE_NAME = /^Value(?: #(.*))?$/;

/** Accumulates the samples of one (gateway, probe_id) while frames are read. */
interface ProbeAccumulator {
  labels: Partial<Record<ProbeLabel, string>>;
  missingLabels: number;
  /** undefined: no availability series at all; NaN: a series whose sample is NaN/null. Both mean "no data". */
  availability?: number;
  connectSeconds?: number;
  lastCheckMs?: number;
  actualIpv4?: string;
  actualHost?: string;
  worstResult?: { result: string; count: number };
}

type ProbeLabel = (typeof PROBE_LABELS)[number];
type Labels = Record<string, string>;
type Visit = (kind: MetricKind, labels: Labels, value: number) => void;

const toNumber = (value: unknown): number => {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    return Number(value);
  }
  return Number.NaN;
};

/** The latest value of a series: its last finite sample, else NaN (only NaN/null samples, or none). */
function latestValue(values: readonly unknown[]): number {
  for (let i = values.length - 1; i >= 0; i--) {
    const value = toNumber(values[i]);
    if (Number.isFinite(value)) {
      return value;
    }
  }
  return Number.NaN;
}

const hasKeys = (labels: Labels | undefined): labels is Labels => {
  for (const _ in labels) {
    return true;
  }
  return false;
};

/** metricKindOf, remembered: the same few names repeat on thousands of series. */
function memoKindOf(): (name: string | undefined) => MetricKind | undefined {
  const known = new Map<string, MetricKind | undefined>();
  return (name) => {
    if (name === undefined) {
      return undefined;
    }
    if (!known.has(name)) {
      known.set(name, metricKindOf(name));
    }
    return known.get(name);
  };
}

const isLabelColumn = (field: Field) =>
  field.type === FieldType.string || (field.type === FieldType.number && (field.name === 'probe_id' || field.name === 'server_id'));

/**
 * Reads one frame in either shape Grafana's Prometheus data source produces for instant queries, calling `visit`
 * once per sample:
 * - one frame per series (time series format): `Time` + a number field whose `labels` are the series labels;
 * - a table (table format, or Explore): `Time`, one string column per label, and `Value` / `Value #<refId>` per row.
 * The metric is told by `__name__`, else the field name (`tcpprobe_...`, or the refId in `Value #<refId>`), else the
 * labels only tcpprobe_info (actual_ipv4) and tcpprobe_checks_total (result) carry, else the query's refId.
 */
function readFrame(frame: DataFrame, kindOf: (name: string | undefined) => MetricKind | undefined, visit: Visit): void {
  const valueFields: Field[] = [];
  const labelColumns: Field[] = [];
  for (const field of frame.fields) {
    if (field.type === FieldType.time) {
      continue;
    }
    if (field.type === FieldType.number && hasKeys(field.labels)) {
      valueFields.push(field);
    } else if (isLabelColumn(field)) {
      labelColumns.push(field);
    } else if (field.type === FieldType.number) {
      valueFields.push(field);
    }
  }

  // What the field itself says (its __name__ label or its name) holds for every row; rows are asked only without it.
  const fieldKinds = valueFields.map((field) => {
    const generic = GENERIC_VALUE_NAME.exec(field.name);
    return kindOf(field.labels?.__name__) ?? (generic ? kindOf(generic[1]) : kindOf(field.name));
  });
  const kindOfRow = (labels: Labels) =>
    kindOf(labels.__name__) ??
    (labels.actual_ipv4 !== undefined || labels.actual_host !== undefined ? 'info' : undefined) ??
    (labels.result !== undefined ? 'checks' : undefined) ??
    kindOf(frame.refId);

  if (labelColumns.length === 0) {
    valueFields.forEach((field, index) => {
      const labels = field.labels ?? {};
      const kind = fieldKinds[index] ?? kindOfRow(labels);
      if (kind) {
        visit(kind, labels, latestValue(field.values));
      }
    });
    return;
  }

  for (let row = 0; row < frame.length; row++) {
    const rowLabels: Labels = {};
    for (const column of labelColumns) {
      const cell = column.values[row];
      if (cell !== null && cell !== undefined && cell !== '') {
        rowLabels[column.name] = String(cell);
      }
    }
    valueFields.forEach((field, index) => {
      const raw = field.values[row];
      // A joined table leaves the other queries' value cells empty on a row: that row says nothing about this metric.
      if (raw === undefined) {
        return;
      }
      const labels = hasKeys(field.labels) ? { ...rowLabels, ...field.labels } : rowLabels;
      const kind = fieldKinds[index] ?? kindOfRow(labels);
      if (kind) {
        visit(kind, labels, toNumber(raw));
      }
    });
  }
}

/** Joins every tcpprobe_* sample per (gateway, probe_id). Input order does not matter; output is in first-seen order. */
export function framesToProbes(frames: readonly DataFrame[]): FramesToProbesResult {
  const byKey = new Map<string, ProbeAccumulator>();
  let seriesWithoutProbeId = 0;

  const visit: Visit = (kind, labels, value) => {
    const probeId = labels.probe_id;
    if (!probeId) {
      seriesWithoutProbeId++;
      return;
    }
    const key = `${labels.gateway ?? ''}\u0000${probeId}`;
    let probe = byKey.get(key);
    if (!probe) {
      probe = { labels: {}, missingLabels: PROBE_LABELS.length };
      byKey.set(key, probe);
    }
    // Each series of a probe carries the same labels: copy them once, and again only while some are missing.
    if (probe.missingLabels > 0) {
      for (const name of PROBE_LABELS) {
        const labelValue = labels[name];
        if (probe.labels[name] === undefined && labelValue) {
          probe.labels[name] = labelValue;
          probe.missingLabels--;
        }
      }
    }
    const finite = Number.isFinite(value);
    switch (kind) {
      case 'availability':
        // A finite sample wins over a NaN one from another query of the same probe.
        if (finite || probe.availability === undefined) {
          probe.availability = value;
        }
        break;
      case 'connect':
        if (finite) {
          probe.connectSeconds = value;
        }
        break;
      case 'lastCheck':
        if (finite) {
          probe.lastCheckMs = value * 1000;
        }
        break;
      case 'info':
        probe.actualIpv4 = labels.actual_ipv4 || probe.actualIpv4;
        probe.actualHost = labels.actual_host || probe.actualHost;
        break;
      case 'checks': {
        const result = labels.result;
        if (result && result !== 'success' && finite && value > 0 && (!probe.worstResult || value > probe.worstResult.count)) {
          probe.worstResult = { result, count: value };
        }
        break;
      }
    }
  };

  const kindOf = memoKindOf();
  for (const frame of frames) {
    readFrame(frame, kindOf, visit);
  }

  const gatewaysById = new Map<string, number>();
  for (const { labels } of byKey.values()) {
    gatewaysById.set(labels.probe_id!, (gatewaysById.get(labels.probe_id!) ?? 0) + 1);
  }

  const probes: Probe[] = [];
  for (const [key, acc] of byKey) {
    const { labels } = acc;
    const probeId = labels.probe_id!;
    probes.push({
      key,
      probeId,
      name: labels.probe ?? `probe ${probeId}`,
      gateway: labels.gateway ?? '',
      server: labels.server ?? '',
      serverId: labels.server_id ?? '',
      site: labels.site ?? '',
      role: labels.role ?? '',
      target: labels.target ?? '',
      state: stateOf(acc.availability),
      connectSeconds: acc.connectSeconds ?? null,
      ...(acc.actualIpv4 ? { actualIpv4: acc.actualIpv4 } : {}),
      ...(acc.actualHost ? { actualHost: acc.actualHost } : {}),
      ...(acc.worstResult ? { failureReason: acc.worstResult.result } : {}),
      ...(acc.lastCheckMs !== undefined ? { lastCheckMs: acc.lastCheckMs } : {}),
      sharedId: (gatewaysById.get(probeId) ?? 0) > 1,
    });
  }
  return { probes, seriesWithoutProbeId };
}

/** 1 connected, 0 failed; an averaged availability (avg_over_time) counts as up from 0.5. No finite sample: no data. */
export function stateOf(availability: number | undefined): ProbeState {
  if (availability === undefined || !Number.isFinite(availability)) {
    return 'nodata';
  }
  return availability >= 0.5 ? 'up' : 'down';
}

/**
 * An up probe's connect time against the thresholds: the base step is ok, the highest step critical, any step
 * between a warning (so with a single threshold above the base, crossing it is a warning).
 */
export function connectLevel(probe: Probe, thresholds: ThresholdsConfig | undefined): ConnectLevel {
  const steps = thresholds?.steps;
  if (probe.state !== 'up' || probe.connectSeconds === null || !steps || steps.length < 2) {
    return 'ok';
  }
  const active = getActiveThreshold(probe.connectSeconds, steps);
  const index = steps.indexOf(active);
  if (index <= 0) {
    return 'ok';
  }
  return index === steps.length - 1 && steps.length > 2 ? 'critical' : 'warning';
}

/** Order of tiles when sorted by state: what needs attention first. */
const STATE_RANK = { down: 0, critical: 1, warning: 2, nodata: 3, up: 4 } as const;
const rankOf = (tile: Tile) => (tile.probe.state === 'up' ? STATE_RANK[tile.level === 'ok' ? 'up' : tile.level] : STATE_RANK[tile.probe.state]);

const isDigit = (code: number) => code >= 48 && code <= 57;
const foldCase = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code);

/**
 * Compares names as people read them: ASCII case ignored, digit runs as numbers ("db-2" before "db-10"). Written
 * out because Intl.Collator's numeric compare costs several times more, and 10,000 tiles sort on every refresh.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      while (a.charCodeAt(i) === 48 && isDigit(a.charCodeAt(i + 1))) i++;
      while (b.charCodeAt(j) === 48 && isDigit(b.charCodeAt(j + 1))) j++;
      let endA = i;
      let endB = j;
      while (isDigit(a.charCodeAt(endA))) endA++;
      while (isDigit(b.charCodeAt(endB))) endB++;
      if (endA - i !== endB - j) {
        return endA - i - (endB - j);
      }
      for (; i < endA; i++, j++) {
        if (a.charCodeAt(i) !== b.charCodeAt(j)) {
          return a.charCodeAt(i) - b.charCodeAt(j);
        }
      }
      continue;
    }
    if (ca !== cb && foldCase(ca) !== foldCase(cb)) {
      return foldCase(ca) - foldCase(cb);
    }
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

const byName = (a: Tile, b: Tile) =>
  naturalCompare(a.probe.name, b.probe.name) || naturalCompare(a.probe.gateway, b.probe.gateway) || naturalCompare(a.probe.probeId, b.probe.probeId);

const GROUP_LABEL: Record<Exclude<GroupBy, 'none'>, { title: string; of: (probe: Probe) => string }> = {
  server: { title: 'server', of: (probe) => probe.server },
  site: { title: 'site', of: (probe) => probe.site },
  role: { title: 'role', of: (probe) => probe.role },
  gateway: { title: 'gateway', of: (probe) => probe.gateway },
};

export function countStates(tiles: readonly Tile[]): StateCounts {
  const counts: StateCounts = { up: 0, down: 0, nodata: 0 };
  for (const tile of tiles) {
    counts[tile.probe.state]++;
  }
  return counts;
}

export interface GroupOptions {
  groupBy: GroupBy;
  sortBy: SortBy;
  thresholds?: ThresholdsConfig;
}

/**
 * Groups the probes by a label, with counts per state. Sorted by state, tiles run down, critical, warning, no data,
 * up (then by name) and groups with the most probes down come first; sorted by name, both are alphabetical (numbers
 * in names compare as numbers). A group without the label value comes last.
 */
export function groupProbes(probes: readonly Probe[], { groupBy, sortBy, thresholds }: GroupOptions): ProbeGroup[] {
  const tiles: Tile[] = probes.map((probe) => ({ probe, level: connectLevel(probe, thresholds) }));
  const compare = sortBy === 'state' ? (a: Tile, b: Tile) => rankOf(a) - rankOf(b) || byName(a, b) : byName;

  let groups: ProbeGroup[];
  if (groupBy === 'none') {
    groups = [{ key: 'all', title: 'All probes', tiles, counts: countStates(tiles) }];
  } else {
    const { title, of } = GROUP_LABEL[groupBy];
    const byValue = new Map<string, Tile[]>();
    for (const tile of tiles) {
      const value = of(tile.probe);
      let list = byValue.get(value);
      if (!list) {
        list = [];
        byValue.set(value, list);
      }
      list.push(tile);
    }
    groups = [...byValue].map(([value, list]) => ({
      key: value,
      title: value === '' ? `no ${title}` : `${title} ${value}`,
      tiles: list,
      counts: countStates(list),
    }));
    groups.sort(
      (a, b) =>
        Number(a.key === '') - Number(b.key === '') ||
        (sortBy === 'state' ? b.counts.down - a.counts.down : 0) ||
        naturalCompare(a.key, b.key),
    );
  }
  for (const group of groups) {
    group.tiles.sort(compare);
  }
  return groups;
}
