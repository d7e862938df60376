// Drift between the whole configuration's rules and Grafana's: the groups the app wants (every server and the
// gateway-down group) against what Grafana has in them, plus the app's rules Grafana keeps anywhere else; and the
// repair that writes the wanted groups and removes the app's leftovers.
import { compareRuleGroup, type GrafanaRule, type GrafanaRuleGroup, type GroupDrift } from './diff';
import { loadFullConfig } from './gatewayConfig';
import { getRuleGroup, listAlertRules } from './grafanaApi';
import { GATEWAY_GROUP, groupName, MANAGED_BY, RULE_UID_PREFIX, type AlertRuleGroup } from './mapping';
import { desiredRuleGroups } from './rules';
import { NO_PROMETHEUS_MESSAGE, type AlertingTarget } from './settings';
import { currentAlertingTarget, GroupWriter, oneAtATime, type GroupWrite } from './sync';

/** A group Grafana has that holds rules of the app but is not one the app wants. */
export interface LeftoverGroup {
  folderUid: string;
  group: string;
  /** The app's rules in it. */
  managedUids: string[];
  /** Whether the group holds nothing else, so it can go as a whole. */
  onlyManaged: boolean;
}

export interface DriftReport {
  target: AlertingTarget;
  /** Every wanted group first (in the configuration's order), then the leftovers. */
  groups: GroupDrift[];
  desired: AlertRuleGroup[];
  leftovers: LeftoverGroup[];
  /** The server each wanted group belongs to, by group title (server-1 -> erp-prod). */
  groupNames: Record<string, string>;
}

export type DriftResult = { status: 'ready'; report: DriftReport } | { status: 'notConfigured'; message: string };

/** A rule this app wrote: its label says so, or its uid (a label may have been edited away). */
export function isManagedRule(rule: Pick<GrafanaRule, 'uid' | 'labels'>): boolean {
  return rule.labels?.managed_by === MANAGED_BY || Boolean(rule.uid?.startsWith(RULE_UID_PREFIX));
}

const groupKey = (folderUid: string, group: string) => `${folderUid}\u0000${group}`;

async function mapLimited<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await map(items[index]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Pure: the report from what the app wants and what Grafana has. */
export function driftReport(target: AlertingTarget, desired: AlertRuleGroup[], actual: Array<GrafanaRuleGroup | null>, allRules: GrafanaRule[]): DriftReport {
  const wantedGroups = new Set(desired.map((group) => groupKey(group.folderUid, group.title)));
  const wantedUids = new Set(desired.flatMap((group) => group.rules.map((rule) => rule.uid)));
  const elsewhere = new Map<string, GrafanaRule[]>();
  for (const rule of allRules) {
    const key = groupKey(rule.folderUID, rule.ruleGroup);
    if (wantedGroups.has(key)) continue;
    const rules = elsewhere.get(key) ?? [];
    rules.push(rule);
    elsewhere.set(key, rules);
  }
  const leftovers: LeftoverGroup[] = [];
  const leftoverDrifts: GroupDrift[] = [];
  for (const rules of elsewhere.values()) {
    // A wanted rule that sits in another group is moved back by writing its own group, not deleted.
    const managed = rules.filter((rule) => isManagedRule(rule) && !wantedUids.has(rule.uid));
    if (managed.length === 0) continue;
    const { folderUID: folderUid, ruleGroup: group } = rules[0]!;
    leftovers.push({ folderUid, group, managedUids: managed.map((rule) => rule.uid!), onlyManaged: managed.length === rules.length });
    leftoverDrifts.push(compareRuleGroup(null, { title: group, folderUid, interval: 0, rules: managed }));
  }
  return {
    target,
    desired,
    leftovers,
    groupNames: {},
    groups: [...desired.map((group, index) => compareRuleGroup(group, actual[index] ?? null)), ...leftoverDrifts],
  };
}

export async function loadDrift(): Promise<DriftResult> {
  const resolved = await currentAlertingTarget();
  if (!resolved.ok) return { status: 'notConfigured', message: NO_PROMETHEUS_MESSAGE };
  const { target } = resolved;
  const { servers, probes, gateways } = await loadFullConfig();
  const desired = desiredRuleGroups(servers, probes, target, gateways);
  const [actual, allRules] = await Promise.all([
    mapLimited(desired, 4, (group) => getRuleGroup(group.folderUid, group.title)),
    listAlertRules(),
  ]);
  const report = driftReport(target, desired, actual, allRules);
  for (const server of servers) report.groupNames[groupName(server)] = server.name;
  report.groupNames[GATEWAY_GROUP] = 'gateway health';
  return { status: 'ready', report };
}

/** Writes every wanted group that differs and removes the app's leftovers; returns what it wrote. */
export function repairDrift(report: DriftReport): Promise<GroupWrite[]> {
  return oneAtATime(async () => {
    const writer = new GroupWriter(report.target);
    for (const leftover of report.leftovers) {
      if (leftover.onlyManaged) await writer.remove(leftover.folderUid, leftover.group);
      else for (const uid of leftover.managedUids) await writer.removeRule(leftover.folderUid, leftover.group, uid);
    }
    for (const [index, group] of report.desired.entries()) {
      if (report.groups[index]!.status !== 'inSync') await writer.put(group);
    }
    return writer.writes;
  });
}
