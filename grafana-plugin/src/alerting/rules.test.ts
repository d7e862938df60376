// The rule groups the plugin sends, built with the gateway's mapping: Grafana's schema accepts them, the app's
// default team fills in, the gateway-down group from server counts equals the one from the full configuration, and
// a group compares equal to itself as Grafana stores it.
import { describe, expect, test } from 'vitest';
import type { Probe, ProbeServer, Threshold } from '../api/types';
import { ruleGroupSchemaProblems } from '../test/fakeGrafanaAlerting';
import { compareRuleGroup, type GrafanaRuleGroup } from './diff';
import { driftReport } from './drift';
import { GATEWAY_GROUP } from './mapping';
import { desiredRuleGroups, gatewayRuleGroup, probeRuleUids, serverRuleGroup, summarizeRule } from './rules';
import { alertingTarget, DEFAULT_ALERT_FOLDER_UID, type AlertingTarget } from './settings';

const target: AlertingTarget = { folderUid: 'probekit-alerts', folderTitle: 'probekit', datasourceUid: 'prom-main', grafanaUrl: 'https://grafana.example/', orgId: 1, defaultTeam: 'sre' };

function server(id: number, thresholds: Threshold[] = [], extra: Partial<ProbeServer> = {}): ProbeServer {
  return { id, name: `srv-${id}`, role: 'production', site: 'fra', gateways: ['gw-a'], thresholds, probeCount: 0, ...extra } as ProbeServer;
}

function probe(id: number, serverId: number, thresholds: Threshold[] = []): Probe {
  return { id, serverId, name: `probe-${id}`, intervalSeconds: 60, thresholds } as Probe;
}

/** What Grafana's provisioning API returns for a group it stored: ids, provenance and its query model defaults. */
function asStored(group: ReturnType<typeof serverRuleGroup>): GrafanaRuleGroup {
  return {
    ...group,
    rules: group.rules.map((rule, index) => ({
      ...rule,
      id: index + 1,
      updated: '2026-01-01T00:00:00Z',
      provenance: '',
      data: rule.data.map((query) => (query.datasourceUid === '__expr__' ? { ...query, queryType: '' } : { ...query, queryType: '', model: { intervalMs: 1000, maxDataPoints: 43200, ...query.model } })),
    })),
  };
}

describe('alertingTarget', () => {
  test('needs the Prometheus data source; without a picked folder uses the app folder', () => {
    expect(alertingTarget({}, { appUrl: '', orgId: 1 })).toEqual({ ok: false, problem: 'noPrometheus' });
    const resolved = alertingTarget({ prometheusUid: 'prom' }, { appUrl: 'https://g/', orgId: 2 });
    expect(resolved).toMatchObject({ ok: true, target: { folderUid: DEFAULT_ALERT_FOLDER_UID, datasourceUid: 'prom', grafanaUrl: 'https://g/', orgId: 2 } });
    expect(alertingTarget({ prometheusUid: 'prom', alertFolderUid: 'ops', alertFolderTitle: 'Ops' }, { appUrl: '', orgId: 1 })).toMatchObject({
      target: { folderUid: 'ops', folderTitle: 'Ops' },
    });
  });
});

describe('rule groups', () => {
  const connect: Threshold = { kind: 'connectTime', level: 'warning', value: 250, for: '10m', team: 'network', contactPoint: 'network-team', runbookUrl: 'https://wiki/tcp' };

  test('a server group passes Grafana schema, and the default team fills in only where a threshold names none', () => {
    const group = serverRuleGroup(server(1, [connect]), [probe(10, 1), probe(11, 1, [{ kind: 'availability', level: 'critical', for: '1m' }])], target);
    expect(ruleGroupSchemaProblems(group)).toEqual([]);
    expect(group.title).toBe('server-1');
    expect(group.rules.map((rule) => [rule.uid, rule.labels?.team])).toEqual([
      ['probekit-s1-down-crit', 'sre'],
      ['probekit-s1-connect-warn', 'network'],
      ['probekit-p11-down-crit', 'sre'],
    ]);
    expect(group.rules[1]!.notification_settings).toEqual({ receiver: 'network-team' });
  });

  test('the gateway-down group from server counts is the one the full configuration gives', () => {
    const servers = [server(1, [], { probeCount: 1 }), server(2, [], { gateways: ['gw-b'], probeCount: 2 }), server(3, [], { gateways: ['gw-c'] })];
    const probes = [probe(10, 1), probe(20, 2), probe(21, 2)];
    const full = desiredRuleGroups(servers, probes, target).find((group) => group.title === GATEWAY_GROUP);
    expect(gatewayRuleGroup(servers, target)).toEqual(full);
    expect(full?.rules[0]?.labels).toMatchObject({ team: 'sre', managed_by: 'probekit' });
    expect(gatewayRuleGroup([server(3)], target)).toBeNull();
  });

  test('a probe is watched by the server rules it follows and its own', () => {
    const srv = server(1, [connect]);
    expect(probeRuleUids(srv, probe(10, 1))).toEqual(['probekit-s1-down-crit', 'probekit-s1-connect-warn']);
    expect(probeRuleUids(srv, probe(11, 1, [{ ...connect, value: 100 }]))).toEqual(['probekit-s1-down-crit', 'probekit-p11-connect-warn']);
  });

  test('summaries read the PromQL and comparison back from the queries', () => {
    const group = serverRuleGroup(server(1, [connect]), [probe(11, 1, [{ ...connect, value: 100 }])], target);
    expect(group.rules.map(summarizeRule).map((rule) => rule.promql)).toEqual([
      'tcpprobe_consecutive_failures{server_id="1"} > 1',
      'tcpprobe_connect_seconds{server_id="1",probe_id!~"^(11)$"} * 1000 > 250',
      'tcpprobe_connect_seconds{probe_id="11"} * 1000 > 100',
    ]);
  });
});

describe('compareRuleGroup', () => {
  const desired = serverRuleGroup(server(1, [{ kind: 'connectTime', level: 'warning', value: 250 }]), [probe(10, 1)], target);

  test('a group as Grafana stores it is in sync', () => {
    expect(compareRuleGroup(desired, asStored(desired)).status).toBe('inSync');
  });

  test('names missing, changed and extra rules and a changed interval', () => {
    const stored = asStored(desired);
    const [down, connect] = stored.rules;
    const changed: GrafanaRuleGroup = {
      ...stored,
      interval: 120,
      rules: [
        { ...connect!, for: '15m', labels: { ...connect!.labels, team: 'other' }, data: connect!.data.map((q) => (q.refId === 'A' ? { ...q, model: { ...q.model, expr: 'up' } } : q)) },
        { ...down!, uid: 'hand-made', title: 'Hand made' },
      ],
    };
    const drift = compareRuleGroup(desired, changed);
    expect(drift.status).toBe('changed');
    expect(drift.interval).toEqual({ field: 'evaluation interval', desired: '60s', actual: '120s' });
    expect(drift.rules.map((rule) => [rule.uid, rule.status])).toEqual([
      ['probekit-s1-down-crit', 'missing'],
      ['probekit-s1-connect-warn', 'changed'],
      ['hand-made', 'extra'],
    ]);
    expect(drift.rules[1]!.changes).toEqual([
      { field: 'query', desired: 'tcpprobe_connect_seconds{server_id="1"} * 1000', actual: 'up' },
      { field: 'for', desired: '0s', actual: '15m' },
      { field: 'labels.team', desired: 'sre', actual: 'other' },
    ]);
  });

  test('a missing group and an unwanted one', () => {
    expect(compareRuleGroup(desired, null).status).toBe('missing');
    expect(compareRuleGroup(null, asStored(desired))).toMatchObject({ status: 'extra', group: 'server-1' });
    expect(compareRuleGroup(null, null).status).toBe('inSync');
  });
});

describe('driftReport', () => {
  test("finds the app's rules outside its groups: whole leftover groups, single rules in others, not wanted rules moved elsewhere", () => {
    const wanted = serverRuleGroup(server(1), [probe(10, 1)], target);
    const [down] = asStored(wanted).rules;
    const elsewhere = (uid: string, group: string, labels: Record<string, string> = { managed_by: 'probekit' }) => ({ ...down!, uid, ruleGroup: group, labels });
    const report = driftReport(target, [wanted], [null], [
      elsewhere('probekit-s9-down-crit', 'server-9'),
      elsewhere('probekit-s1-down-crit', 'moved-by-hand'),
      elsewhere('probekit-s8-down-crit', 'mixed'),
      elsewhere('hand-made', 'mixed', {}),
    ]);
    expect(report.leftovers).toEqual([
      { folderUid: target.folderUid, group: 'server-9', managedUids: ['probekit-s9-down-crit'], onlyManaged: true },
      { folderUid: target.folderUid, group: 'mixed', managedUids: ['probekit-s8-down-crit'], onlyManaged: false },
    ]);
    expect(report.groups.map((group) => [group.group, group.status])).toEqual([['server-1', 'missing'], ['server-9', 'extra'], ['mixed', 'extra']]);
  });
});
