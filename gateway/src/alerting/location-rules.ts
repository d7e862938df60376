// The rules of a threshold on a server probed from several gateways (locations). Availability alerts once a quorum
// of locations sees a probe down (one instance per probe), and raises TcpProbePathDown per location that sees it down
// short of the quorum while another sees it up, for that location's team. The ratio is over all locations; connect
// time stays per location, as for one gateway.
import type { AlertDefinition } from './definitions.js';
import { locationsAvailabilityRatioQuery, locationsDownQuery, locationStateQuery, pathDownQuery } from './location-promql.js';
import { locationsDownAnnotations, locationsRatioAnnotations, pathDownAnnotations, type LocationsText } from './location-templates.js';
import { downSeries, type ProbeScope } from './promql.js';
import { quorumOf } from './thresholds.js';
import { ALERT_NAMES, ruleTitle, thresholdLabels, type ThresholdText } from './templates.js';
import type { AlertingProbe, AlertingServer } from './types.js';
import { pathRuleUid } from './uids.js';

/** Each gateway's team, by gateway id. */
export type GatewayTeams = ReadonlyMap<string, string | null>;

export interface LocationRuleInput {
  /** The threshold's rule as one location has it: uid, title, labels, hold time and contact point stay. */
  alert: AlertDefinition;
  text: ThresholdText;
  server: AlertingServer;
  probe: AlertingProbe | null;
  scope: ProbeScope;
  teams: GatewayTeams;
}

export function locationAlerts(input: LocationRuleInput): AlertDefinition[] {
  const { alert, text, server, scope } = input;
  const { threshold } = text;
  const locations: LocationsText = { ...text, gateways: server.gateways, quorum: quorumOf(threshold, server.gateways.length) };
  switch (threshold.kind) {
    case 'availability': {
      const checks = threshold.consecutiveChecks ?? 1;
      const service: AlertDefinition = {
        ...alert,
        query: locationsDownQuery(scope, checks),
        // A count, so `> q-1` is `>= q`, in the form Grafana's threshold expression has.
        condition: { operator: '>', value: locations.quorum - 1 },
        annotations: (dialect, grafanaUrl) => locationsDownAnnotations(locations, dialect, grafanaUrl),
        locationQueries: server.gateways.map((gateway) => locationStateQuery(scope, checks, gateway)),
      };
      // With a quorum of one, every location down is the service alert: no location can be short of it.
      return locations.quorum <= 1 ? [service] : [service, ...server.gateways.map((gateway) => pathAlert(input, locations, gateway))];
    }
    case 'availabilityRatio':
      return [{
        ...alert,
        query: locationsAvailabilityRatioQuery(scope, text.windowMs),
        annotations: (dialect, grafanaUrl) => locationsRatioAnnotations(locations, dialect, grafanaUrl),
      }];
    case 'connectTime':
      // Latency belongs to the path: an instance per probe and location, and the annotation names the gateway.
      return [alert];
    case 'certExpiry':
      // Its query already takes the earliest expiry over the locations: one instance per probe.
      return [alert];
  }
}

/**
 * The path rule of one location. Its team is the location's (the service's team is not the one to fix a branch
 * office's uplink), else the threshold's; the threshold's contact point is the service's, so routing is by the
 * team label only.
 */
function pathAlert({ alert, server, probe, scope, teams }: LocationRuleInput, locations: LocationsText, gateway: string): AlertDefinition {
  const { threshold } = locations;
  const checks = threshold.consecutiveChecks ?? 1;
  const alertName = ALERT_NAMES.pathDown;
  return {
    uid: pathRuleUid(alert.uid, gateway),
    alertName,
    // The gateway before the names: a title cut at Grafana's limit stays unique.
    title: ruleTitle(`${alertName} ${threshold.level} from ${gateway}: ${server.name}${probe ? `, probe ${probe.name}` : ''}`),
    query: pathDownQuery(scope, checks, locations.quorum, gateway),
    // The location's own run of failures (or availability), compared as for one location.
    condition: downSeries(checks, '').condition,
    lookbackMs: alert.lookbackMs,
    forMs: alert.forMs,
    // The gateway label is the series' own; on the rule it keeps the rules of a server's locations apart.
    labels: { ...thresholdLabels(server, probe?.id ?? null, { ...threshold, team: teams.get(gateway) ?? threshold.team }), gateway },
    annotations: (dialect, grafanaUrl) => pathDownAnnotations(locations, dialect, grafanaUrl),
    contactPoint: null,
  };
}
