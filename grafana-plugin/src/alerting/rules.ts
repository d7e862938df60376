// The rule groups Grafana should have, from the gateway's servers and probes through the gateway's mapping module,
// and what a person reads of a rule (its PromQL, its hold time, its labels). Pure.
import type { Probe, ProbeServer } from '../api/types';
import {
  CONDITION_REF,
  GATEWAY_GROUP,
  QUERY_REF,
  grafanaRuleGroups,
  pathRuleUid,
  probeThresholds,
  quorumOf,
  thresholdRuleUid,
  type AlertRuleGroup,
  type AlertingGateway,
  type AlertingProbe,
  type AlertingServer,
  type GrafanaRuleOptions,
  type ProvisionedAlertRule,
} from './mapping';
import type { AlertingTarget } from './settings';

export type RuleServer = AlertingServer;
export type RuleProbe = AlertingProbe;
/** What the gateway-down rule needs to know of a server: which gateways run it, and whether it has probes at all. */
export type RunningServer = Pick<ProbeServer, 'id' | 'name' | 'role' | 'site' | 'gateways' | 'probeCount'>;
/** The locations' teams (GET /api/v1/gateways): path alerts of servers on several gateways go to them. */
export type RuleGateway = AlertingGateway;

function ruleOptions(target: AlertingTarget): GrafanaRuleOptions {
  return {
    folderUid: target.folderUid,
    datasourceUid: target.datasourceUid,
    grafanaUrl: target.grafanaUrl,
    orgId: target.orgId,
    gatewayTeam: target.defaultTeam,
  };
}

/** The app's default team for rules whose threshold names none: notification policies route on `team`. */
function withDefaultTeam(group: AlertRuleGroup, team: string | undefined): AlertRuleGroup {
  if (!team) return group;
  return {
    ...group,
    rules: group.rules.map((rule) => (rule.labels?.team ? rule : { ...rule, labels: { team, ...rule.labels } })),
  };
}

/** The group of one server: its rules, and its probes' own rules; `gateways` gives its path alerts their locations' teams. */
export function serverRuleGroup(server: RuleServer, probes: readonly RuleProbe[], target: AlertingTarget, gateways: readonly RuleGateway[] = []): AlertRuleGroup {
  const [group] = grafanaRuleGroups({ servers: [server], probes: probes.filter((probe) => probe.serverId === server.id), gateways }, ruleOptions(target));
  return withDefaultTeam(group!, target.defaultTeam);
}

/**
 * The gateway-down group, or null while no gateway runs a probe. It depends only on which gateways run servers with
 * probes, so it is computed from the server list (probeCount) with one stand-in probe per such server instead of
 * loading every probe of every server.
 */
export function gatewayRuleGroup(servers: readonly RunningServer[], target: AlertingTarget): AlertRuleGroup | null {
  const running = servers.filter((server) => server.probeCount > 0);
  const groups = grafanaRuleGroups(
    {
      servers: running.map(({ id, name, role, site, gateways }) => ({ id, name, role, site, gateways, thresholds: [] })),
      probes: running.map((server) => ({ id: server.id, serverId: server.id, name: '', intervalSeconds: 60, thresholds: [] })),
    },
    ruleOptions(target),
  );
  const group = groups.find((candidate) => candidate.title === GATEWAY_GROUP);
  return group ? withDefaultTeam(group, target.defaultTeam) : null;
}

/** Every group of a configuration: one per server, and the gateway-down group. */
export function desiredRuleGroups(
  servers: readonly RuleServer[],
  probes: readonly RuleProbe[],
  target: AlertingTarget,
  gateways: readonly RuleGateway[] = [],
): AlertRuleGroup[] {
  return grafanaRuleGroups({ servers, probes, gateways }, ruleOptions(target)).map((group) => withDefaultTeam(group, target.defaultTeam));
}

/**
 * The rules that watch one probe: the server's rules it follows and its own, and on a server with several gateways
 * the path rule of each location for every availability threshold with a quorum above one.
 */
export function probeRuleUids(server: RuleServer, probe: Pick<Probe, 'id' | 'thresholds'>): string[] {
  return probeThresholds(server, probe).flatMap(({ threshold, source }) => {
    const uid = thresholdRuleUid(source === 'probe' ? { probeId: probe.id } : { serverId: server.id }, threshold.kind, threshold.level);
    const paths = server.gateways.length > 1 && threshold.kind === 'availability' && quorumOf(threshold, server.gateways.length) > 1;
    return paths ? [uid, ...server.gateways.map((gateway) => pathRuleUid(uid, gateway))] : [uid];
  });
}

export interface RuleSummary {
  uid: string;
  title: string;
  /** The condition as one PromQL expression: the query and its comparison. */
  promql: string;
  for: string;
  labels: Record<string, string>;
  contactPoint: string | null;
}

/** What the rule checks, read back from its queries: A is the PromQL, C compares its last value. */
export function summarizeRule(rule: ProvisionedAlertRule): RuleSummary {
  const query = rule.data.find((q) => q.refId === QUERY_REF)?.model as { expr?: string } | undefined;
  const condition = rule.data.find((q) => q.refId === CONDITION_REF)?.model as
    | { conditions?: Array<{ evaluator?: { type?: string; params?: number[] } }> }
    | undefined;
  const evaluator = condition?.conditions?.[0]?.evaluator;
  const operator = evaluator?.type === 'lt' ? '<' : evaluator?.type === 'gt' ? '>' : evaluator?.type ?? '?';
  const expr = query?.expr ?? '';
  return {
    uid: rule.uid ?? '',
    title: rule.title,
    promql: evaluator ? `${expr} ${operator} ${evaluator.params?.[0]}` : expr,
    for: rule.for,
    labels: rule.labels ?? {},
    contactPoint: rule.notification_settings?.receiver ?? null,
  };
}
