// A made-up but realistic fleet of probes as Prometheus would return it (deterministic for a seed), for the preview
// page, the browser test and the benchmark: some probes down, some outside their window or not checked yet, some slow,
// some up after failing recently.
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
}: FleetOptions): FleetSeries {
  const next = random(seed);
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

    if (!noData) {
      fleet.availability.push({ labels: { __name__: 'tcpprobe_availability', ...labels }, value: down ? 0 : 1 });
      fleet.lastCheck.push({ labels: { __name__: 'tcpprobe_last_check_timestamp_seconds', ...labels }, value: timeMs / 1000 - Math.floor(next() * 300) });
    }
    // Outside its window a probe exports no connect time either (nor before its first check).
    if (!noData && (!down || next() < 0.5)) {
      fleet.connect.push({ labels: { __name__: 'tcpprobe_connect_seconds', ...labels }, value: Math.round(connectSeconds * 1e6) / 1e6 });
    }
    if (notCheckedYet) {
      fleet.checks.push({ labels: { __name__: 'tcpprobe_checks_total', ...labels, result: 'success' }, value: 0 });
    } else {
      fleet.info.push({
        labels: { __name__: 'tcpprobe_info', ...labels, actual_host: host, actual_ipv4: `10.${serverIndex % 250}.${Math.floor(id / 250) % 250}.${id % 250}` },
        value: 1,
      });
    }
    if (down) {
      fleet.checks.push({ labels: { __name__: 'tcpprobe_checks_total', ...labels, result: FAILURES[id % FAILURES.length]! }, value: 1 + Math.floor(next() * 3) });
    } else if (failedRecently) {
      fleet.checks.push({ labels: { __name__: 'tcpprobe_checks_total', ...labels, result: FAILURES[id % FAILURES.length]! }, value: 1 });
    }
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
