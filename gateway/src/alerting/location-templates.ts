// What the alerts of a server probed from several locations say: how many locations see the probe down, which
// ones ("down from branch-fra, aws-eu; up from hq"), and for a path alert that the service is up elsewhere.
import { formatDuration } from './durations.js';
import { LOCATION_DOWN, LOCATION_UP, locationStatesQueryFormat } from './location-promql.js';
import {
  PROBE_TEXT, defaultNote, downCondition, forText, frequentFailure, linkAnnotations, probePageHint, resolvedTarget,
  type TemplateDialect, type ThresholdText,
} from './templates.js';

export interface LocationsText extends ThresholdText {
  /** The server's gateways, in its order: the order the annotation names them in. */
  gateways: readonly string[];
  quorum: number;
}

/** TcpProbeDown of a multi-location server: one instance per probe, its value the number of locations that see it down. */
export function locationsDownAnnotations(text: LocationsText, dialect: TemplateDialect, grafanaUrl: string | undefined): Record<string, string> {
  const { threshold, gateways, quorum } = text;
  return {
    summary: `${PROBE_TEXT} is down from {{ printf "%.0f" ${dialect.value} }} of ${gateways.length} locations`,
    description: [
      `TCP connects to {{ $labels.target }} are failing from at least ${quorum} of the server's ${gateways.length} locations (${gateways.join(', ')}):`,
      ` down ${downCondition(threshold)}.`,
      dialect.canQuery ? frequentFailure(text.reasonLookbackMs) + resolvedTarget() : '',
      defaultNote(text),
      probePageHint(dialect, grafanaUrl),
    ].join(''),
    locations: locationLists(gateways, dialect, threshold.consecutiveChecks ?? 1),
    ...linkAnnotations(threshold, grafanaUrl),
  };
}

/** TcpProbePathDown: one instance per probe and location that sees it down while the service is up elsewhere. */
export function pathDownAnnotations(text: LocationsText, dialect: TemplateDialect, grafanaUrl: string | undefined): Record<string, string> {
  const { threshold, gateways, quorum } = text;
  return {
    summary: `${PROBE_TEXT} is down from gateway {{ $labels.gateway }} but up from another location`,
    description: [
      `TCP connects from gateway {{ $labels.gateway }} to {{ $labels.target }} are failing: down ${downCondition(threshold)}, while another location`,
      ` sees it up and fewer than ${quorum} of the server's ${gateways.length} locations (${gateways.join(', ')}) see it down.`,
      ` A problem on the network path from this location, not a service outage; once ${quorum} locations see it down, TcpProbeDown replaces this alert.`,
      dialect.canQuery ? frequentFailure(text.reasonLookbackMs) : '',
      defaultNote(text),
      probePageHint(dialect, grafanaUrl),
    ].join(''),
    ...linkAnnotations(threshold, grafanaUrl),
  };
}

/** availabilityRatio of a multi-location server: the share of every location's samples that were up. */
export function locationsRatioAnnotations(text: LocationsText, dialect: TemplateDialect, grafanaUrl: string | undefined): Record<string, string> {
  const { threshold, gateways } = text;
  const window = formatDuration(text.windowMs);
  return {
    summary: `${PROBE_TEXT} was up {{ printf "%.2f" ${dialect.value} }}% of the last ${window} over ${gateways.length} locations`,
    description: [
      `Availability over the server's ${gateways.length} locations (${gateways.join(', ')}), the share of their samples that were up,`,
      ` is below the ${threshold.level} threshold of ${threshold.value}% over ${window}${forText(text.forMs)}.`,
      dialect.canQuery ? frequentFailure(text.reasonLookbackMs) : '',
      probePageHint(dialect, grafanaUrl),
    ].join(''),
    ...linkAnnotations(threshold, grafanaUrl),
  };
}

/**
 * "down from hq, fra; up from aws", in the server's order of gateways, from each location's state: read per probe by
 * query in Prometheus, from the rule's per-location expressions in Grafana. A location that sees neither (no data,
 * or failing short of the threshold's checks) is left out. Gateway names are letters, digits and _ . - only, so
 * they are safe in a template and as Go string literals.
 */
function locationLists(gateways: readonly string[], dialect: TemplateDialect, consecutiveChecks: number): string {
  const collect = (gateway: string, state: string) => {
    const name = JSON.stringify(gateway);
    return `{{ if eq ${state} ${LOCATION_DOWN}.0 }}{{ $down = printf "%s, %s" $down ${name} }}` +
      `{{ else if eq ${state} ${LOCATION_UP}.0 }}{{ $up = printf "%s, %s" $up ${name} }}{{ end }}`;
  };
  const { locationValue } = dialect;
  const states = locationValue
    ? gateways.map((gateway, index) => collect(gateway, locationValue(index)))
    : [
        `{{ $states := printf \`${locationStatesQueryFormat(consecutiveChecks)}\` $labels.probe_id | query }}`,
        ...gateways.map((gateway) => `{{ range $states }}{{ if eq (label "gateway" .) ${JSON.stringify(gateway)} }}${collect(gateway, '.Value')}{{ end }}{{ end }}`),
      ];
  const list = (name: string) => `{{ if ${name} }}{{ slice ${name} 2 }}{{ else }}none{{ end }}`;
  return `{{ $down := "" }}{{ $up := "" }}${states.join('')}down from ${list('$down')}; up from ${list('$up')}`;
}
