// The alert rules of a configuration, independent of the rule engine: one group per probe server with one rule per
// (server, threshold) and per probe override (for a server on several gateways also one path rule per location, see
// location-rules.ts), and one group with the gateway rules. Grafana and Prometheus render them.
import type { Threshold } from '../schemas/threshold.js';
import { parseDurationMs } from './durations.js';
import { locationAlerts, type GatewayTeams } from './location-rules.js';
import {
  availabilityRatioQuery, certExpiryDaysQuery, connectTimeMsQuery, downSeries, gatewayDownQuery, gatewaySaturationQuery, scopeMatchers, type Comparison, type ProbeScope,
} from './promql.js';
import { DEFAULT_RATIO_WINDOW, effectiveThresholds, follows, overrides, type SourcedThreshold } from './thresholds.js';
import {
  ALERT_NAMES, gatewayAnnotations, gatewayLabels, gatewaySaturationAnnotations, ruleTitle, thresholdAnnotations, thresholdLabels, type TemplateDialect,
  type ThresholdText,
} from './templates.js';
import { GATEWAY_DOWN_RULE_UID, GATEWAY_SATURATED_RULE_UID, thresholdRuleUid } from './uids.js';
import type { AlertingConfig, AlertingProbe, AlertingServer, RuleOptions } from './types.js';

export interface AlertDefinition {
  uid: string;
  /** Prometheus' alert name; Grafana's title starts with it. */
  alertName: string;
  /** Grafana's title: unique in the folder (Grafana before 12 insists) and naming whose rule it is. */
  title: string;
  /** The measured value, one series per alert instance. */
  query: string;
  condition: Comparison;
  /** How far back the query reads (Grafana's relativeTimeRange). */
  lookbackMs: number;
  /** How long the condition must hold before the alert fires: the threshold's `for`, whatever the probes' intervals. */
  forMs: number;
  labels: Record<string, string>;
  annotations(dialect: TemplateDialect, grafanaUrl: string | undefined): Record<string, string>;
  /** A Grafana contact point that receives this rule's notifications directly. */
  contactPoint: string | null;
  /**
   * Grafana only, for a rule of a server on several gateways: one query per location (in the server's order) whose
   * values the annotations read, since Grafana's templates cannot query.
   */
  locationQueries?: string[];
}

export interface AlertGroupDefinition {
  name: string;
  /** How often what the group watches can change: its fastest probe's interval, or the scrape interval. */
  cadenceSeconds: number | null;
  alerts: AlertDefinition[];
}

/** The gateway's default probe interval (DEFAULT_INTERVAL_SECONDS in schemas/probe.ts, not imported at run time). */
export const DEFAULT_PROBE_INTERVAL_SECONDS = 300;
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 60;
/** Scrapes a gateway may miss before it is down: one missed scrape or a restart is not an outage. */
export const GATEWAY_MISSED_SCRAPES = 3;
/** Grafana's default query range; instant queries only need it for $__range. */
const DEFAULT_LOOKBACK_MS = 600_000;
/** A failure reason is looked up over at least this, and at least two intervals of the slowest probe. */
const MIN_REASON_LOOKBACK_MS = 300_000;

export const GATEWAY_GROUP = 'gateways';

export function groupName(server: Pick<AlertingServer, 'id'>): string {
  // The id, not the name: renaming a server must not leave its old group behind in Grafana.
  return `server-${server.id}`;
}

export function alertDefinitions(config: AlertingConfig, options: RuleOptions = {}): AlertGroupDefinition[] {
  const probesByServer = new Map<number, AlertingProbe[]>();
  for (const probe of config.probes.toSorted((a, b) => a.id - b.id)) {
    const probes = probesByServer.get(probe.serverId);
    if (probes) probes.push(probe);
    else probesByServer.set(probe.serverId, [probe]);
  }
  const servers = config.servers.toSorted((a, b) => a.id - b.id);
  const teams: GatewayTeams = new Map((config.gateways ?? []).map((gateway) => [gateway.id, gateway.team]));
  const groups = servers.map((server) => serverGroup(server, probesByServer.get(server.id) ?? [], teams));
  const gateways = [...new Set(servers.filter((server) => probesByServer.has(server.id)).flatMap((server) => server.gateways))].sort();
  return gateways.length === 0 ? groups : [...groups, gatewayGroup(gateways, options)];
}

function serverGroup(server: AlertingServer, probes: AlertingProbe[], teams: GatewayTeams): AlertGroupDefinition {
  const effective = effectiveThresholds(server, probes);
  const serverAlerts = effective.server.flatMap((entry) => {
    const coveredIntervals: number[] = [];
    const excludedProbeIds: number[] = [];
    for (const { probe, thresholds } of effective.probes) {
      if (follows(thresholds, entry)) coveredIntervals.push(probe.intervalSeconds);
      else if (overrides(probe, thresholds, entry)) excludedProbeIds.push(probe.id);
    }
    return thresholdAlerts(server, null, { serverId: server.id, excludedProbeIds }, entry, coveredIntervals, teams);
  });
  const probeAlerts = effective.probes.flatMap(({ probe, thresholds }) => thresholds
    .filter((entry) => entry.source === 'probe')
    .flatMap((entry) => thresholdAlerts(server, probe, { probeId: probe.id }, entry, [probe.intervalSeconds], teams)));
  return {
    name: groupName(server),
    cadenceSeconds: probes.length === 0 ? null : probes.reduce((shortest, probe) => Math.min(shortest, probe.intervalSeconds), Infinity),
    alerts: [...serverAlerts, ...probeAlerts],
  };
}

/** A threshold's rule; on a server with several gateways, as location-rules.ts makes it (with its path rules). */
function thresholdAlerts(
  server: AlertingServer,
  probe: AlertingProbe | null,
  scope: ProbeScope,
  sourced: SourcedThreshold,
  intervalsSeconds: number[],
  teams: GatewayTeams,
): AlertDefinition[] {
  const { alert, text } = thresholdAlert(server, probe, scope, sourced, intervalsSeconds);
  return server.gateways.length > 1 ? locationAlerts({ alert, text, server, probe, scope, teams }) : [alert];
}

function thresholdAlert(
  server: AlertingServer,
  probe: AlertingProbe | null,
  scope: ProbeScope,
  { threshold, source }: SourcedThreshold,
  intervalsSeconds: number[],
): { alert: AlertDefinition; text: ThresholdText } {
  // Only the failure reason's lookback depends on the intervals. A server rule also covers probes added later; with
  // none yet, assume the gateway's default interval.
  const longestIntervalSeconds = intervalsSeconds.length === 0 ? DEFAULT_PROBE_INTERVAL_SECONDS : intervalsSeconds.reduce((a, b) => Math.max(a, b));
  const forMs = threshold.for === undefined ? 0 : parseDurationMs(threshold.for);
  const windowMs = parseDurationMs(threshold.window ?? DEFAULT_RATIO_WINDOW);
  const measure = measurement(threshold, scope, windowMs);
  const text: ThresholdText = {
    threshold,
    forMs,
    windowMs,
    reasonLookbackMs: threshold.kind === 'availabilityRatio' ? windowMs : Math.max(MIN_REASON_LOOKBACK_MS, 2 * longestIntervalSeconds * 1000),
    isDefault: source === 'default',
  };
  const alertName = ALERT_NAMES[threshold.kind];
  const alert: AlertDefinition = {
    uid: thresholdRuleUid('probeId' in scope ? scope : { serverId: server.id }, threshold.kind, threshold.level),
    alertName,
    title: ruleTitle(`${alertName} ${threshold.level}: ${server.name}${probe ? `, probe ${probe.name}` : ''}`),
    query: measure.query,
    condition: measure.condition,
    lookbackMs: Math.max(DEFAULT_LOOKBACK_MS, threshold.kind === 'availabilityRatio' ? windowMs : 0),
    forMs,
    labels: thresholdLabels(server, probe?.id ?? null, threshold),
    annotations: (dialect, grafanaUrl) => thresholdAnnotations(text, dialect, grafanaUrl),
    contactPoint: threshold.contactPoint || null,
  };
  return { alert, text };
}

function measurement(threshold: Threshold, scope: ProbeScope, windowMs: number): { query: string; condition: Comparison } {
  switch (threshold.kind) {
    // "N checks in a row" is the gateway's own run of failures, per probe, so it holds for every probe of a rule
    // whatever their intervals; `for` then counts from the N-th failure.
    case 'availability': return downSeries(threshold.consecutiveChecks ?? 1, scopeMatchers(scope));
    case 'availabilityRatio': return { query: availabilityRatioQuery(scope, windowMs), condition: { operator: '<', value: requiredValue(threshold) } };
    case 'connectTime': return { query: connectTimeMsQuery(scope), condition: { operator: '>', value: requiredValue(threshold) } };
    case 'certExpiry': return { query: certExpiryDaysQuery(scope), condition: { operator: '<', value: requiredValue(threshold) } };
  }
}

function requiredValue(threshold: Threshold): number {
  if (threshold.value === undefined) throw new Error(`a ${threshold.kind} threshold needs a value (the gateway validates this)`);
  return threshold.value;
}

function gatewayGroup(gateways: string[], options: RuleOptions): AlertGroupDefinition {
  const scrapeSeconds = options.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS;
  const forMs = GATEWAY_MISSED_SCRAPES * scrapeSeconds * 1000;
  return {
    name: GATEWAY_GROUP,
    cadenceSeconds: scrapeSeconds,
    alerts: [{
      uid: GATEWAY_DOWN_RULE_UID,
      alertName: ALERT_NAMES.gatewayDown,
      title: ALERT_NAMES.gatewayDown,
      query: gatewayDownQuery(gateways),
      condition: { operator: '>', value: 0 },
      lookbackMs: DEFAULT_LOOKBACK_MS,
      forMs,
      labels: gatewayLabels(options.gatewayTeam),
      annotations: () => gatewayAnnotations(forMs),
      contactPoint: options.gatewayContactPoint || null,
    }, gatewaySaturatedAlert(scrapeSeconds, options)],
  };
}

/** Slots a gateway may miss (skipped or late) over SATURATION_WINDOW_MS before it is saturated, in percent. */
export const SATURATION_PERCENT = 1;
/** Long enough that one burst (a restart, an import, a stall) stays under the percentage, short enough to page within minutes. */
export const SATURATION_WINDOW_MS = 300_000;
/** Scrapes the condition must hold: five, 5 minutes at the default scrape interval. */
export const SATURATION_SCRAPES = 5;

/**
 * A gateway that keeps missing its probes' slots: their results go stale and their alerts come late, which no probe
 * rule shows (the probes still report their last state). One alert per gateway, for the gateways' team.
 */
function gatewaySaturatedAlert(scrapeSeconds: number, options: RuleOptions): AlertDefinition {
  const forMs = SATURATION_SCRAPES * scrapeSeconds * 1000;
  return {
    uid: GATEWAY_SATURATED_RULE_UID,
    alertName: ALERT_NAMES.gatewaySaturated,
    title: ALERT_NAMES.gatewaySaturated,
    query: gatewaySaturationQuery(SATURATION_WINDOW_MS),
    condition: { operator: '>', value: SATURATION_PERCENT },
    lookbackMs: Math.max(DEFAULT_LOOKBACK_MS, SATURATION_WINDOW_MS),
    forMs,
    labels: { ...gatewayLabels(options.gatewayTeam), severity: 'warning' },
    annotations: (dialect) => gatewaySaturationAnnotations(dialect, SATURATION_PERCENT, SATURATION_WINDOW_MS, forMs),
    contactPoint: options.gatewayContactPoint || null,
  };
}

export interface EvaluationLimits {
  /** The engine's shortest interval (Grafana: its 10 s base interval). */
  minSeconds: number;
  /** Intervals must be a multiple of this (Grafana: 10 s). */
  stepSeconds: number;
}

/** Evaluating less often than this would delay every alert past its `for` by more than a minute. */
export const MAX_EVALUATION_INTERVAL_SECONDS = 60;

/**
 * A group is evaluated as often as its fastest probe checks, so no result is missed between two evaluations, but at
 * least every minute (a 5-minute probe still alerts within a minute of its `for`) and no more often than the engine
 * allows, in its steps.
 */
export function evaluationIntervalSeconds(cadenceSeconds: number | null, limits: EvaluationLimits): number {
  const wanted = Math.min(cadenceSeconds ?? MAX_EVALUATION_INTERVAL_SECONDS, MAX_EVALUATION_INTERVAL_SECONDS);
  return Math.max(limits.minSeconds, Math.floor(wanted / limits.stepSeconds) * limits.stepSeconds);
}
