// What the alert-rule mapping reads: the stored servers and probes, as the gateway API returns them.
import type { Server } from '../schemas/server.js';
import type { Probe } from '../schemas/probe.js';

/** Type-only imports: this folder stays free of runtime dependencies so the Grafana plugin can bundle it. */
export type AlertingServer = Pick<Server, 'id' | 'name' | 'role' | 'site' | 'gateway' | 'thresholds'>;
export type AlertingProbe = Pick<Probe, 'id' | 'serverId' | 'name' | 'intervalSeconds' | 'thresholds'>;

export interface AlertingConfig {
  servers: readonly AlertingServer[];
  probes: readonly AlertingProbe[];
}

/** Settings both rule formats share. */
export interface RuleOptions {
  /** Grafana's public base URL; alerts then link to the probe's page in the app. */
  grafanaUrl?: string;
  /** How often Prometheus scrapes the gateways (default 60 s, Prometheus' own default): a gateway is down after three missed scrapes. */
  scrapeIntervalSeconds?: number;
  /** Team label of the gateway-down alert (gateways belong to no probe server's team). */
  gatewayTeam?: string;
  /** Grafana contact point of the gateway-down alert; like a threshold's contactPoint, Prometheus rules leave it to Alertmanager. */
  gatewayContactPoint?: string;
}
