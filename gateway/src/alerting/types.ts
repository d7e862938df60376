// What the alert-rule mapping reads: the stored servers and probes, as the gateway API returns them.
import type { Server } from '../schemas/server.js';
import type { Probe } from '../schemas/probe.js';
import type { DialogueStep, TlsSettings } from '../probing/types.js';

/** Type-only imports: this folder stays free of runtime dependencies so the Grafana plugin can bundle it. */
export type AlertingServer = Pick<Server, 'id' | 'name' | 'role' | 'site' | 'gateways' | 'thresholds'>;
/**
 * `tls` and `dialogue` say whether the probe uses TLS, which gives it the certExpiry defaults; left out, the probe is
 * plain. (Declared here rather than picked from Probe, so that callers with older probe objects still fit.)
 */
export type AlertingProbe = Pick<Probe, 'id' | 'serverId' | 'name' | 'intervalSeconds' | 'thresholds'> & {
  tls?: TlsSettings | null;
  dialogue?: readonly DialogueStep[] | null;
};

/** A location's owner: its path alerts (TcpProbePathDown) go to this team rather than the service's. */
export interface AlertingGateway {
  id: string;
  team: string | null;
}

export interface AlertingConfig {
  servers: readonly AlertingServer[];
  probes: readonly AlertingProbe[];
  /** Teams of the locations (GET /api/v1/gateways); a gateway missing here, or without a team, routes to the threshold's team. */
  gateways?: readonly AlertingGateway[];
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
