// PromQL for one probe's charts, built from the gateway's public metric names (DESIGN.md, "Metrics"). Pure.

/** The label selector of one probe's series: every tcpprobe_ series carries `probe_id`. */
export function probeSelector(probeId: number): string {
  if (!Number.isInteger(probeId) || probeId < 1) throw new RangeError(`probe id must be a positive integer, got ${probeId}`);
  return `{probe_id="${probeId}"}`;
}

/** 1 while the probe connects, 0 while it fails; absent outside its window (no data, never down). */
export function availabilityQuery(probeId: number): string {
  return `tcpprobe_availability${probeSelector(probeId)}`;
}

/** Connect time of the latest successful check, in seconds. */
export function connectTimeQuery(probeId: number): string {
  return `tcpprobe_connect_seconds${probeSelector(probeId)}`;
}

/**
 * Share of the dashboard range in which the probe was up, in percent. `$__range` is Grafana's range variable, so the
 * number follows the time picker; periods without data (outside the window) count neither way.
 */
export function availabilityRatioQuery(probeId: number): string {
  return `avg_over_time(${availabilityQuery(probeId)}[$__range]) * 100`;
}

/**
 * Seconds of the dashboard range that hold data, so an availability read from 5 minutes of a 6 hour range says so.
 * A subquery counts the steps of Grafana's `$__interval` at which a sample is present (Prometheus ends a series at
 * the scrape that no longer has it: outside the window, or with the gateway down), times the step: exact to one step.
 * A series shorter than a step can fall between two steps; it counts as one step rather than as none.
 */
export function coveredSecondsQuery(probeId: number): string {
  const series = availabilityQuery(probeId);
  return `(count_over_time(${series}[$__range:$__interval]) or count_over_time(${series}[$__range]) * 0 + 1) * $__interval_ms / 1000`;
}

/** One legend entry per gateway: a server moved to another gateway keeps its probe id but changes `gateway`. */
export const GATEWAY_LEGEND = '{{gateway}}';
