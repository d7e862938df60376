// Where the alert rules go, from the app's settings: the Prometheus data source they query, the folder that holds
// them, the team label of thresholds that name none. Pure.
import type { AppJsonData } from '../types';

/** The folder the app creates when the admin picked none: a fixed uid, so every save finds the same one. */
export const DEFAULT_ALERT_FOLDER_UID = 'probekit-alerts';
export const DEFAULT_ALERT_FOLDER_TITLE = 'probekit TCP probes';

export interface AlertingTarget {
  folderUid: string;
  /** Used only when the folder has to be created. */
  folderTitle: string;
  /** The Prometheus data source that scrapes the gateways. */
  datasourceUid: string;
  /** Grafana's public base URL: alerts link to the probe's page. */
  grafanaUrl: string;
  orgId: number;
  /** `team` label of rules whose threshold names no team (and of the gateway-down rule). */
  defaultTeam?: string;
}

export type AlertingTargetResult = { ok: true; target: AlertingTarget } | { ok: false; problem: 'noPrometheus' };

export interface GrafanaEnvironment {
  /** config.appUrl, e.g. https://grafana.example/ */
  appUrl: string;
  orgId: number;
}

export function alertingTarget(jsonData: AppJsonData, environment: GrafanaEnvironment): AlertingTargetResult {
  if (!jsonData.prometheusUid) return { ok: false, problem: 'noPrometheus' };
  const pickedFolder = Boolean(jsonData.alertFolderUid);
  return {
    ok: true,
    target: {
      folderUid: pickedFolder ? jsonData.alertFolderUid! : DEFAULT_ALERT_FOLDER_UID,
      folderTitle: (pickedFolder && jsonData.alertFolderTitle) || DEFAULT_ALERT_FOLDER_TITLE,
      datasourceUid: jsonData.prometheusUid,
      grafanaUrl: environment.appUrl,
      orgId: environment.orgId,
      ...(jsonData.defaultTeam ? { defaultTeam: jsonData.defaultTeam } : {}),
    },
  };
}

export const NO_PROMETHEUS_MESSAGE =
  'No Prometheus data source is configured for the app, so no alert rules are written to Grafana. An admin sets the data source that scrapes the gateways on the Configuration page.';
