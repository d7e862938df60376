// A server's locations (gateways) and an availability threshold's quorum over them, in words. Pure.
import type { ProbeStatus, Threshold } from '../../api/types';
import { quorumOf } from '../../../../gateway/src/alerting/thresholds.js';

const list = (names: readonly string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** "gateway hq", "3 gateways: hq, branch-fra and aws-eu". */
export function locationsInWords(gateways: readonly string[]): string {
  return gateways.length === 1 ? `gateway ${gateways[0]}` : `${gateways.length} gateways: ${list(gateways)}`;
}

export interface Quorum {
  /** Locations that must see a probe down before the service alert fires. */
  quorum: number;
  locations: number;
  /** The threshold sets it (minFailingLocations); else the default: 1 for one location, a majority of several. */
  own: boolean;
}

export function quorumFor(threshold: Pick<Threshold, 'minFailingLocations'>, gatewayCount: number): Quorum {
  return { quorum: quorumOf(threshold, gatewayCount), locations: gatewayCount, own: threshold.minFailingLocations !== undefined };
}

/** "2 of 3 locations (a majority, the default)", "1 of 3 locations". */
export function quorumShort({ quorum, locations, own }: Quorum): string {
  const source = own ? '' : locations > 1 && quorum > locations / 2 ? ' (a majority, the default)' : ' (the default)';
  return `${quorum} of ${locations} locations${source}`;
}

/**
 * What the quorum becomes: "alerts when 2 of 3 locations see it down; a location alone raises a path alert to its
 * team". Fewer locations down than the quorum, while another sees the probe up, is a path problem: TcpProbePathDown
 * per location, to the location's team. Null for one location, where nothing changes.
 */
export function quorumSentence({ quorum, locations }: Quorum): string | null {
  if (locations <= 1) return null;
  if (quorum === 1) return `alerts when any of the ${locations} locations sees it down`;
  const alerts = `alerts when ${quorum} of ${locations} locations see it down`;
  const short = quorum - 1;
  return short === 1
    ? `${alerts}; a location alone raises a path alert to its team`
    : `${alerts}; up to ${short} locations alone raise a path alert each, to their own teams`;
}

/** "down at 2 of 3 locations, up at 1", "up at all 3 locations", "no data from any of 2 locations"; null for one location. */
export function locationsSummary(status: Pick<ProbeStatus, 'locationsDown' | 'locationsUp' | 'locationsTotal'>): string | null {
  const { locationsDown: down, locationsUp: up, locationsTotal: total } = status;
  if (total <= 1) return null;
  const silent = total - down - up;
  const share = (count: number) => (count === total ? `all ${total} locations` : `${count} of ${total} locations`);
  const parts = [
    down > 0 ? `down at ${share(down)}` : null,
    up > 0 ? (down > 0 ? `up at ${up}` : `up at ${share(up)}`) : null,
    silent > 0 ? (down + up > 0 ? `no data from ${silent}` : `no data from any of ${total} locations`) : null,
  ];
  return parts.filter(Boolean).join(', ');
}
