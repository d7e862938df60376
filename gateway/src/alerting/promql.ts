// PromQL for the alert rules, as small pure builders over the metric contract (tcpprobe_*, see the README).
import { formatDuration } from './durations.js';

/** Which probes a rule watches: a server's probes but those with their own thresholds, or one probe. */
export type ProbeScope =
  | { serverId: number; excludedProbeIds: readonly number[] }
  | { probeId: number };

/** How a rule's measured value is compared with its threshold; Grafana's threshold expression says the same. */
export interface Comparison {
  operator: '<' | '>';
  value: number;
}

/**
 * Label matchers selecting the scope. A server's rule selects by server_id, so a probe added later is covered at
 * once; it excludes the probes that override it by one anchored regex (Prometheus anchors anyway; the anchors make
 * the intent plain to a reader of the rule).
 */
export function scopeMatchers(scope: ProbeScope): string {
  if ('probeId' in scope) return `probe_id="${scope.probeId}"`;
  const server = `server_id="${scope.serverId}"`;
  if (scope.excludedProbeIds.length === 0) return server;
  return `${server},probe_id!~"^(${[...scope.excludedProbeIds].sort((a, b) => a - b).join('|')})$"`;
}

/** 1 while the probe's latest check connected, 0 while it failed; absent outside its window. */
export function availabilityQuery(scope: ProbeScope): string {
  return `tcpprobe_availability{${scopeMatchers(scope)}}`;
}

/** Failed checks in a row, 0 after a success; absent like availability. The gateway counts them, per probe. */
export function consecutiveFailuresQuery(scope: ProbeScope): string {
  return `tcpprobe_consecutive_failures{${scopeMatchers(scope)}}`;
}

/**
 * Percent of the window the probe was up, as sampled by the scrapes. The `and` keeps only probes that report
 * availability now: after its window closes a probe must read as "no data", not as its last hour's ratio.
 * Parenthesised, because `and` binds looser than the comparison appended to it.
 */
export function availabilityRatioQuery(scope: ProbeScope, windowMs: number): string {
  const availability = availabilityQuery(scope);
  return `(avg_over_time(${availability}[${formatDuration(windowMs)}]) * 100 and on (probe_id) ${availability})`;
}

/**
 * A probe that is down at a location after N failed checks in a row: its run of failures above N-1 (a whole number,
 * so `> N-1` is `>= N`, in the one form both Prometheus and Grafana's threshold expression have), or for one check
 * its availability below 1, the series dashboards graph. `matchers` select the series.
 */
export function downSeries(consecutiveChecks: number, matchers: string): { query: string; condition: Comparison } {
  return consecutiveChecks > 1
    ? { query: `tcpprobe_consecutive_failures{${matchers}}`, condition: { operator: '>', value: consecutiveChecks - 1 } }
    : { query: `tcpprobe_availability{${matchers}}`, condition: { operator: '<', value: 1 } };
}

/** The labels that name a probe whatever the location: one alert instance per probe, not per probe and location. */
export const PROBE_LABELS = ['server', 'server_id', 'probe', 'probe_id', 'target', 'role', 'site'] as const;

/**
 * Days until the probe's certificate chain expires: its earliest notAfter at the latest handshake, the earliest of its
 * locations (they may reach different backends), so one instance per probe. Negative once expired. Parenthesised,
 * though division binds tighter than the comparison appended to it, for the reader.
 */
export function certExpiryDaysQuery(scope: ProbeScope): string {
  return `((min by (${PROBE_LABELS.join(', ')}) (tcpprobe_tls_cert_expiry_timestamp_seconds{${scopeMatchers(scope)}}) - time()) / 86400)`;
}

/** The protocol, cipher and leaf certificate of the probe's latest handshake, from any location (`%q` is the probe id). */
export const TLS_INFO_QUERY_FORMAT = 'tcpprobe_tls_info{probe_id=%q}';

/** Connect time of the latest successful check, in milliseconds like the threshold. */
export function connectTimeMsQuery(scope: ProbeScope): string {
  return `tcpprobe_connect_seconds{${scopeMatchers(scope)}} * 1000`;
}

/**
 * 1 for each expected gateway that Prometheus no longer has: absent() takes its labels from the equality matcher,
 * so each down gateway is one series (one alert) labelled with its name, and it stays firing as long as the gateway
 * is gone, unlike a lookback over the gateway's last samples, which would resolve once they age out.
 * Parenthesised, because `or` binds looser than the comparison appended to it.
 */
export function gatewayDownQuery(gateways: readonly string[]): string {
  return `(${gateways.map((gateway) => `absent(tcpprobe_probes_configured{gateway=${JSON.stringify(gateway)}})`).join(' or ')})`;
}

/**
 * Percent of a gateway's slots it did not keep over the window: skipped (overlap, queued) or started late, of all
 * slots (started checks, counted by the lag histogram, plus skipped ones). One series per gateway; none while a
 * gateway runs nothing (0/0 is NaN, which compares false).
 */
export function gatewaySaturationQuery(windowMs: number): string {
  const window = formatDuration(windowMs);
  const missed = `sum by (gateway) (rate(tcpprobe_scheduler_skipped_total[${window}]))`;
  const slots = `(sum by (gateway) (rate(tcpprobe_scheduler_lag_seconds_count[${window}])) + sum by (gateway) (rate(tcpprobe_scheduler_skipped_total{reason!="late"}[${window}])))`;
  return `(100 * ${missed} / ${slots})`;
}

/** The rule's condition as one PromQL expression: what Prometheus evaluates, and what Grafana's A, B, C amount to. */
export function alertExpr(query: string, comparison: Comparison): string {
  return `${query} ${comparison.operator} ${comparison.value}`;
}

/** The failure reason seen most in the lookback, for the annotation of a probe's alert (`%q` is the probe id). */
export function frequentFailureQueryFormat(lookbackMs: number): string {
  return `topk(1, increase(tcpprobe_checks_total{probe_id=%q,result!="success"}[${formatDuration(lookbackMs)}]) > 0)`;
}

/** Where the probe's latest resolving check connected (actual_host, actual_ipv4). */
export const PROBE_INFO_QUERY_FORMAT = 'tcpprobe_info{probe_id=%q}';
