// The app's settings as Grafana stores them: jsonData is readable by every user, secureJsonData is write-only.

export interface AppJsonData {
  /** Where Grafana's server reaches the gateway, e.g. http://probekit-gateway:8080 (no path). */
  gatewayUrl?: string;
  /** The Prometheus data source that scrapes the gateway's /metrics. */
  prometheusUid?: string;
  /** Folder of the Grafana-managed alert rules made from thresholds. */
  alertFolderUid?: string;
  alertFolderTitle?: string;
  /** `team` label for alerts whose threshold names no team. */
  defaultTeam?: string;
}

export interface AppSecureJsonData {
  /** The gateway's API token; Grafana adds it as `Authorization: Bearer` on the proxy route. */
  gatewayToken?: string;
}
