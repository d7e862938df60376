// PromQL for one probe's charts, built from the gateway's public metric names (DESIGN.md, "Metrics"). Each gateway
// (location) exports its own series with its own `gateway` label; the charts keep one line per location. Pure.

/** The label selector of one probe's series: every tcpprobe_ series carries `probe_id`. */
export function probeSelector(probeId: number): string {
  if (!Number.isInteger(probeId) || probeId < 1) throw new RangeError(`probe id must be a positive integer, got ${probeId}`);
  return `{probe_id="${probeId}"}`;
}

/** The series of one probe, one line per location: a renamed server or a moved probe keeps its line. */
const byGateway = (expr: string) => `max by (gateway) (${expr})`;

/** 1 while the probe connects, 0 while it fails; absent outside its window (no data, never down). */
export function availabilityQuery(probeId: number): string {
  return `tcpprobe_availability${probeSelector(probeId)}`;
}

/** availabilityQuery, one series per location. */
export function availabilityByGatewayQuery(probeId: number): string {
  return byGateway(availabilityQuery(probeId));
}

/** Connect time of the latest successful check, in seconds. */
export function connectTimeQuery(probeId: number): string {
  return `tcpprobe_connect_seconds${probeSelector(probeId)}`;
}

/** connectTimeQuery, one series per location: latency is a property of the path. */
export function connectTimeByGatewayQuery(probeId: number): string {
  return byGateway(connectTimeQuery(probeId));
}

/**
 * Share of the samples in the dashboard range that were up, in percent: per location (`gateway`) or over all of them
 * (`all`, the share of location-samples up, as the availabilityRatio threshold takes it). `$__range` is Grafana's
 * range variable, so the number follows the time picker; periods without data (outside the window) count neither way.
 */
export function availabilityRatioQuery(probeId: number, over: 'gateway' | 'all' = 'gateway'): string {
  const series = availabilityQuery(probeId);
  const by = over === 'gateway' ? ' by (gateway)' : '';
  return `100 * sum${by} (sum_over_time(${series}[$__range])) / sum${by} (count_over_time(${series}[$__range]))`;
}

/**
 * Seconds of the dashboard range that hold data per location, so an availability read from 5 minutes of a 6 hour
 * range says so. A subquery counts the steps of Grafana's `$__interval` at which a sample is present (Prometheus ends
 * a series at the scrape that no longer has it: outside the window, or with the gateway down), times the step: exact
 * to one step. A series shorter than a step can fall between two steps; it counts as one step rather than as none.
 */
export function coveredSecondsQuery(probeId: number): string {
  const series = availabilityQuery(probeId);
  // The steps of the location's line (all its series at once: a renamed server's two halves cover the range together).
  return `(count_over_time(${byGateway(series)}[$__range:$__interval]) or ${byGateway(`count_over_time(${series}[$__range]) * 0 + 1`)}) * $__interval_ms / 1000`;
}

/** One legend entry per gateway. */
export const GATEWAY_LEGEND = '{{gateway}}';
