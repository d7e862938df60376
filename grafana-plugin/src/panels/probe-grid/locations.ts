// A probe run from several locations: its per-gateway probes merged into one cell whose state says how many of the
// locations that report see it down. Pure; framesToProbes gives the per-location probes it merges.
import { naturalCompare } from './transform';
import type { GroupBy, Probe, ProbeState } from './types';

export interface LocationCounts {
  down: number;
  up: number;
  /** Locations without an availability sample: neither up nor down. */
  nodata: number;
  /** Locations that report (up or down): what "down at 2 of 3" counts against. */
  reporting: number;
}

export function locationCounts(locations: readonly Probe[]): LocationCounts {
  let down = 0;
  let up = 0;
  for (const location of locations) {
    if (location.state === 'down') {
      down++;
    } else if (location.state === 'up') {
      up++;
    }
  }
  return { down, up, nodata: locations.length - down - up, reporting: down + up };
}

/** Down where every reporting location is down, up where every one is up, partial in between; no data if none reports. */
export function mergedState({ down, up }: LocationCounts): ProbeState {
  if (down > 0) {
    return up > 0 ? 'partial' : 'down';
  }
  return up > 0 ? 'up' : 'nodata';
}

const distinct = (values: ReadonlyArray<string | undefined>): string | undefined => {
  const seen = [...new Set(values.filter((value): value is string => value !== undefined))];
  return seen.length > 0 ? seen.join(', ') : undefined;
};

/** The slowest of the finite connect times, null when there is none. */
const slowest = (locations: readonly Probe[]): number | null =>
  locations.reduce<number | null>((worst, { connectSeconds }) => (connectSeconds !== null && (worst === null || connectSeconds > worst) ? connectSeconds : worst), null);

/**
 * One probe over its locations (two or more, same probe_id). Its connect time is the slowest up location's (a slow
 * path is what needs attention), else the slowest recorded; its failure reason that of the first location down (else
 * of one that failed recently); its last check the newest; its actual IPv4 and host every distinct one.
 */
export function mergeProbe(locations: readonly Probe[]): Probe {
  const sorted = [...locations].sort((a, b) => naturalCompare(a.gateway, b.gateway));
  const first = sorted[0]!;
  const counts = locationCounts(sorted);
  const state = mergedState(counts);
  const up = sorted.filter((location) => location.state === 'up');
  const failing = sorted.find((location) => location.state === 'down' && location.failureReason !== undefined) ?? sorted.find((location) => location.failureReason !== undefined);
  const lastChecks = sorted.map((location) => location.lastCheckMs).filter((ms): ms is number => ms !== undefined);
  const certExpiries = sorted.map((location) => location.certExpiresAtMs).filter((ms): ms is number => ms !== undefined);
  return {
    key: first.probeId,
    probeId: first.probeId,
    name: first.name,
    gateway: sorted.map((location) => location.gateway).join(', '),
    server: first.server,
    serverId: first.serverId,
    site: first.site,
    role: first.role,
    target: first.target,
    state,
    connectSeconds: up.length > 0 ? slowest(up) : slowest(sorted),
    actualIpv4: distinct(sorted.map((location) => location.actualIpv4)),
    actualHost: distinct(sorted.map((location) => location.actualHost)),
    failureReason: failing?.failureReason,
    lastCheckMs: lastChecks.length > 0 ? Math.max(...lastChecks) : undefined,
    // The soonest any location saw: what the certExpiry alert rule takes too.
    certExpiresAtMs: certExpiries.length > 0 ? Math.min(...certExpiries) : undefined,
    noDataReason: state === 'nodata' ? first.noDataReason : undefined,
    sharedId: false,
    locations: sorted,
  };
}

/**
 * One probe per probe_id: a probe one gateway reports is returned as it is (the very object), those several report
 * are merged (mergeProbe), in place of the first of them. Without any shared probe_id, the input array itself.
 */
export function mergeLocations(probes: readonly Probe[]): readonly Probe[] {
  const byProbeId = new Map<string, Probe | Probe[]>();
  let shared = false;
  for (const probe of probes) {
    const seen = byProbeId.get(probe.probeId);
    if (seen === undefined) {
      byProbeId.set(probe.probeId, probe);
    } else if (Array.isArray(seen)) {
      seen.push(probe);
    } else {
      byProbeId.set(probe.probeId, [seen, probe]);
      shared = true;
    }
  }
  if (!shared) {
    return probes;
  }
  const merged: Probe[] = [];
  for (const entry of byProbeId.values()) {
    merged.push(Array.isArray(entry) ? mergeProbe(entry) : entry);
  }
  return merged;
}

/** "down from branch-fra, aws-eu; up from hq; no data from ams": where a merged probe stands, in words. */
export function locationsText(locations: readonly Probe[]): string {
  const from = (state: ProbeState, words: string) => {
    const gateways = locations.filter((location) => location.state === state).map((location) => location.gateway || 'no gateway');
    return gateways.length > 0 ? `${words} from ${gateways.join(', ')}` : undefined;
  };
  return [from('down', 'down'), from('up', 'up'), from('nodata', 'no data')].filter(Boolean).join('; ');
}

/**
 * What the grid groups: grouped by gateway, each location's own probe, so that a probe shows in the group of each of
 * its gateways with that location's state; grouped otherwise, one probe over all its locations.
 */
export const probesToGroup = (groupBy: GroupBy, byLocation: readonly Probe[], merged: readonly Probe[]): readonly Probe[] =>
  groupBy === 'gateway' ? byLocation : merged;
