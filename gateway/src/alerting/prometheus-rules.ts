// The same alert rules as a Prometheus rules file, for setups that alert through Prometheus and Alertmanager.
import { alertDefinitions, evaluationIntervalSeconds, type AlertDefinition } from './definitions.js';
import { formatDuration } from './durations.js';
import { alertExpr } from './promql.js';
import type { TemplateDialect } from './templates.js';
import type { AlertingConfig, RuleOptions } from './types.js';

export interface PrometheusAlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRuleGroup {
  name: string;
  /** e.g. "10s"; overrides the global evaluation_interval. */
  interval: string;
  rules: PrometheusAlertingRule[];
}

export interface PrometheusRuleFile {
  groups: PrometheusRuleGroup[];
}

export const PROMETHEUS_DIALECT: TemplateDialect = { value: '$value', canQuery: true };

/** Prometheus takes any interval; a probe checked every second may be evaluated every second. */
const PROMETHEUS_LIMITS = { minSeconds: 1, stepSeconds: 1 };

export function prometheusRuleGroups(config: AlertingConfig, options: RuleOptions = {}): PrometheusRuleFile {
  return {
    groups: alertDefinitions(config, options).map((group) => ({
      name: group.name,
      interval: formatDuration(evaluationIntervalSeconds(group.cadenceSeconds, PROMETHEUS_LIMITS) * 1000),
      rules: group.alerts.map((alert) => prometheusRule(alert, options)),
    })),
  };
}

/** Contact points are Grafana's: with Prometheus, Alertmanager routes by the team and severity labels. */
function prometheusRule(alert: AlertDefinition, options: RuleOptions): PrometheusAlertingRule {
  return {
    alert: alert.alertName,
    expr: alertExpr(alert.query, alert.condition),
    ...(alert.forMs > 0 ? { for: formatDuration(alert.forMs) } : {}),
    labels: alert.labels,
    annotations: alert.annotations(PROMETHEUS_DIALECT, options.grafanaUrl),
  };
}
