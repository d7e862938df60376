// Servers probed from several gateways (pure): the quorum, the per-probe service rule, the path rules of each
// location with their teams and UIDs, the ratio over all locations; Grafana payloads validated against its schema,
// Prometheus files against promtool.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  RULE_UID_MAX_LENGTH, RULE_UID_PATTERN, grafanaRuleGroups, pathRuleUid, prometheusRuleGroups, quorumOf,
  type AlertRuleGroup, type AlertingConfig, type ProvisionedAlertRule,
} from '../../src/alerting/index.js';
import { checkRules } from '../helpers/prometheus.js';
import { GRAFANA, availability, connect, grafanaSchemaProblems, largeConfig, probe, ratio, server } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'probekit-locations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const THREE = ['hq', 'branch-fra', 'aws-eu'];
const L = 'server, server_id, probe, probe_id, target, role, site';

function groups(config: AlertingConfig): AlertRuleGroup[] {
  const result = grafanaRuleGroups(config, GRAFANA);
  for (const group of result) expect(grafanaSchemaProblems(group), group.title).toEqual([]);
  return result;
}
const rules = (result: AlertRuleGroup[]) => result.flatMap((group) => group.rules);
const byUid = (result: AlertRuleGroup[]) => new Map(rules(result).map((rule) => [rule.uid!, rule]));
const refs = (rule: ProvisionedAlertRule) => rule.data.map((query) => query.refId);
const exprOf = (rule: ProvisionedAlertRule, refId = 'A') => rule.data.find((query) => query.refId === refId)!.model.expr as string;
const evaluator = (rule: ProvisionedAlertRule) => (rule.data.find((q) => q.refId === 'C')!.model.conditions as { evaluator: unknown }[])[0]!.evaluator;

/** Web on three locations (two with a team); probe 11 adds an availability warning of its own, from all three. */
const web: AlertingConfig = {
  servers: [server(1, { name: 'web', gateways: THREE, thresholds: [availability({ team: 'web', consecutiveChecks: 2, for: '1m', contactPoint: 'web-pager' })] })],
  probes: [probe(10, 1), probe(11, 1, { thresholds: [availability({ level: 'warning', minFailingLocations: 3, team: 'web' })] })],
  gateways: [{ id: 'hq', team: 'net-hq' }, { id: 'branch-fra', team: null }, { id: 'aws-eu', team: 'cloud' }, { id: 'elsewhere', team: 'x' }],
};
const HQ = pathRuleUid('probekit-s1-down-crit', 'hq');
const FRA = pathRuleUid('probekit-s1-down-crit', 'branch-fra');
const AWS = pathRuleUid('probekit-s1-down-crit', 'aws-eu');

describe('quorumOf', () => {
  it('is 1 for one location and a majority of several, unless the threshold says', () => {
    expect([1, 2, 3, 4, 5, 6, 16].map((n) => quorumOf({}, n))).toEqual([1, 2, 2, 3, 3, 4, 9]);
    expect(quorumOf({ minFailingLocations: 1 }, 3)).toBe(1);
    expect(quorumOf({ minFailingLocations: 3 }, 3)).toBe(3);
    expect(quorumOf({ minFailingLocations: 1 }, 1)).toBe(1);
  });
});

describe('a server on one gateway', () => {
  it('keeps its rules as they are, minFailingLocations: 1 included', () => {
    const plain = { servers: [server(1, { gateways: ['hq'] })], probes: [probe(10, 1)] };
    const explicit = { servers: [server(1, { gateways: ['hq'], thresholds: [availability({ for: '5m', consecutiveChecks: 2, minFailingLocations: 1 })] })], probes: [probe(10, 1)] };
    const withoutMin = { servers: [server(1, { gateways: ['hq'], thresholds: [availability({ for: '5m', consecutiveChecks: 2 })] })], probes: [probe(10, 1)] };
    expect(rules(groups(plain)).map((r) => r.uid)).toEqual(['probekit-s1-down-crit', 'probekit-gateway-down', 'probekit-gateway-saturated']);
    expect(groups(explicit)).toEqual(groups(withoutMin));
    expect(prometheusRuleGroups(explicit)).toEqual(prometheusRuleGroups(withoutMin));
    expect(refs(rules(groups(plain))[0]!)).toEqual(['A', 'B', 'C']);
  });
});

describe('the service rule of a server on three gateways', () => {
  const rule = byUid(groups(web));
  const down = rule.get('probekit-s1-down-crit')!;

  it('counts the locations that see each probe down, zero included, and fires from the quorum', () => {
    expect(exprOf(down)).toBe(
      `(count by (${L}) (tcpprobe_consecutive_failures{server_id="1"} > 1)` +
      ` or 0 * count by (${L}) (tcpprobe_availability{server_id="1"}))`);
    expect(evaluator(down)).toEqual({ type: 'gt', params: [1] });
    // The probe's own threshold asks for all three; one check in a row reads availability.
    const own = rule.get('probekit-p11-down-warn')!;
    expect(exprOf(own)).toBe(`(count by (${L}) (tcpprobe_availability{probe_id="11"} < 1) or 0 * count by (${L}) (tcpprobe_availability{probe_id="11"}))`);
    expect(evaluator(own)).toEqual({ type: 'gt', params: [2] });
  });

  it('keeps uid, title, labels, hold time and contact point of the one-location rule', () => {
    const single = byUid(groups({ ...web, servers: [{ ...web.servers[0]!, gateways: ['hq'] }] })).get('probekit-s1-down-crit')!;
    for (const field of ['uid', 'title', 'labels', 'for', 'notification_settings', 'noDataState', 'execErrState'] as const) expect(down[field]).toEqual(single[field]);
    expect(down.labels).not.toHaveProperty('gateway');
  });

  it("adds each location's state (Q1.., reduced to L1..) for the annotation, in the server's order", () => {
    expect(refs(down)).toEqual(['A', 'B', 'C', 'Q1', 'L1', 'Q2', 'L2', 'Q3', 'L3']);
    expect(exprOf(down, 'Q2')).toBe(
      `(max by (${L}) ((tcpprobe_consecutive_failures{server_id="1",gateway="branch-fra"} > 1) * 0 + 2` +
      ` or tcpprobe_availability{server_id="1",gateway="branch-fra"} == bool 1)` +
      ` or 0 * count by (${L}) (tcpprobe_availability{server_id="1"}))`);
    expect(down.data.find((q) => q.refId === 'L2')!.model).toMatchObject({ type: 'reduce', expression: 'Q2', reducer: 'last', settings: { mode: 'dropNN' } });
    expect(down.data.find((q) => q.refId === 'Q1')!.datasourceUid).toBe('prometheus-uid');
  });

  it('says how many locations see it down, and which, without Prometheus-only functions in Grafana', () => {
    const { summary, description, locations } = down.annotations!;
    expect(summary).toBe('{{ $labels.probe }} ({{ $labels.target }}) of {{ $labels.server }} is down from {{ printf "%.0f" $values.B.Value }} of 3 locations');
    expect(description).toContain("are failing from at least 2 of the server's 3 locations (hq, branch-fra, aws-eu): down for 1m after 2 failed checks in a row.");
    expect(locations).toMatch(/^\{\{ \$down := "" \}\}\{\{ \$up := "" \}\}\{\{ if eq \$values\.L1\.Value 2\.0 \}\}\{\{ \$down = printf "%s, %s" \$down "hq" \}\}/);
    expect(locations).toContain('{{ else if eq $values.L3.Value 1.0 }}{{ $up = printf "%s, %s" $up "aws-eu" }}');
    expect(locations).toMatch(/down from \{\{ if \$down \}\}\{\{ slice \$down 2 \}\}\{\{ else \}\}none\{\{ end \}\}; up from .*none\{\{ end \}\}$/);
    expect(Object.values(down.annotations!).join(' ')).not.toMatch(/\bquery\b|\$value\b/);
  });

  it('names the locations in Prometheus by querying their states', () => {
    const [group] = prometheusRuleGroups(web).groups;
    const service = group!.rules[0]!;
    expect(service.expr).toBe(`${exprOf(down)} > 1`);
    expect(service.annotations.locations).toContain(
      '{{ $states := printf `(tcpprobe_consecutive_failures{probe_id=%[1]q} > 1) * 0 + 2 or tcpprobe_availability{probe_id=%[1]q} == bool 1` $labels.probe_id | query }}');
    expect(service.annotations.locations).toContain('{{ range $states }}{{ if eq (label "gateway" .) "branch-fra" }}{{ if eq .Value 2.0 }}');
    expect(service.annotations.description).toContain('Most frequent failure');
  });
});

describe('the path rules of a server on three gateways', () => {
  const rule = byUid(groups(web));

  it('are one per availability rule and location, after the rule, with UIDs from it and the gateway', () => {
    expect(rules(groups(web)).map((r) => r.uid)).toEqual([
      'probekit-s1-down-crit', HQ, FRA, AWS,
      'probekit-p11-down-warn', ...THREE.map((g) => pathRuleUid('probekit-p11-down-warn', g)),
      'probekit-gateway-down', 'probekit-gateway-saturated',
    ]);
    expect(HQ).toMatch(/^probekit-s1-down-crit-[0-9a-z]{6}$/);
    expect(new Set([HQ, FRA, AWS]).size).toBe(3);
    // Stable across releases: a changed hash would leave every path rule behind in Grafana.
    expect(pathRuleUid('probekit-s1-down-crit', 'hq')).toBe(HQ);
    expect(HQ).toBe('probekit-s1-down-crit-m9e4sy');
  });

  it('fire at one location while fewer than the quorum see the probe down and another sees it up', () => {
    const hq = rule.get(HQ)!;
    const scope = 'server_id="1"';
    expect(exprOf(hq)).toBe(
      `(tcpprobe_consecutive_failures{${scope},gateway="hq"}` +
      ` and on (probe_id) ((count by (probe_id) (tcpprobe_consecutive_failures{${scope}} > 1) or 0 * count by (probe_id) (tcpprobe_availability{${scope}})) < 2)` +
      ` and on (probe_id) (count by (probe_id) (tcpprobe_availability{${scope}} == 1) > 0))`);
    expect(evaluator(hq)).toEqual({ type: 'gt', params: [1] });
    expect(refs(hq)).toEqual(['A', 'B', 'C']);
    expect(exprOf(rule.get(pathRuleUid('probekit-p11-down-warn', 'aws-eu'))!)).toContain('tcpprobe_availability{probe_id="11",gateway="aws-eu"} and on (probe_id)');
    expect(evaluator(rule.get(pathRuleUid('probekit-p11-down-warn', 'aws-eu'))!)).toEqual({ type: 'lt', params: [1] });
  });

  it("go to the location's team, else the threshold's, never to the threshold's contact point", () => {
    expect(rule.get(HQ)!.labels).toEqual({ team: 'net-hq', severity: 'critical', server: 'web', site: 'fra', role: 'production', managed_by: 'probekit', gateway: 'hq' });
    expect(rule.get(FRA)!.labels!.team).toBe('web');
    expect(rule.get(AWS)!.labels!.team).toBe('cloud');
    expect(rule.get(pathRuleUid('probekit-p11-down-warn', 'hq'))!.labels).toMatchObject({ team: 'net-hq', severity: 'warning', probe_id: '11', gateway: 'hq' });
    for (const uid of [HQ, FRA, AWS]) expect(rule.get(uid)).not.toHaveProperty('notification_settings');
    expect(rule.get('probekit-s1-down-crit')!.notification_settings).toEqual({ receiver: 'web-pager' });
    const noTeams = byUid(groups({ ...web, gateways: undefined }));
    expect(noTeams.get(HQ)!.labels!.team).toBe('web');
  });

  it("hold for the threshold's `for`, with titles that name the location first", () => {
    expect(rule.get(HQ)!.for).toBe('1m');
    expect(rule.get(HQ)!.title).toBe('TcpProbePathDown critical from hq: web');
    expect(rule.get(pathRuleUid('probekit-p11-down-warn', 'aws-eu'))!.title).toBe('TcpProbePathDown warning from aws-eu: web, probe probe-11');
    expect(rule.get(HQ)!.annotations!.summary).toBe('{{ $labels.probe }} ({{ $labels.target }}) of {{ $labels.server }} is down from gateway {{ $labels.gateway }} but up from another location');
    expect(rule.get(HQ)!.annotations!.description).toContain("fewer than 2 of the server's 3 locations (hq, branch-fra, aws-eu) see it down");
  });

  it('are left out with a quorum of one: every location down is then the service alert', () => {
    const any = { ...web, servers: [{ ...web.servers[0]!, thresholds: [availability({ minFailingLocations: 1 })] }], probes: [probe(10, 1)] };
    expect(rules(groups(any)).map((r) => r.uid)).toEqual(['probekit-s1-down-crit', 'probekit-gateway-down', 'probekit-gateway-saturated']);
    expect(evaluator(rules(groups(any))[0]!)).toEqual({ type: 'gt', params: [0] });
  });

  it('fit 40 characters for the longest ids and keep apart the 16 locations of a server', () => {
    const gateways = Array.from({ length: 16 }, (_, i) => `gateway-${i}.example-${'x'.repeat(40)}`);
    const huge = { servers: [server(9_007_199_254_740_991, { gateways })], probes: [probe(9_007_199_254_740_990, 9_007_199_254_740_991, { thresholds: [availability({ minFailingLocations: 16 })] })] };
    const uids = rules(groups(huge)).map((r) => r.uid!);
    expect(uids).toHaveLength(2 + 2 * 16 + 2);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) {
      expect(uid.length).toBeLessThanOrEqual(RULE_UID_MAX_LENGTH);
      expect(uid).toMatch(RULE_UID_PATTERN);
    }
    expect(pathRuleUid('probekit-p9007199254740990-down-crit', 'hq')).toHaveLength(40);
  });
});

describe('ratio and connect time on three gateways', () => {
  const config: AlertingConfig = { servers: [server(1, { gateways: THREE, thresholds: [ratio({ value: 99.5, window: '6h' }), connect()] })], probes: [probe(10, 1)] };
  const rule = byUid(groups(config));

  it('takes the ratio over every location-sample, per probe, while the probe reports', () => {
    const a = 'tcpprobe_availability{server_id="1"}';
    expect(exprOf(rule.get('probekit-s1-ratio-warn')!)).toBe(
      `(100 * sum by (${L}) (sum_over_time(${a}[6h])) / sum by (${L}) (count_over_time(${a}[6h])) and on (probe_id) ${a})`);
    expect(evaluator(rule.get('probekit-s1-ratio-warn')!)).toEqual({ type: 'lt', params: [99.5] });
    expect(rule.get('probekit-s1-ratio-warn')!.annotations!.summary).toContain('% of the last 6h over 3 locations');
    expect(rule.get('probekit-s1-ratio-warn')!.annotations!.description).toContain("Availability over the server's 3 locations (hq, branch-fra, aws-eu)");
  });

  it('keeps connect time per location, as on one gateway, naming the gateway', () => {
    const single = byUid(groups({ ...config, servers: [{ ...config.servers[0]!, gateways: ['hq'] }] }));
    expect(rule.get('probekit-s1-connect-warn')).toEqual(single.get('probekit-s1-connect-warn'));
    expect(rule.get('probekit-s1-connect-warn')!.annotations!.description).toContain('from gateway {{ $labels.gateway }}');
  });
});

describe('the gateway-down rule', () => {
  it('expects every location of every server with probes, once', () => {
    const config = {
      servers: [server(1, { gateways: ['hq', 'fra'] }), server(2, { gateways: ['fra', 'aws'] }), server(3, { gateways: ['idle'] })],
      probes: [probe(10, 1), probe(20, 2)],
    };
    expect(exprOf(byUid(groups(config)).get('probekit-gateway-down')!)).toBe(
      '(absent(tcpprobe_probes_configured{gateway="aws"}) or absent(tcpprobe_probes_configured{gateway="fra"}) or absent(tcpprobe_probes_configured{gateway="hq"}))');
  });
});

describe('the Prometheus rules file', () => {
  async function promtool(config: AlertingConfig): Promise<string> {
    const path = join(dir, `rules-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(path, stringify(prometheusRuleGroups(config, { grafanaUrl: 'https://grafana.example' }), { lineWidth: 0 }));
    return checkRules(path);
  }

  it('passes promtool with path rules (no duplicates) and the location templates', async () => {
    expect(await promtool(web)).toMatch(/SUCCESS: 10 rules found/);
  });

  it('holds the same queries, conditions and labels as the Grafana rules', () => {
    const grafana = rules(groups(web));
    const file = prometheusRuleGroups(web).groups.flatMap((group) => group.rules);
    expect(file.map((r) => r.expr)).toEqual(grafana.map((r) => {
      const { type, params } = evaluator(r) as { type: string; params: number[] };
      return `${exprOf(r)} ${type === 'lt' ? '<' : '>'} ${params[0]}`;
    }));
    expect(file.map((r) => r.labels)).toEqual(grafana.map((r) => r.labels));
    expect(file.map((r) => r.alert)).toEqual(['TcpProbeDown', 'TcpProbePathDown', 'TcpProbePathDown', 'TcpProbePathDown', 'TcpProbeDown',
      'TcpProbePathDown', 'TcpProbePathDown', 'TcpProbePathDown', 'TcpProbeGatewayDown', 'TcpProbeGatewaySaturated']);
  });

  it('passes promtool for 50 servers on three gateways each', async () => {
    const large = largeConfig();
    const config = { ...large, servers: large.servers.map((s) => ({ ...s, gateways: THREE.map((g) => `${g}-${s.id % 4}`) })) };
    // 50 service rules with 3 path rules each, 25 connect-time rules, 10 probe overrides with 3 path rules each, 2 gateway rules.
    expect(await promtool(config)).toMatch(/SUCCESS: 267 rules found/);
  });
});
