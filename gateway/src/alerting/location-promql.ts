// PromQL for servers probed from several gateways (locations): each location exports its own series, labelled with
// its `gateway`; these builders count, compare and name the locations per probe.
import { formatDuration } from './durations.js';
import { PROBE_LABELS, alertExpr, downSeries, scopeMatchers, type ProbeScope } from './promql.js';

export { PROBE_LABELS };
const BY_PROBE = `(${PROBE_LABELS.join(', ')})`;

/** A location's state as the per-location queries give it: down (after the threshold's checks), up (latest check connected), else 0. */
export const LOCATION_DOWN = 2;
export const LOCATION_UP = 1;

/** The scope's series, at one location when a gateway is given. Gateway names need no escaping, JSON quoting is still exact. */
export function locationMatchers(scope: ProbeScope, gateway?: string): string {
  return gateway === undefined ? scopeMatchers(scope) : `${scopeMatchers(scope)},gateway=${JSON.stringify(gateway)}`;
}

/** The series of the locations that see a probe down: the single-location condition as a filter. */
function downFilter(consecutiveChecks: number, matchers: string): string {
  const { query, condition } = downSeries(consecutiveChecks, matchers);
  return alertExpr(query, condition);
}

/**
 * How many locations see each probe down, 0 included while any location reports the probe: Grafana reads an empty
 * query as "no data" for the whole rule, and a count without its zeros would leave resolved instances pending as
 * stale. A location without data counts neither way. `by` is a label list such as "(probe_id)".
 */
function locationsDown(scope: ProbeScope, consecutiveChecks: number, by: string): string {
  return `(count by ${by} (${downFilter(consecutiveChecks, scopeMatchers(scope))}) or 0 * count by ${by} (tcpprobe_availability{${scopeMatchers(scope)}}))`;
}

/** TcpProbeDown of a multi-location server: the locations that see the probe down, one series per probe. */
export function locationsDownQuery(scope: ProbeScope, consecutiveChecks: number): string {
  return locationsDown(scope, consecutiveChecks, BY_PROBE);
}

/**
 * TcpProbePathDown at one location: its run of failures (or availability) while fewer than the quorum see the probe
 * down and at least one location sees it up. So the path alert ends once the service alert takes over, and a probe
 * down wherever it reports (the others without data) is no path problem: the gateway-down alert speaks for those.
 * The comparison of the threshold follows, as for one location.
 */
export function pathDownQuery(scope: ProbeScope, consecutiveChecks: number, quorum: number, gateway: string): string {
  const atLocation = downSeries(consecutiveChecks, locationMatchers(scope, gateway)).query;
  const shortOfQuorum = `(${locationsDown(scope, consecutiveChecks, '(probe_id)')} < ${quorum})`;
  const seenUp = `(count by (probe_id) (tcpprobe_availability{${scopeMatchers(scope)}} == 1) > 0)`;
  return `(${atLocation} and on (probe_id) ${shortOfQuorum} and on (probe_id) ${seenUp})`;
}

/**
 * One location's state per probe (LOCATION_DOWN, LOCATION_UP, else 0), labelled like the TcpProbeDown series so
 * Grafana hands its value to that instance's annotation. 0 also for probes the location does not report, so that
 * the query is never empty while the rule's is not (an empty query would make Grafana's rule "no data").
 */
export function locationStateQuery(scope: ProbeScope, consecutiveChecks: number, gateway: string): string {
  const matchers = locationMatchers(scope, gateway);
  const state = `(${downFilter(consecutiveChecks, matchers)}) * 0 + ${LOCATION_DOWN} or tcpprobe_availability{${matchers}} == bool 1`;
  return `(max by ${BY_PROBE} (${state}) or 0 * count by ${BY_PROBE} (tcpprobe_availability{${scopeMatchers(scope)}}))`;
}

/** The same states of one probe at every location it reports from, one series per gateway, for a Prometheus template (`%[1]q` is the probe id). */
export function locationStatesQueryFormat(consecutiveChecks: number): string {
  const matchers = 'probe_id=%[1]q';
  return `(${downFilter(consecutiveChecks, matchers)}) * 0 + ${LOCATION_DOWN} or tcpprobe_availability{${matchers}} == bool 1`;
}

/**
 * availabilityRatio over every location: the share of all location-samples in the window that were up, so a
 * location that reported half the time weighs half. Like one location's ratio, only while the probe reports now.
 */
export function locationsAvailabilityRatioQuery(scope: ProbeScope, windowMs: number): string {
  const availability = `tcpprobe_availability{${scopeMatchers(scope)}}`;
  const window = formatDuration(windowMs);
  return `(100 * sum by ${BY_PROBE} (sum_over_time(${availability}[${window}])) / sum by ${BY_PROBE} (count_over_time(${availability}[${window}])) and on (probe_id) ${availability})`;
}
