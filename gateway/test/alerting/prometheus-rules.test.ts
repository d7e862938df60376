// Thresholds -> a Prometheus rules file (pure), checked by the real promtool.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { grafanaRuleGroups, prometheusRuleGroups, type AlertingConfig, type PrometheusRuleFile } from '../../src/alerting/index.js';
import { checkRules } from '../helpers/prometheus.js';
import { GRAFANA, availability, connect, largeConfig, probe, ratio, server } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'probekit-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function promtool(file: PrometheusRuleFile): Promise<string> {
  const path = join(dir, `rules-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, stringify(file, { lineWidth: 0 }));
  return checkRules(path);
}

const config: AlertingConfig = {
  servers: [
    server(1, { name: 'erp {{ prod }}', gateways: ['gw-a'] }),
    server(2, { name: 'db-prod', gateways: ['gw-b'], thresholds: [availability({ for: '2m', team: 'db', contactPoint: 'db-oncall' }), connect({ team: 'db' }), ratio({ value: 99.5 })] }),
  ],
  probes: [
    probe(10, 1, { intervalSeconds: 5 }),
    probe(20, 2, { intervalSeconds: 60 }),
    probe(21, 2, { intervalSeconds: 60, thresholds: [availability({ consecutiveChecks: 3, team: 'payments', runbookUrl: 'https://wiki.example/pay' })] }),
    probe(22, 2, { intervalSeconds: 600, thresholds: [connect({ value: 40, team: 'db' }), connect({ level: 'critical', value: 400, team: 'db' })] }),
  ],
};

describe('the Prometheus rules file', () => {
  const file = prometheusRuleGroups(config, { grafanaUrl: 'https://grafana.example', scrapeIntervalSeconds: 15 });
  const rule = (group: string, index: number) => file.groups.find((g) => g.name === group)!.rules[index]!;

  it('passes promtool check rules', async () => {
    expect(await promtool(file)).toMatch(/SUCCESS: 9 rules found/);
  });

  it('has the groups of the Grafana mapping, evaluated as often as their fastest probe, within 1 s to 1 min', () => {
    expect(file.groups.map((g) => [g.name, g.interval])).toEqual([['server-1', '5s'], ['server-2', '1m'], ['gateways', '15s']]);
    expect(prometheusRuleGroups({ servers: [server(1)], probes: [probe(1, 1, { intervalSeconds: 1 })] }).groups[0]!.interval).toBe('1s');
  });

  it("holds the same rules as Grafana's, in the same order, each query followed by its threshold", () => {
    const grafana = grafanaRuleGroups(config, { ...GRAFANA, scrapeIntervalSeconds: 15 });
    const fromGrafana = grafana.flatMap((group) => group.rules.map((r) => {
      const { type, params } = (r.data[2]!.model.conditions as { evaluator: { type: string; params: number[] } }[])[0]!.evaluator;
      return `${r.data[0]!.model.expr} ${type === 'lt' ? '<' : '>'} ${params[0]}`;
    }));
    expect(file.groups.flatMap((group) => group.rules.map((r) => r.expr))).toEqual(fromGrafana);
    expect(file.groups.flatMap((group) => group.rules.map((r) => r.labels))).toEqual(grafana.flatMap((group) => group.rules.map((r) => r.labels)));
  });

  it('writes the alerts with their names, conditions and hold times', () => {
    expect(rule('server-1', 0)).toMatchObject({ alert: 'TcpProbeDown', expr: 'tcpprobe_consecutive_failures{server_id="1"} > 1', for: '5m' });
    expect(rule('server-2', 0)).toMatchObject({ alert: 'TcpProbeDown', expr: 'tcpprobe_availability{server_id="2",probe_id!~"^(21)$"} < 1', for: '2m' });
    expect(rule('server-2', 1)).toMatchObject({
      alert: 'TcpProbeAvailabilityLow',
      expr: '(avg_over_time(tcpprobe_availability{server_id="2"}[1h]) * 100 and on (probe_id) tcpprobe_availability{server_id="2"}) < 99.5',
    });
    expect(rule('server-2', 1)).not.toHaveProperty('for');
    expect(rule('server-2', 2)).toMatchObject({ alert: 'TcpProbeConnectSlow', expr: 'tcpprobe_connect_seconds{server_id="2",probe_id!~"^(22)$"} * 1000 > 250' });
    expect(rule('server-2', 3)).toMatchObject({ alert: 'TcpProbeDown', expr: 'tcpprobe_consecutive_failures{probe_id="21"} > 2' });
    expect(rule('server-2', 3)).not.toHaveProperty('for');
    expect(rule('server-2', 4)).toMatchObject({ alert: 'TcpProbeConnectSlow', expr: 'tcpprobe_connect_seconds{probe_id="22"} * 1000 > 40' });
    expect(rule('server-2', 5)).toMatchObject({ alert: 'TcpProbeConnectSlow', expr: 'tcpprobe_connect_seconds{probe_id="22"} * 1000 > 400', labels: { severity: 'critical' } });
    expect(rule('gateways', 0)).toMatchObject({
      alert: 'TcpProbeGatewayDown',
      expr: '(absent(tcpprobe_probes_configured{gateway="gw-a"}) or absent(tcpprobe_probes_configured{gateway="gw-b"})) > 0',
      for: '45s',
    });
    expect(rule('gateways', 1)).toMatchObject({
      alert: 'TcpProbeGatewaySaturated',
      expr: expect.stringMatching(/^\(100 \* sum by \(gateway\) \(rate\(tcpprobe_scheduler_skipped_total\[5m\]\)\) \/ .*\) > 1$/),
      for: '1m15s',
      labels: { severity: 'warning', managed_by: 'probekit' },
    });
    expect(rule('gateways', 1).annotations.summary).toContain('{{ printf "%.1f" $value }}%');
  });

  it('routes by labels: contact points are Grafana settings, Alertmanager routes on team and severity', () => {
    expect(rule('server-2', 0).labels).toEqual({ team: 'db', severity: 'critical', server: 'db-prod', site: 'fra', role: 'production', managed_by: 'probekit' });
    expect(JSON.stringify(file)).not.toContain('db-oncall');
  });

  it("names the value $value and looks up the failure reason and resolved address with Prometheus' query function", () => {
    const down = rule('server-2', 3).annotations;
    expect(down.summary).toBe('{{ $labels.probe }} ({{ $labels.target }}) of {{ $labels.server }} is down');
    expect(down.description).toContain('are failing: down after 3 failed checks in a row.');
    expect(down.description).toContain('{{ with printf `topk(1, increase(tcpprobe_checks_total{probe_id=%q,result!="success"}[5m]) > 0)` $labels.probe_id | query }}');
    expect(down.description).toContain('Most frequent failure in the last 5m: {{ label "result" . }}.');
    expect(down.description).toContain('{{ with printf `tcpprobe_info{probe_id=%q}` $labels.probe_id | query }}');
    expect(down).toMatchObject({ runbook_url: 'https://wiki.example/pay', probe_url: 'https://grafana.example/a/probekit-tcpprobe-app/probes/{{ $labels.probe_id }}' });
    expect(rule('server-2', 1).annotations.summary).toContain('was up {{ printf "%.2f" $value }}% of the last 1h');
    expect(rule('server-2', 4).annotations.summary).toContain('connects in {{ printf "%.0f" $value }} ms');
    expect(rule('server-1', 0).labels.server).toBe('erp {{ "{{" }} prod }}');
  });

  it("looks a slow probe's failure reason up over two of its intervals", () => {
    const slow = prometheusRuleGroups({ servers: [server(1)], probes: [probe(1, 1, { intervalSeconds: 600 })] });
    expect(slow.groups[0]!.rules[0]!.annotations.description).toContain('Most frequent failure in the last 20m');
  });

  it('links no probe page without a Grafana URL', () => {
    const plain = prometheusRuleGroups(config);
    expect(JSON.stringify(plain)).not.toContain('probe_url');
  });

  it('passes promtool for 10,000 probes in 50 servers too', async () => {
    const large = prometheusRuleGroups(largeConfig());
    expect(large.groups.flatMap((group) => group.rules)).toHaveLength(87);
    expect(await promtool(large)).toMatch(/SUCCESS: 87 rules found/);
  });
});
