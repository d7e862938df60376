// Threshold overrides -> alert rules, for Grafana (the plugin) and Prometheus (the gateway's export). Pure: no I/O.
export type { AlertingConfig, AlertingGateway, AlertingProbe, AlertingServer, RuleOptions } from './types.js';
export {
  DEFAULT_CERT_EXPIRY_THRESHOLDS, DEFAULT_RATIO_WINDOW, DEFAULT_THRESHOLD, effectiveThresholds, follows, overrides, probeThresholds, quorumOf,
  serverThresholds, thresholdKey, usesTls,
  type EffectiveThresholds, type SourcedThreshold, type ThresholdKind, type ThresholdLevel, type ThresholdSource,
} from './thresholds.js';
export {
  alertExpr, availabilityQuery, availabilityRatioQuery, certExpiryDaysQuery, connectTimeMsQuery, consecutiveFailuresQuery, gatewayDownQuery, scopeMatchers,
  type Comparison, type ProbeScope,
} from './promql.js';
export {
  LOCATION_DOWN, LOCATION_UP, PROBE_LABELS, locationStateQuery, locationsAvailabilityRatioQuery, locationsDownQuery, pathDownQuery,
} from './location-promql.js';
export { GATEWAY_DOWN_RULE_UID, RULE_UID_MAX_LENGTH, RULE_UID_PATTERN, RULE_UID_PREFIX, pathRuleUid, thresholdRuleUid } from './uids.js';
export {
  DEFAULT_PROBE_INTERVAL_SECONDS, DEFAULT_SCRAPE_INTERVAL_SECONDS, GATEWAY_GROUP, MAX_EVALUATION_INTERVAL_SECONDS,
  alertDefinitions, evaluationIntervalSeconds, groupName,
  type AlertDefinition, type AlertGroupDefinition, type EvaluationLimits,
} from './definitions.js';
export { ALERT_NAMES, APP_ID, MANAGED_BY, downCondition } from './templates.js';
export { formatDuration, parseDurationMs } from './durations.js';
export {
  CONDITION_REF, EXEC_ERR_STATE, EXPRESSION_DATASOURCE_UID, GRAFANA_DIALECT, NO_DATA_STATE, QUERY_REF, REDUCE_REF,
  grafanaRuleGroups, locationQueryRef, locationStateRef, type GrafanaRuleOptions,
} from './grafana-rules.js';
export type { AlertQuery, AlertRuleGroup, AlertRuleNotificationSettings, ProvisionedAlertRule, RelativeTimeRange } from './grafana-types.js';
export { prometheusRuleGroups, type PrometheusAlertingRule, type PrometheusRuleFile, type PrometheusRuleGroup } from './prometheus-rules.js';
