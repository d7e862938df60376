// A made-up but realistic fleet of probes as Prometheus would return it (deterministic for a seed), for the preview
// page, the browser test and the benchmark: some probes down, some outside their window or not checked yet, some slow,
// some up after failing recently; run from one gateway each, or from several with some probes down at only some.
import type { DataFrame } from '@grafana/data';
import { instantSeriesFrames, instantTableFrame, type SeriesSample } from './prometheusFrames';

export interface FleetSeries {
  availability: SeriesSample[];
  connect: SeriesSample[];
  info: SeriesSample[];
  lastCheck: SeriesSample[];
  checks: SeriesSample[];
}

export interface FleetOptions {
  probes: number;
  seed?: number;
  /** Epoch ms of the instant query. */
  timeMs?: number;
  /** Share of probes down, and without an availability sample (half outside their window, half not checked yet). */
  downRatio?: number;
  noDataRatio?: number;
  /** Share of probes up that failed within the reason query's range. */
  failedRecentlyRatio?: number;
  /** Every tenth probe gets a name longer than a tile. */
  longNames?: boolean;
  /** Gateways each probe server runs from (1 to 3; default 1: the fleet is then the same as without the option). */
  locations?: number;
  /**
   * With several locations, the share of probes down at some but not all of them; every third of those (from three
   * locations) has no data at its last one, which then counts neither way.
   */
  partialRatio?: number;
}

/** mulberry32: a small, fast PRNG, so a seed always yields the same fleet. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SITES = ['fra', 'ams', 'nyc', 'sgp'];
const APPS = ['erp', 'crm', 'billing', 'portal', 'hr'];
const ROLE_SHORT: Record<string, string> = { production: 'prod', quality: 'qa', development: 'dev' };
const ROLES = ['production', 'quality', 'development'];
const GATEWAYS = ['hq', 'branch-fra', 'branch-nyc'];
const SERVICES: Array<[string, number]> = [
  ['db', 5432],
  ['sap-dispatcher', 3200],
  ['mq', 5672],
  ['lb', 443],
  ['ldap', 636],
  ['redis', 6379],
];
const FAILURES = ['refused', 'timeout', 'timeout', 'unreachable', 'dns_error'];

export function generateFleet({
  probes,
  seed = 1,
  timeMs = Date.UTC(2026, 10, 25, 12, 0, 0),
  downRatio = 0.02,
  noDataRatio = 0.03,
  failedRecentlyRatio = 0.02,
  longNames = false,
  locations = 1,
  partialRatio = 0,
}: FleetOptions): FleetSeries {
  const next = random(seed);
  // The draws for extra locations come from a stream of their own: the first location's fleet stays that of the seed.
  const nextForLocations = random(seed ^ 0x5bd1e995);
  const locationCount = Math.min(Math.max(1, Math.floor(locations)), GATEWAYS.length);
  const fleet: FleetSeries = { availability: [], connect: [], info: [], lastCheck: [], checks: [] };
  const probesPerServer = 24;
  for (let id = 1; id <= probes; id++) {
    const serverIndex = Math.floor((id - 1) / probesPerServer);
    const [service, port] = SERVICES[id % SERVICES.length]!;
    const site = SITES[serverIndex % SITES.length]!;
    const host = `${service}-${id}.${site}.corp.example`;
    const labels = {
      gateway: GATEWAYS[serverIndex % GATEWAYS.length]!,
      server: `${APPS[serverIndex % APPS.length]}-${ROLE_SHORT[ROLES[serverIndex % ROLES.length]!]}-${site}-${String(serverIndex + 1).padStart(3, '0')}`,
      server_id: String(serverIndex + 1),
      probe: longNames && id % 10 === 0 ? `${service}-${id}-replica-listener-${site}-datacenter-east` : `${service}-${id}`,
      probe_id: String(id),
      target: `${host}:${port}`,
      role: ROLES[serverIndex % ROLES.length]!,
      site,
    };
    const roll = next();
    const down = roll < downRatio;
    const noData = !down && roll < downRatio + noDataRatio;
    // From the same roll, so that the other draws (and so the rest of the fleet) do not depend on it.
    const failedRecently = roll >= 1 - failedRecentlyRatio;
    // A probe not checked yet has only the series its gateway makes when it learns of it: checks_total{result="success"} 0.
    const notCheckedYet = noData && id % 2 === 0;
    // Mostly fast LAN/WAN connects; a tail of slow ones that cross the default 200 ms and 1 s thresholds.
    const speed = next();
    const connectSeconds = speed < 0.93 ? 0.001 + next() * 0.06 : speed < 0.99 ? 0.2 + next() * 0.7 : 1 + next() * 2;

    /** The series one location exports for the probe, its draws from `draw`. */
    const exportFrom = (gateway: string, state: 'up' | 'down' | 'nodata', seconds: number, draw: () => number) => {
      const at = { ...labels, gateway };
      const isDown = state === 'down';
      if (state !== 'nodata') {
        fleet.availability.push({ labels: { __name__: 'tcpprobe_availability', ...at }, value: isDown ? 0 : 1 });
        fleet.lastCheck.push({ labels: { __name__: 'tcpprobe_last_check_timestamp_seconds', ...at }, value: timeMs / 1000 - Math.floor(draw() * 300) });
      }
      // Outside its window a probe exports no connect time either (nor before its first check).
      if (state !== 'nodata' && (!isDown || draw() < 0.5)) {
        fleet.connect.push({ labels: { __name__: 'tcpprobe_connect_seconds', ...at }, value: Math.round(seconds * 1e6) / 1e6 });
      }
      if (notCheckedYet) {
        fleet.checks.push({ labels: { __name__: 'tcpprobe_checks_total', ...at, result: 'success' }, value: 0 });
      } else {
        fleet.info.push({
          labels: { __name__: 'tcpprobe_info', ...at, actual_host: host, actual_ipv4: `10.${serverIndex % 250}.${Math.floor(id / 250) % 250}.${id % 250}` },
          value: 1,
        });
      }
      if (isDown) {
        fleet.checks.push({ labels: { __name__: 'tcpprobe_checks_total', ...at, result: FAILURES[id % FAILURES.length]! }, value: 1 + Math.floor(draw() * 3) });
      } else if (failedRecently) {
        fleet.checks.push({ labels: { __name__: 'tcpprobe_checks_total', ...at, result: FAILURES[id % FAILURES.length]! }, value: 1 });
      }
    };

    const baseState = down ? 'down' : noData ? 'nodata' : 'up';
    const states: Array<'up' | 'down' | 'nodata'> = Array.from({ length: locationCount }, () => baseState);
    if (locationCount > 1 && baseState === 'up' && nextForLocations() < partialRatio) {
      // Down at some of the locations that report, never all: the last one is silent for every third such probe.
      const silent = locationCount >= 3 && id % 3 === 0;
      const reporting = silent ? locationCount - 1 : locationCount;
      const downAt = 1 + Math.floor(nextForLocations() * (reporting - 1));
      states.forEach((_, index) => (states[index] = index < downAt ? 'down' : index < reporting ? 'up' : 'nodata'));
    }
    states.forEach((state, index) => {
      const gateway = GATEWAYS[(serverIndex + index) % GATEWAYS.length]!;
      // Each path its own connect time: a farther location is slower.
      const seconds = index === 0 ? connectSeconds : connectSeconds * (1 + 0.5 * index) + nextForLocations() * 0.005;
      exportFrom(gateway, state, seconds, index === 0 ? next : nextForLocations);
    });
  }
  return fleet;
}

/** The two series the grid needs. */
export const MINIMAL_QUERIES = ['availability', 'connect'] as const;
/**
 * Every series the grid reads, as the provisioned "TCP probes overview" grid queries them: the two plus tcpprobe_info,
 * last check and checks by result (of which the fleet leaves out the success series of probes that have run).
 */
export const ALL_QUERIES = ['availability', 'connect', 'info', 'lastCheck', 'checks'] as const;
/** Each query keeps its refId whichever others run with it. */
const REF_IDS: Record<keyof FleetSeries, string> = { availability: 'A', connect: 'B', info: 'C', lastCheck: 'D', checks: 'E' };

/** The fleet as a panel receives it: the queries in time series (one frame per series) or table format. */
export function fleetFrames(
  fleet: FleetSeries,
  format: 'series' | 'table',
  queries: ReadonlyArray<keyof FleetSeries> = ALL_QUERIES,
  timeMs = Date.UTC(2026, 10, 25, 12, 0, 0),
): DataFrame[] {
  return queries.flatMap((query) => {
    const refId = REF_IDS[query];
    const samples = fleet[query];
    if (format === 'series') {
      return instantSeriesFrames(refId, samples, timeMs);
    }
    return samples.length > 0 ? [instantTableFrame(refId, samples, timeMs, `Value #${refId}`)] : [];
  });
}
