// The Grafana alerting provisioning payloads this module produces, as Grafana's API specification defines them
// (../shared/schemas/grafana-alerting-provisioning.schema.json; the tests validate every payload against it).

/** Seconds before now. */
export interface RelativeTimeRange {
  from: number;
  to: number;
}

export interface AlertQuery {
  refId: string;
  /** A data source uid, or "__expr__" for a server-side expression. */
  datasourceUid: string;
  queryType?: string;
  relativeTimeRange?: RelativeTimeRange;
  model: Record<string, unknown>;
}

export interface AlertRuleNotificationSettings {
  receiver: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
}

export type NoDataState = 'Alerting' | 'NoData' | 'OK';
export type ExecErrState = 'OK' | 'Alerting' | 'Error';

export interface ProvisionedAlertRule {
  /** At most 40 characters of [a-zA-Z0-9-_]. */
  uid?: string;
  orgID: number;
  folderUID: string;
  ruleGroup: string;
  title: string;
  /** The refId whose result decides the state. */
  condition: string;
  data: AlertQuery[];
  noDataState: NoDataState;
  execErrState: ExecErrState;
  /** Prometheus-style duration, e.g. "5m". */
  for: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  isPaused?: boolean;
  notification_settings?: AlertRuleNotificationSettings;
  missingSeriesEvalsToResolve?: number;
}

/** The body of PUT /api/v1/provisioning/folder/{folderUid}/rule-groups/{title}. */
export interface AlertRuleGroup {
  title: string;
  folderUid: string;
  /** Evaluation interval in seconds, a multiple of Grafana's 10 s base interval. */
  interval: number;
  rules: ProvisionedAlertRule[];
}
