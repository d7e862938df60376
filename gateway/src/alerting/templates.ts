// What an alert says: its labels (for routing) and annotations (for the human paged), for both rule engines.
import type { Threshold } from '../schemas/threshold.js';
import { formatDuration, parseDurationMs } from './durations.js';
import { PROBE_INFO_QUERY_FORMAT, TLS_INFO_QUERY_FORMAT, frequentFailureQueryFormat } from './promql.js';
import { DEFAULT_CERT_EXPIRY_THRESHOLDS } from './thresholds.js';
import type { AlertingServer } from './types.js';

/** The one template difference that matters here: how the value is named, and whether a template may query. */
export interface TemplateDialect {
  /** The alert instance's measured value: `$value` in Prometheus, `$values.<ref>.Value` in Grafana. */
  value: string;
  /** Prometheus templates can run PromQL (`query`); Grafana's cannot, so failure details come from the probe page. */
  canQuery: boolean;
  /**
   * Grafana: the value of a multi-location rule's per-location expression (index in the server's gateway order),
   * which stands in for the query a Prometheus template runs to name the locations down and up.
   */
  locationValue?: (index: number) => string;
}

export const MANAGED_BY = 'probekit';
export const APP_ID = 'probekit-tcpprobe-app';

/** Prometheus-style alert names; Grafana titles start with them. */
export const ALERT_NAMES: Record<Threshold['kind'] | 'pathDown' | 'gatewayDown' | 'gatewaySaturated', string> = {
  availability: 'TcpProbeDown',
  pathDown: 'TcpProbePathDown',
  availabilityRatio: 'TcpProbeAvailabilityLow',
  connectTime: 'TcpProbeConnectSlow',
  certExpiry: 'TcpProbeCertExpiring',
  gatewayDown: 'TcpProbeGatewayDown',
  gatewaySaturated: 'TcpProbeGatewaySaturated',
};

/** Grafana's limit on a title; names are at most 128 characters each, so only the longest pairs are cut. */
const TITLE_MAX_LENGTH = 190;

export function ruleTitle(title: string): string {
  return title.length <= TITLE_MAX_LENGTH ? title : `${title.slice(0, TITLE_MAX_LENGTH - 1)}…`;
}

/** Both engines expand labels and annotations as Go templates: a name containing "{{" must stay text. */
export function literal(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}

/**
 * Routing labels of a threshold's rule; probe, probe_id and target come from each series. Empty labels are left out.
 * A probe's own rule also carries its probe_id (the value its series have anyway): without it, the rule could look
 * like a duplicate of the server's rule of the same kind and level, which `promtool check rules` refuses.
 */
export function thresholdLabels(server: Pick<AlertingServer, 'name' | 'site' | 'role'>, probeId: number | null, threshold: Threshold): Record<string, string> {
  return compact({
    team: threshold.team,
    severity: threshold.level,
    server: literal(server.name),
    site: server.site && literal(server.site),
    role: server.role && literal(server.role),
    probe_id: probeId === null ? undefined : String(probeId),
    managed_by: MANAGED_BY,
  });
}

export function gatewayLabels(team: string | undefined): Record<string, string> {
  return compact({ team, severity: 'critical', managed_by: MANAGED_BY });
}

export interface ThresholdText {
  threshold: Threshold;
  /** How long the condition must hold before the alert fires. */
  forMs: number;
  /** availabilityRatio: the window of the ratio. */
  windowMs: number;
  /** How far back the failure reason is looked up. */
  reasonLookbackMs: number;
  isDefault: boolean;
}

export function thresholdAnnotations(text: ThresholdText, dialect: TemplateDialect, grafanaUrl: string | undefined): Record<string, string> {
  const { threshold } = text;
  const probe = PROBE_TEXT;
  const from = 'from gateway {{ $labels.gateway }}';
  const details = (parts: string[]) => parts.join('') + defaultNote(text) + probePageHint(dialect, grafanaUrl);
  let summary: string;
  let description: string;
  switch (threshold.kind) {
    case 'availability':
      summary = `${probe} is down`;
      description = details([
        `TCP connects ${from} to {{ $labels.target }} are failing: down ${downCondition(threshold)}.`,
        dialect.canQuery ? frequentFailure(text.reasonLookbackMs) + resolvedTarget() : '',
      ]);
      break;
    case 'availabilityRatio':
      summary = `${probe} was up {{ printf "%.2f" ${dialect.value} }}% of the last ${formatDuration(text.windowMs)}`;
      description = details([
        `Availability ${from} is below the ${threshold.level} threshold of ${threshold.value}% over ${formatDuration(text.windowMs)}${forText(text.forMs)}.`,
        dialect.canQuery ? frequentFailure(text.reasonLookbackMs) : '',
      ]);
      break;
    case 'connectTime':
      summary = `${probe} connects in {{ printf "%.0f" ${dialect.value} }} ms`;
      description = details([
        `The TCP connect time ${from} is above the ${threshold.level} threshold of ${threshold.value} ms${forText(text.forMs)}.`,
        dialect.canQuery ? resolvedTarget() : '',
      ]);
      break;
    case 'certExpiry':
      summary = `${probe}: its TLS certificate {{ if lt ${dialect.value} 0.0 }}has expired{{ else }}expires in {{ printf "%.1f" ${dialect.value} }} days{{ end }}`;
      description = details([
        `The first certificate to expire in the chain {{ $labels.target }} presents expires in less than the ${threshold.level} threshold of ${threshold.value} days${forText(text.forMs)}.`,
        ' Renew it, or see why its automatic renewal did not.',
        dialect.canQuery ? tlsCertificate() : '',
      ]);
      break;
  }
  return { summary, description, ...linkAnnotations(threshold, grafanaUrl) };
}

/** How an alert names its probe. */
export const PROBE_TEXT = '{{ $labels.probe }} ({{ $labels.target }}) of {{ $labels.server }}';

/** The runbook the threshold names and the probe's page in the app, when known. */
export function linkAnnotations(threshold: Threshold, grafanaUrl: string | undefined): Record<string, string> {
  return compact({
    runbook_url: threshold.runbookUrl && literal(threshold.runbookUrl),
    probe_url: grafanaUrl && `${literal(trimSlash(grafanaUrl))}/a/${APP_ID}/probes/{{ $labels.probe_id }}`,
  });
}

export function defaultNote(text: Pick<ThresholdText, 'isDefault' | 'threshold'>): string {
  if (!text.isDefault) return '';
  return text.threshold.kind === 'certExpiry'
    ? ` This is the built-in default of probes with TLS (${DEFAULT_CERT_EXPIRY_THRESHOLDS.map((d) => `${d.level} ${d.value} days`).join(', ')} ahead);` +
      ` set a certExpiry threshold at level ${text.threshold.level} on the server or probe to change it.`
    : ' This is the built-in default; set an availability threshold on the server or probe to change it.';
}

export function gatewayAnnotations(forMs: number): Record<string, string> {
  return {
    summary: 'probekit gateway {{ $labels.gateway }} is not being scraped',
    description:
      `Prometheus has had no metrics from gateway {{ $labels.gateway }} for ${formatDuration(forMs)}: the gateway is down or unreachable. ` +
      'Its probes report no data meanwhile, so their own alerts stay quiet: this is the one alert for the outage.',
  };
}

export function gatewaySaturationAnnotations(dialect: TemplateDialect, percent: number, windowMs: number, forMs: number): Record<string, string> {
  return {
    summary: `probekit gateway {{ $labels.gateway }} misses {{ printf "%.1f" ${dialect.value} }}% of its probes' slots`,
    description:
      `For ${formatDuration(forMs)}, more than ${percent}% of the checks of gateway {{ $labels.gateway }} over ${formatDuration(windowMs)} were skipped or ` +
      'started late (more than a tenth of their interval, at least 1 s, after they were due): its probes report stale results and their alerts come late. ' +
      'tcpprobe_scheduler_skipped_total{reason} says why: overlap, checks slower than their interval; queued and late, the in-flight cap binds ' +
      '(tcpprobe_checks_in_flight at tcpprobe_checks_in_flight_limit), most often because many targets time out. Raise GATEWAY_MAX_IN_FLIGHT and the ' +
      'open-file limit, lengthen intervals or timeouts, or move probe servers to another gateway.',
  };
}

/**
 * When an availability rule fires, in the words of the thresholds page and of the alert: "for 5m after 2 failed checks
 * in a row" (the run of failures reached 2 and has lasted 5 more minutes), "after 3 failed checks in a row", "for 2m",
 * "at one failed check".
 */
export function downCondition(threshold: Pick<Threshold, 'for' | 'consecutiveChecks'>): string {
  const forMs = threshold.for === undefined ? 0 : parseDurationMs(threshold.for);
  const hold = forMs > 0 ? `for ${formatDuration(forMs)}` : '';
  const checks = threshold.consecutiveChecks ?? 1;
  if (checks > 1) return `${hold === '' ? '' : `${hold} `}after ${checks} failed checks in a row`;
  return hold === '' ? 'at one failed check' : hold;
}

export function forText(forMs: number): string {
  return forMs > 0 ? ` for ${formatDuration(forMs)}` : '';
}

/** The failure reason counted most often lately; the gateway counts every check by result in tcpprobe_checks_total. */
export function frequentFailure(lookbackMs: number): string {
  return `{{ with printf \`${frequentFailureQueryFormat(lookbackMs)}\` $labels.probe_id | query }}{{ with first . }}` +
    ` Most frequent failure in the last ${formatDuration(lookbackMs)}: {{ label "result" . }}.{{ end }}{{ end }}`;
}

/** Where the name pointed at the latest check that resolved it (CNAMEs followed); an IPv6 target has no IPv4. */
export function resolvedTarget(): string {
  return `{{ with printf \`${PROBE_INFO_QUERY_FORMAT}\` $labels.probe_id | query }}{{ with first . }}` +
    ' Last resolved to {{ label "actual_host" . }}{{ with label "actual_ipv4" . }} ({{ . }}){{ end }}.{{ end }}{{ end }}';
}

/** The leaf certificate of the latest handshake; the chain's first expiry may be an intermediate's. */
export function tlsCertificate(): string {
  return `{{ with printf \`${TLS_INFO_QUERY_FORMAT}\` $labels.probe_id | query }}{{ with first . }}` +
    ' Leaf certificate: {{ label "subject" . }}, issued by {{ label "issuer" . }} (SHA-256 {{ label "fingerprint_sha256" . }}).{{ end }}{{ end }}';
}

export function probePageHint(dialect: TemplateDialect, grafanaUrl: string | undefined): string {
  return !dialect.canQuery && grafanaUrl ? ' The probe page (probe_url) shows the latest result and its failure reason.' : '';
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function compact(record: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== null && entry[1] !== ''));
}
