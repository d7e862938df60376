// One probe's state over the locations (gateways) that run it: the status item's state from each location's own, pure.
import type { CheckResultView, LocationStatus, ProbeStatus } from '../schemas/check.js';

/** What a status item says about all its locations together. */
export type LocationsSummary = Pick<ProbeStatus, 'state' | 'reason' | 'inWindow' | 'lastResult' | 'locationsDown' | 'locationsUp' | 'locationsTotal'>;

/**
 * Aggregates the locations of one probe, in its server's gateway order. State, reason, window and latest result are
 * over `considered` (all locations, or those of a `gateway` filter): down if any location that reports sees it down,
 * up if at least one reports and all that report see it up, no data if none reports (with the reason of the first);
 * a location without data counts neither way. The counts are over every location, whatever the filter, so that a
 * filtered item still says "down at 2 of 3".
 */
export function summarizeLocations(locations: readonly LocationStatus[], considered: readonly LocationStatus[] = locations): LocationsSummary {
  const first = considered[0];
  if (first === undefined) throw new RangeError('a probe runs from at least one location');
  const disabled = considered.find((l) => l.state === 'disabled');
  const reporting = considered.filter((l) => l.state === 'up' || l.state === 'down');
  let state: ProbeStatus['state'];
  let reason: ProbeStatus['reason'] = null;
  if (disabled) {
    state = 'disabled';
    reason = disabled.reason;
  } else if (reporting.length === 0) {
    state = 'nodata';
    reason = first.reason;
  } else {
    state = reporting.some((l) => l.state === 'down') ? 'down' : 'up';
  }
  return {
    state,
    reason,
    inWindow: considered.some((l) => l.inWindow),
    lastResult: newest(considered.map((l) => l.lastResult)),
    locationsDown: locations.filter((l) => l.state === 'down').length,
    locationsUp: locations.filter((l) => l.state === 'up').length,
    locationsTotal: locations.length,
  };
}

/** The result checked last, or null when there is none; the first of equals. */
export function newest(results: readonly (CheckResultView | null)[]): CheckResultView | null {
  let best: CheckResultView | null = null;
  for (const result of results) {
    if (result !== null && (best === null || Date.parse(result.checkedAt) > Date.parse(best.checkedAt))) best = result;
  }
  return best;
}
