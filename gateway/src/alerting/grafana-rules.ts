// Grafana-managed alert rules: the rule groups the plugin PUTs to /api/v1/provisioning/folder/{folderUid}/rule-groups/{title}.
import { alertDefinitions, evaluationIntervalSeconds, type AlertDefinition } from './definitions.js';
import { formatDuration } from './durations.js';
import type { AlertQuery, AlertRuleGroup, ExecErrState, NoDataState, ProvisionedAlertRule } from './grafana-types.js';
import type { TemplateDialect } from './templates.js';
import type { AlertingConfig, RuleOptions } from './types.js';

export interface GrafanaRuleOptions extends RuleOptions {
  /** The app's alert folder. */
  folderUid: string;
  /** The Prometheus data source that scrapes the gateways. */
  datasourceUid: string;
  /** Grafana's public base URL, for the link to the probe page in every alert. */
  grafanaUrl: string;
  /** Grafana uses the caller's organisation; the specification still requires the field. */
  orgId?: number;
}

export const EXPRESSION_DATASOURCE_UID = '__expr__';

/** A: the PromQL query, B: its last value per series, C: B against the threshold, the condition. */
export const QUERY_REF = 'A';
export const REDUCE_REF = 'B';
export const CONDITION_REF = 'C';

/**
 * A multi-location rule's per-location queries (Q1, Q2, ... in the server's order of gateways) and their last values
 * (L1, L2, ...), which its annotations read: Grafana hands each instance the values whose labels match its own.
 */
export const locationQueryRef = (index: number): string => `Q${index + 1}`;
export const locationStateRef = (index: number): string => `L${index + 1}`;

export const GRAFANA_DIALECT: TemplateDialect = {
  value: `$values.${REDUCE_REF}.Value`,
  canQuery: false,
  locationValue: (index) => `$values.${locationStateRef(index)}.Value`,
};

/** Grafana evaluates on a 10 s base interval, in multiples of it. */
const GRAFANA_LIMITS = { minSeconds: 10, stepSeconds: 10 };

/**
 * "No data" is OK: a probe outside its window or schedule reports no availability and must not alert, and when a
 * gateway stops being scraped its probes' series vanish too, so only the gateway-down rule fires for that outage.
 */
export const NO_DATA_STATE: NoDataState = 'OK';

/**
 * A failing query (Prometheus unreachable) becomes Grafana's DatasourceError alert: monitoring that cannot see is
 * worth a notice, and OK would resolve every real outage on the first failed query and page again after it.
 */
export const EXEC_ERR_STATE: ExecErrState = 'Error';

export function grafanaRuleGroups(config: AlertingConfig, options: GrafanaRuleOptions): AlertRuleGroup[] {
  return alertDefinitions(config, options).map((group) => {
    const interval = evaluationIntervalSeconds(group.cadenceSeconds, GRAFANA_LIMITS);
    return {
      title: group.name,
      folderUid: options.folderUid,
      interval,
      rules: group.alerts.map((alert) => grafanaRule(alert, group.name, interval, options)),
    };
  });
}

function grafanaRule(alert: AlertDefinition, ruleGroup: string, intervalSeconds: number, options: GrafanaRuleOptions): ProvisionedAlertRule {
  return {
    uid: alert.uid,
    orgID: options.orgId ?? 1,
    folderUID: options.folderUid,
    ruleGroup,
    title: alert.title,
    condition: CONDITION_REF,
    data: [
      prometheusQuery(QUERY_REF, alert.query, alert.lookbackMs, options),
      lastValue(REDUCE_REF, QUERY_REF),
      expression(CONDITION_REF, {
        type: 'threshold',
        expression: REDUCE_REF,
        conditions: [{ evaluator: { type: alert.condition.operator === '<' ? 'lt' : 'gt', params: [alert.condition.value] } }],
      }),
      ...(alert.locationQueries ?? []).flatMap((query, index) => [
        prometheusQuery(locationQueryRef(index), query, alert.lookbackMs, options),
        lastValue(locationStateRef(index), locationQueryRef(index)),
      ]),
    ],
    noDataState: NO_DATA_STATE,
    execErrState: EXEC_ERR_STATE,
    for: formatDuration(pendingMs(alert.forMs, intervalSeconds)),
    labels: alert.labels,
    annotations: alert.annotations(GRAFANA_DIALECT, options.grafanaUrl),
    isPaused: false,
    ...(alert.contactPoint === null ? {} : { notification_settings: { receiver: alert.contactPoint } }),
  };
}

function prometheusQuery(refId: string, expr: string, lookbackMs: number, options: GrafanaRuleOptions): AlertQuery {
  return {
    refId,
    datasourceUid: options.datasourceUid,
    relativeTimeRange: { from: Math.ceil(lookbackMs / 1000), to: 0 },
    model: { refId, expr, instant: true },
  };
}

/** dropNN: a NaN (a ratio without samples) is no data, not a value below every threshold. */
function lastValue(refId: string, query: string): AlertQuery {
  return expression(refId, { type: 'reduce', expression: query, reducer: 'last', settings: { mode: 'dropNN' } });
}

function expression(refId: string, model: Record<string, unknown>): AlertQuery {
  return {
    refId,
    datasourceUid: EXPRESSION_DATASOURCE_UID,
    relativeTimeRange: { from: 0, to: 0 },
    model: { refId, datasource: { type: EXPRESSION_DATASOURCE_UID, uid: EXPRESSION_DATASOURCE_UID }, ...model },
  };
}

/** Grafana's editor refuses a pending period shorter than the evaluation interval (other than none); it could not be observed anyway. */
function pendingMs(forMs: number, intervalSeconds: number): number {
  return forMs === 0 ? 0 : Math.max(forMs, intervalSeconds * 1000);
}
