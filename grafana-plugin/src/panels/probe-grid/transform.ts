// Pure core of the probe grid: Prometheus data frames -> one Probe per (gateway, probe_id) -> sorted, counted groups.
// (locations.ts merges the probes several gateways report into one before grouping, except when grouping by gateway.)
import { FieldType, type DataFrame, type Field, type ThresholdsConfig } from '@grafana/data';
import {
  PROBE_LABELS,
  type ConnectLevel,
  type GroupBy,
  type NoDataReason,
  type Probe,
  type ProbeGroup,
  type ProbeState,
  type SortBy,
  type StateCounts,
  type Tile,
} from './types';

/** The tcpprobe_* series the grid reads; every other series is ignored. */
export type MetricKind = 'availability' | 'connect' | 'info' | 'lastCheck' | 'checks' | 'certExpiry';

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
  if (/cert_?expiry/.test(lower)) {
    return 'certExpiry';
  }
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

/** A probe while its series are joined: the tile-to-be, and what the join still has to settle. */
interface Joining {
  probe: Probe;
  /** Labels of PROBE_FIELDS not seen yet on any of its series. */
  missingLabels: number;
  /** undefined: no availability series at all; NaN: a series whose sample is NaN/null. Both mean "no data". */
  availability: number | undefined;
  /** Count of the most frequent failure result so far (tcpprobe_checks_total). */
  worstFailures: number;
  /** The same probe_id as reported by another gateway. */
  otherGateway: Joining | undefined;
}

/** Where each probe label goes on a Probe (probe_id and gateway make the key, so are known from the first series). */
const PROBE_FIELDS: ReadonlyArray<{ label: (typeof PROBE_LABELS)[number]; field: 'server' | 'serverId' | 'name' | 'target' | 'role' | 'site' }> = [
  { label: 'server', field: 'server' },
  { label: 'server_id', field: 'serverId' },
  { label: 'probe', field: 'name' },
  { label: 'target', field: 'target' },
  { label: 'role', field: 'role' },
  { label: 'site', field: 'site' },
];

type Labels = Record<string, string>;

/** A sample's labels, read by name: from a series' labels, or from a table row's label columns without copying them. */
interface LabelReader {
  get(name: string): string | undefined;
}

class SeriesLabels implements LabelReader {
  labels: Labels = {};
  get(name: string): string | undefined {
    return this.labels[name];
  }
}

/** A table's label columns by name: their value arrays, so a row's label is one lookup and one index. */
type LabelColumns = Record<string, readonly unknown[]>;

class RowLabels implements LabelReader {
  row = 0;
  /** A value field's own labels, which win over the row's columns. */
  own: Labels | undefined;
  constructor(private readonly columns: LabelColumns) {}
  get(name: string): string | undefined {
    const own = this.own?.[name];
    if (own !== undefined) {
      return own;
    }
    const cell = this.columns[name]?.[this.row];
    if (typeof cell === 'string') {
      return cell === '' ? undefined : cell;
    }
    return cell === null || cell === undefined ? undefined : String(cell);
  }
}

type Visit = (kind: MetricKind, labels: LabelReader, value: number) => void;

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
function memoKindOf(): KindOf {
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

type KindOf = (name: string | undefined) => MetricKind | undefined;

/** What a value field says of its metric, the same for all its rows: its __name__ label or its name. */
function fieldKind(field: Field, kindOf: KindOf): MetricKind | undefined {
  const byName = kindOf(field.labels?.__name__);
  if (byName) {
    return byName;
  }
  const generic = GENERIC_VALUE_NAME.exec(field.name);
  return generic ? kindOf(generic[1]) : kindOf(field.name);
}

/** Else the row's labels: __name__, those only tcpprobe_info and tcpprobe_checks_total carry, else the refId. */
function rowKind(labels: LabelReader, refId: string | undefined, kindOf: KindOf): MetricKind | undefined {
  return (
    kindOf(labels.get('__name__')) ??
    (labels.get('actual_ipv4') !== undefined || labels.get('actual_host') !== undefined ? 'info' : undefined) ??
    (labels.get('result') !== undefined ? 'checks' : undefined) ??
    kindOf(refId)
  );
}

/**
 * Reads one frame in either shape Grafana's Prometheus data source produces for instant queries, calling `visit`
 * once per sample:
 * - one frame per series (time series format): `Time` + a number field whose `labels` are the series labels;
 * - a table (table format, or Explore): `Time`, one string column per label, and `Value` / `Value #<refId>` per row.
 */
function readFrame(frame: DataFrame, kindOf: KindOf, visit: Visit, reader: SeriesLabels): void {
  const { fields } = frame;
  const series = fields[1];
  // The time series format comes as tens of thousands of two-field frames: read them without allocating.
  if (fields.length === 2 && fields[0]!.type === FieldType.time && series!.type === FieldType.number && hasKeys(series!.labels)) {
    reader.labels = series!.labels;
    const kind = fieldKind(series!, kindOf) ?? rowKind(reader, frame.refId, kindOf);
    if (kind) {
      visit(kind, reader, latestValue(series!.values));
    }
    return;
  }

  const valueFields: Field[] = [];
  const labelColumns: LabelColumns = Object.create(null);
  let labelColumnCount = 0;
  for (const field of fields) {
    if (field.type === FieldType.time) {
      continue;
    }
    if (field.type === FieldType.number && hasKeys(field.labels)) {
      valueFields.push(field);
    } else if (isLabelColumn(field)) {
      labelColumns[field.name] = field.values;
      labelColumnCount++;
    } else if (field.type === FieldType.number) {
      valueFields.push(field);
    }
  }
  const fieldKinds = valueFields.map((field) => fieldKind(field, kindOf));
  const ownLabels = valueFields.map((field) => (hasKeys(field.labels) ? field.labels : undefined));

  if (labelColumnCount === 0) {
    valueFields.forEach((field, index) => {
      reader.labels = field.labels ?? {};
      const kind = fieldKinds[index] ?? rowKind(reader, frame.refId, kindOf);
      if (kind) {
        visit(kind, reader, latestValue(field.values));
      }
    });
    return;
  }

  const row = new RowLabels(labelColumns);
  for (row.row = 0; row.row < frame.length; row.row++) {
    for (let index = 0; index < valueFields.length; index++) {
      const field = valueFields[index]!;
      const raw = field.values[row.row];
      // A joined table leaves the other queries' value cells empty on a row: that row says nothing about this metric.
      if (raw === undefined) {
        continue;
      }
      row.own = ownLabels[index];
      const kind = fieldKinds[index] ?? rowKind(row, frame.refId, kindOf);
      if (kind) {
        visit(kind, row, toNumber(raw));
      }
    }
  }
}

/** Joins every tcpprobe_* sample per (gateway, probe_id). Input order does not matter; output is in first-seen order. */
export function framesToProbes(frames: readonly DataFrame[]): FramesToProbesResult {
  // By probe_id; a probe_id that several gateways report chains their probes (rare, and then a short walk).
  const byProbeId = new Map<string, Joining>();
  // In first-seen order. Each Probe is built once, when its first series is read, and completed in place.
  const joined: Joining[] = [];
  let seriesWithoutProbeId = 0;
  // Whether last checks were queried at all: without them, a probe lacking one tells nothing.
  let lastChecksQueried = false;

  const visit: Visit = (kind, labels, value) => {
    const probeId = labels.get('probe_id');
    if (!probeId) {
      seriesWithoutProbeId++;
      return;
    }
    const gateway = labels.get('gateway') ?? '';
    const first = byProbeId.get(probeId);
    let join = first;
    while (join && join.probe.gateway !== gateway) {
      join = join.otherGateway;
    }
    if (!join) {
      const probe: Probe = {
        key: `${gateway}\u0000${probeId}`,
        probeId,
        name: '',
        gateway,
        server: '',
        serverId: '',
        site: '',
        role: '',
        target: '',
        state: 'nodata',
        connectSeconds: null,
        // Present from the start, so that every Probe has one shape for the code that renders thousands of them.
        actualIpv4: undefined,
        actualHost: undefined,
        failureReason: undefined,
        lastCheckMs: undefined,
        certExpiresAtMs: undefined,
        noDataReason: undefined,
        sharedId: first !== undefined,
        locations: undefined,
      };
      join = { probe, missingLabels: PROBE_FIELDS.length, availability: undefined, worstFailures: 0, otherGateway: undefined };
      if (first) {
        // Every tile of a shared probe_id names its gateway.
        for (let other: Joining | undefined = first; other; other = other.otherGateway) {
          other.probe.sharedId = true;
        }
        join.otherGateway = first.otherGateway;
        first.otherGateway = join;
      } else {
        byProbeId.set(probeId, join);
      }
      joined.push(join);
    }
    const { probe } = join;
    // Each series of a probe carries the same labels: copy them once, and again only while some are missing.
    if (join.missingLabels > 0) {
      // Indexed, not destructured: this runs 10,000 times on a first render, before the JIT has optimized it.
      for (let index = 0; index < PROBE_FIELDS.length; index++) {
        const { label, field } = PROBE_FIELDS[index]!;
        const labelValue = labels.get(label);
        if (labelValue && probe[field] === '') {
          probe[field] = labelValue;
          join.missingLabels--;
        }
      }
    }
    const finite = Number.isFinite(value);
    switch (kind) {
      case 'availability':
        // A finite sample wins over a NaN one from another query of the same probe.
        if (finite || join.availability === undefined) {
          join.availability = value;
        }
        break;
      case 'connect':
        if (finite) {
          probe.connectSeconds = value;
        }
        break;
      case 'lastCheck':
        lastChecksQueried = true;
        if (finite) {
          probe.lastCheckMs = value * 1000;
        }
        break;
      case 'certExpiry':
        if (finite) {
          probe.certExpiresAtMs = value * 1000;
        }
        break;
      case 'info': {
        const actualIpv4 = labels.get('actual_ipv4');
        const actualHost = labels.get('actual_host');
        if (actualIpv4) {
          probe.actualIpv4 = actualIpv4;
        }
        if (actualHost) {
          probe.actualHost = actualHost;
        }
        break;
      }
      case 'checks': {
        const result = labels.get('result');
        if (result && result !== 'success' && finite && value > join.worstFailures) {
          probe.failureReason = result;
          join.worstFailures = value;
        }
        break;
      }
    }
  };

  const kindOf = memoKindOf();
  const reader = new SeriesLabels();
  for (const frame of frames) {
    readFrame(frame, kindOf, visit, reader);
  }

  const probes: Probe[] = new Array(joined.length);
  for (let index = 0; index < joined.length; index++) {
    const { probe, availability } = joined[index]!;
    probe.state = stateOf(availability);
    if (probe.state === 'nodata') {
      probe.noDataReason = noDataReasonOf(probe, availability, lastChecksQueried);
    }
    probe.name ||= `probe ${probe.probeId}`;
    probes[index] = probe;
  }
  return { probes, seriesWithoutProbeId };
}

/** 1 connected, 0 failed; an averaged availability (avg_over_time) counts as up from 0.5. No finite sample: no data. */
export function stateOf(availability: number | undefined): Exclude<ProbeState, 'partial'> {
  if (availability === undefined || !Number.isFinite(availability)) {
    return 'nodata';
  }
  return availability >= 0.5 ? 'up' : 'down';
}

/** What a no-data probe's series say of why (see NoDataReason). */
export function noDataReasonOf(probe: Probe, availability: number | undefined, lastChecksQueried: boolean): NoDataReason {
  if (availability !== undefined) {
    return 'notANumber';
  }
  if (probe.lastCheckMs !== undefined || probe.actualHost !== undefined || probe.actualIpv4 !== undefined) {
    return 'outsideWindow';
  }
  return lastChecksQueried ? 'notCheckedYet' : 'unknown';
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
  // Grafana's getActiveThreshold, counting the step instead of finding it and then its index.
  let index = 0;
  while (index + 1 < steps.length && probe.connectSeconds >= steps[index + 1]!.value) {
    index++;
  }
  if (index === 0) {
    return 'ok';
  }
  return index === steps.length - 1 && steps.length > 2 ? 'critical' : 'warning';
}

/**
 * Order of tiles when sorted by state: what needs attention first. Down at some locations comes right after down
 * everywhere. An up probe with a failure reason failed within the reason query's range (the provisioned dashboard's:
 * the last hour): it comes before the quiet ones.
 */
const STATE_RANK = { down: 0, partial: 1, critical: 2, warning: 3, failedRecently: 4, nodata: 5, up: 6 } as const;
const rankOf = (probe: Probe, level: ConnectLevel) => {
  if (probe.state !== 'up') {
    return STATE_RANK[probe.state];
  }
  if (level !== 'ok') {
    return STATE_RANK[level];
  }
  return probe.failureReason === undefined ? STATE_RANK.up : STATE_RANK.failedRecently;
};

/** Down (at every location or some), slow or failed recently: what "only problems" shows. */
export const isProblem = (tile: Tile) => tile.rank < STATE_RANK.nodata;
/** Slow or failed recently, and down nowhere. */
const needsAttention = (tile: Tile) => tile.rank > STATE_RANK.partial && tile.rank < STATE_RANK.nodata;

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

export function countStates(probes: readonly Probe[]): StateCounts {
  let up = 0;
  let down = 0;
  let partial = 0;
  for (let index = 0; index < probes.length; index++) {
    const { state } = probes[index]!;
    if (state === 'up') {
      up++;
    } else if (state === 'down') {
      down++;
    } else if (state === 'partial') {
      partial++;
    }
  }
  return { up, down, partial, nodata: probes.length - up - down - partial };
}

export interface GroupOptions {
  groupBy: GroupBy;
  sortBy: SortBy;
  thresholds?: ThresholdsConfig;
  /** Keep only the problem tiles (isProblem), and the groups that have some; counts stay those of all probes. */
  problemsOnly?: boolean;
}

function groupOf(key: string, title: string, tiles: Tile[], problemsOnly: boolean): ProbeGroup {
  let attention = 0;
  const probes: Probe[] = new Array(tiles.length);
  for (let index = 0; index < tiles.length; index++) {
    const tile = tiles[index]!;
    probes[index] = tile.probe;
    if (needsAttention(tile)) {
      attention++;
    }
  }
  return { key, title, tiles: problemsOnly ? tiles.filter(isProblem) : tiles, counts: countStates(probes), attention };
}

/**
 * Groups the probes by a label, with counts per state. Sorted by state, tiles run down, partly down, critical,
 * warning, failed recently, no data, up (then by name) and groups with trouble come first: the most probes down,
 * then the most partly down, then the most slow or recently failed; sorted by name, both are alphabetical (numbers
 * in names compare as numbers). A group without the label value comes last.
 */
export function groupProbes(probes: readonly Probe[], { groupBy, sortBy, thresholds, problemsOnly = false }: GroupOptions): ProbeGroup[] {
  const tiles: Tile[] = probes.map((probe) => {
    const level = connectLevel(probe, thresholds);
    return { probe, level, rank: rankOf(probe, level) };
  });
  const compare = sortBy === 'state' ? (a: Tile, b: Tile) => a.rank - b.rank || byName(a, b) : byName;

  let groups: ProbeGroup[];
  if (groupBy === 'none') {
    groups = [groupOf('all', 'All probes', tiles, problemsOnly)];
  } else {
    const { title, of } = GROUP_LABEL[groupBy];
    const byValue = new Map<string, Tile[]>();
    for (let index = 0; index < tiles.length; index++) {
      const tile = tiles[index]!;
      const value = of(tile.probe);
      let list = byValue.get(value);
      if (!list) {
        list = [];
        byValue.set(value, list);
      }
      list.push(tile);
    }
    groups = [...byValue].map(([value, list]) => groupOf(value, value === '' ? `no ${title}` : `${title} ${value}`, list, problemsOnly));
    groups.sort(
      (a, b) =>
        Number(a.key === '') - Number(b.key === '') ||
        (sortBy === 'state' ? b.counts.down - a.counts.down || b.counts.partial - a.counts.partial || b.attention - a.attention : 0) ||
        naturalCompare(a.key, b.key),
    );
  }
  if (problemsOnly) {
    groups = groups.filter((group) => group.tiles.length > 0);
  }
  for (const group of groups) {
    group.tiles.sort(compare);
  }
  return groups;
}
