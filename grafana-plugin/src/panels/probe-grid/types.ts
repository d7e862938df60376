// The probe status grid's vocabulary: its panel options, the probes it reads from Prometheus frames, and its defaults.
import { FieldColorModeId, ThresholdsMode, type FieldConfig } from '@grafana/data';

/** Labels every tcpprobe_* series carries (DESIGN.md, Metrics). */
export const PROBE_LABELS = ['gateway', 'server', 'server_id', 'probe', 'probe_id', 'target', 'role', 'site'] as const;

export type GroupBy = 'none' | 'server' | 'site' | 'role' | 'gateway';
export type SortBy = 'state' | 'name';
export type TileSize = 'small' | 'medium' | 'large';

export interface ProbeGridOptions {
  groupBy: GroupBy;
  sortBy: SortBy;
  tileSize: TileSize;
  /** Connect time (or the failure reason) on the tile under the probe name. */
  showValues: boolean;
  /** Only the tiles that need attention (down at every location or some, slow, failed recently); the summary's toggle switches it too. */
  problemsOnly: boolean;
  /** Grafana colour names or CSS colours, resolved through the theme. */
  downColor: string;
  /** Down at some but not all of the locations (gateways) that report it. */
  partialColor: string;
  noDataColor: string;
}

export const DEFAULT_OPTIONS: ProbeGridOptions = {
  groupBy: 'server',
  sortBy: 'state',
  tileSize: 'medium',
  showValues: true,
  problemsOnly: false,
  downColor: 'red',
  // Neither red (down) nor a connect-time colour (green, yellow, orange): a path problem is told apart from both.
  partialColor: 'purple',
  noDataColor: 'gray',
};

/**
 * Field config defaults: connect time is in seconds; up to 200 ms is fine, slower is a warning and from 1 s critical.
 * Red is kept for "down" so that a slow probe never looks like a failed one.
 */
export const DEFAULT_FIELD_CONFIG: FieldConfig = {
  unit: 's',
  color: { mode: FieldColorModeId.Thresholds },
  thresholds: {
    mode: ThresholdsMode.Absolute,
    steps: [
      { value: -Infinity, color: 'green' },
      { value: 0.2, color: 'yellow' },
      { value: 1, color: 'orange' },
    ],
  },
};

/**
 * up: connected at the latest check; down: failed; nodata: no availability sample (outside its window, not run yet).
 * A probe run from several locations (gateways) is up or down when every location that reports agrees, partial when
 * it is down at some and up at others; a location without data counts as neither. One location's state is never partial.
 */
export type ProbeState = 'up' | 'down' | 'partial' | 'nodata';

/**
 * Why a probe has no data, as far as its series tell (a disabled or deleted probe, or an unreachable gateway, has no
 * series at all, so no tile):
 * - outsideWindow: no availability while series of past checks remain (last check, info): the gateway drops the gauge
 *   outside the probe's window or schedule, and from a window's start until its first check;
 * - notCheckedYet: last checks were queried and this probe has none: no check since its gateway started;
 * - notANumber: the availability sample is NaN (an expression divided by nothing);
 * - unknown: no availability, and no last-check series queried to tell the two first apart.
 */
export type NoDataReason = 'outsideWindow' | 'notCheckedYet' | 'notANumber' | 'unknown';

/** How an up probe's connect time compares with the thresholds. */
export type ConnectLevel = 'ok' | 'warning' | 'critical';

/**
 * One probe as seen by one gateway, joined from every tcpprobe_* series that carries its probe_id; or, for a probe
 * that several gateways report, the probe over all its locations (mergeLocations), with each location's own in
 * `locations`.
 */
export interface Probe {
  /** `gateway` and `probe_id` together for one location's probe; the probe_id alone for one over several locations. */
  key: string;
  probeId: string;
  name: string;
  gateway: string;
  server: string;
  serverId: string;
  site: string;
  role: string;
  target: string;
  state: ProbeState;
  /** Latest successful connect time, seconds; null when no finite sample. */
  connectSeconds: number | null;
  actualIpv4?: string;
  actualHost?: string;
  /** The most frequent non-success result of tcpprobe_checks_total{result}, when queried. */
  failureReason?: string;
  /** From tcpprobe_last_check_timestamp_seconds, when queried (epoch ms). */
  lastCheckMs?: number;
  /** A TLS probe's earliest certificate expiry in its chain, from tcpprobe_tls_cert_expiry_timestamp_seconds when queried (epoch ms). */
  certExpiresAtMs?: number;
  /** Set when the state is nodata. */
  noDataReason?: NoDataReason;
  /** True when another gateway reports the same probe_id: a tile of this one location then names its gateway. */
  sharedId: boolean;
  /**
   * Set on a probe over several locations: each location's probe (state, connect time, failure, last check), by
   * gateway name. Its `gateway` then lists them; its connect time is the slowest up location's.
   */
  locations?: readonly Probe[];
}

export interface StateCounts {
  up: number;
  down: number;
  partial: number;
  nodata: number;
}

export interface Tile {
  probe: Probe;
  level: ConnectLevel;
  /** Place of its state when sorted by state: down 0, partial 1, critical 2, warning 3, failed recently 4, no data 5, up 6. */
  rank: number;
}

export interface ProbeGroup {
  /** The label value the tiles share ('' when they lack the label); 'all' when not grouped. */
  key: string;
  title: string;
  /** The tiles shown: all of the group's, or only its problems. */
  tiles: Tile[];
  /** Of all the group's probes, shown or not. */
  counts: StateCounts;
  /** How many of the group's probes need attention but are not down anywhere: slow, or failed recently. */
  attention: number;
}
