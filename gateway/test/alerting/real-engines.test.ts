// The rules, end to end on real engines: a gateway probing loopback ports, its exported rules loaded by a real
// Prometheus, alerts routed by team through a real Alertmanager to webhook receivers; and the Grafana rules' PromQL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grafanaRuleGroups, type AlertingConfig } from '../../src/alerting/index.js';
import { checkAlertmanagerConfig, startAlertmanager, startWebhookReceiver, type RunningAlertmanager, type WebhookAlert, type WebhookReceiver } from '../helpers/alertmanager.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener, type TestListener } from '../helpers/listeners.js';
import { checkRules, freePort, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { until } from '../helpers/until.js';

let dir: string;
let gw: TestGateway;
let gatewayRunning = false;
let open: TestListener;
let prometheus: RunningPrometheus;
let alertmanager: RunningAlertmanager;
const receivers: Record<'db' | 'network' | 'unrouted', WebhookReceiver> = {} as never;
const ids: Record<string, number> = {};
const ports: Record<string, number> = {};
let rulesFile: string;

/** Routes by team; anything without a team (the gateway-down alert) goes to the root receiver. */
function alertmanagerConfig(): string {
  return `
route:
  receiver: unrouted
  group_by: [alertname, team]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['team="db"']
      receiver: db
    - matchers: ['team="network"']
      receiver: network
receivers:
${Object.entries(receivers).map(([name, receiver]) => `  - name: ${name}\n    webhook_configs:\n      - url: ${JSON.stringify(receiver.url)}`).join('\n')}
`;
}

const critical = (team: string, forDuration: string) => ({ kind: 'availability', level: 'critical', for: forDuration, team });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probekit-alerting-'));
  open = await startListener();
  ports.open = open.port;
  ports.closed = await freePort();
  ports.closedVip = await freePort();
  gw = await startTestGateway();
  gatewayRunning = true;

  // The open port's server pages team db, the closed ports' server team network; one closed probe overrides it for team db.
  const db = await gw.api.post('/api/v1/servers', { name: 'db-servers', role: 'production', site: 'lab', thresholds: [critical('db', '2s')] });
  const net = await gw.api.post('/api/v1/servers', { name: 'net-servers', role: 'quality', site: 'lab', thresholds: [critical('network', '2s')] });
  for (const [serverId, name, port, thresholds] of [
    [db.body.id, 'db-open', ports.open, []],
    [net.body.id, 'net-open', ports.open, []],
    [net.body.id, 'net-closed', ports.closed, []],
    [net.body.id, 'net-closed-vip', ports.closedVip, [critical('db', '0s')]],
  ] as const) {
    const created = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name, host: '127.0.0.1', port, intervalSeconds: 1, timeoutMs: 500, thresholds });
    expect(created.status).toBe(201);
    ids[name] = created.body.id;
  }

  const rules = await gw.api.get('/api/v1/export/prometheus-rules?scrapeInterval=1s');
  expect(rules.status).toBe(200);
  rulesFile = join(dir, 'probekit-rules.yml');
  writeFileSync(rulesFile, rules.body);

  for (const name of ['db', 'network', 'unrouted'] as const) receivers[name] = await startWebhookReceiver();
  alertmanager = await startAlertmanager(alertmanagerConfig());
  prometheus = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [rulesFile], alertmanager: alertmanager.hostPort });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  for (const receiver of Object.values(receivers)) await receiver.close();
  if (gatewayRunning) await gw.dispose();
  await open?.close();
  rmSync(dir, { recursive: true, force: true });
});


const firing = (alerts: WebhookAlert[], alertname: string, probe?: string) =>
  alerts.find((a) => a.status === 'firing' && a.labels.alertname === alertname && (probe === undefined || a.labels.probe === probe));

/** Prometheus' own view of its alerts, annotations expanded at the latest evaluation. */
async function prometheusAlerts(): Promise<{ labels: Record<string, string>; annotations: Record<string, string>; state: string }[]> {
  return ((await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: never[] } }).data.alerts;
}

describe('the exported rules and the Alertmanager config', () => {
  it('pass promtool check rules and amtool check-config', async () => {
    expect(await checkRules(rulesFile)).toMatch(/SUCCESS: 5 rules found/);
    expect(await checkAlertmanagerConfig(alertmanager.configFile)).toMatch(/SUCCESS/);
  });
});

describe('Prometheus and Alertmanager on the exported rules', () => {
  it("pages the team of each closed port's threshold, with the alert's labels, and nobody for the open ports", async () => {
    const network = await until('the network alert', () => firing(receivers.network.alerts, 'TcpProbeDown', 'net-closed'));
    const vip = await until('the overriding probe alert', () => firing(receivers.db.alerts, 'TcpProbeDown', 'net-closed-vip'));
    expect(network.labels).toMatchObject({
      alertname: 'TcpProbeDown', team: 'network', severity: 'critical', server: 'net-servers', site: 'lab', role: 'quality',
      probe: 'net-closed', probe_id: String(ids['net-closed']), target: `127.0.0.1:${ports.closed}`, gateway: 'test-gw', managed_by: 'probekit',
    });
    expect(vip.labels).toMatchObject({
      alertname: 'TcpProbeDown', team: 'db', severity: 'critical', server: 'net-servers',
      probe: 'net-closed-vip', probe_id: String(ids['net-closed-vip']), target: `127.0.0.1:${ports.closedVip}`, managed_by: 'probekit',
    });
    expect(network.annotations.summary).toBe(`net-closed (127.0.0.1:${ports.closed}) of net-servers is down`);

    // A few more evaluations: the override must not also fire through its server's rule, the open ports never.
    await new Promise((r) => setTimeout(r, 3_000));
    const probesPaged = (receiver: WebhookReceiver) => [...new Set(receiver.alerts.filter((a) => a.status === 'firing').map((a) => `${a.labels.probe}/${a.labels.team}`))];
    expect(probesPaged(receivers.network)).toEqual(['net-closed/network']);
    expect(probesPaged(receivers.db)).toEqual(['net-closed-vip/db']);
    expect(receivers.unrouted.alerts).toEqual([]);
    const active = await prometheus.query('ALERTS');
    expect(active.map((s) => `${s.metric.probe}:${s.metric.alertstate}`).sort()).toEqual(['net-closed-vip:firing', 'net-closed:firing']);
  }, 45_000);

  it('describes the failure reason and where the name resolved, from the metrics', async () => {
    // Annotations are expanded at every evaluation; the reason needs two scrapes of the refused counter.
    const description = await until('the failure reason in the description', async () => {
      const text = (await prometheusAlerts()).find((a) => a.labels.probe === 'net-closed')?.annotations.description;
      return text?.includes('refused') ? text : undefined;
    }, 15_000);
    expect(description).toContain(`TCP connects from gateway test-gw to 127.0.0.1:${ports.closed} are failing: down for 2s.`);
    expect(description).toContain('Most frequent failure in the last 5m: refused.');
    expect(description).toContain('Last resolved to');
  }, 20_000);
});

describe("the Grafana rules' PromQL", () => {
  async function storedConfig(): Promise<AlertingConfig> {
    const servers = (await gw.api.get('/api/v1/servers')).body.items;
    const probes = (await Promise.all(servers.map(async (s: { id: number }) => (await gw.api.get(`/api/v1/servers/${s.id}/probes`)).body.items))).flat();
    return { servers, probes };
  }

  /** Each rule's A query with C's threshold, as one PromQL expression (B takes the last value, as an instant query does). */
  async function matches(config: AlertingConfig): Promise<string[]> {
    const groups = grafanaRuleGroups(config, { folderUid: 'probekit', datasourceUid: 'prometheus', grafanaUrl: 'http://grafana.test' });
    const matched: string[] = [];
    for (const rule of groups.flatMap((group) => group.rules)) {
      const { type, params } = (rule.data[2]!.model.conditions as { evaluator: { type: 'lt' | 'gt'; params: number[] } }[])[0]!.evaluator;
      const series = await prometheus.query(`${rule.data[0]!.model.expr} ${type === 'lt' ? '<' : '>'} ${params[0]}`);
      matched.push(...series.map((s) => `${rule.uid} -> ${s.metric.probe}`));
    }
    return matched.sort();
  }

  it('selects exactly the down probes, each through the one rule that covers it', async () => {
    const config = await storedConfig();
    const net = config.servers.find((s) => s.name === 'net-servers')!.id;
    expect(await matches(config)).toEqual([`probekit-p${ids['net-closed-vip']}-down-crit -> net-closed-vip`, `probekit-s${net}-down-crit -> net-closed`].sort());
  });

  it('selects the closed ports by availability ratio and the open ones by connect time', async () => {
    // The same probes with other thresholds (in memory only): a 99% ratio and a connect time above 1 µs.
    const stored = await storedConfig();
    const config = {
      servers: stored.servers.map((s) => ({ ...s, thresholds: [
        { kind: 'availability' as const, level: 'warning' as const, for: '1h' },
        { kind: 'availabilityRatio' as const, level: 'warning' as const, value: 99, window: '1m' },
        { kind: 'connectTime' as const, level: 'warning' as const, value: 0.001 },
      ] })),
      probes: stored.probes.map((p) => ({ ...p, thresholds: [] })),
    };
    const matched = (await matches(config)).filter((m) => !m.includes('-down-'));
    const [db, net] = [stored.servers.find((s) => s.name === 'db-servers')!.id, stored.servers.find((s) => s.name === 'net-servers')!.id];
    expect(matched).toEqual([
      `probekit-s${db}-connect-warn -> db-open`,
      `probekit-s${net}-connect-warn -> net-open`,
      `probekit-s${net}-ratio-warn -> net-closed`,
      `probekit-s${net}-ratio-warn -> net-closed-vip`,
    ]);
  });
});

describe('a gateway that stops being scraped', () => {
  it('alerts once, as the gateway, while its probe alerts resolve instead of paging', async () => {
    const seen = Object.fromEntries(Object.entries(receivers).map(([name, receiver]) => [name, receiver.alerts.length]));
    await gw.dispose();
    gatewayRunning = false;

    const down = await until('the gateway-down alert', () => firing(receivers.unrouted.alerts, 'TcpProbeGatewayDown'));
    expect(down.labels).toMatchObject({ alertname: 'TcpProbeGatewayDown', gateway: 'test-gw', severity: 'critical', managed_by: 'probekit' });
    await prometheus.waitFor('ALERTS{alertstate="firing"}', (r) => r.length === 1 && r[0]!.metric.alertname === 'TcpProbeGatewayDown');
    await until('the probe alerts to resolve', () => (['network', 'db'] as const).every((name) =>
      receivers[name].alerts.slice(seen[name]).some((a) => a.status === 'resolved')) || undefined);

    const firedSince = Object.entries(receivers).flatMap(([name, receiver]) =>
      receiver.alerts.slice(seen[name]).filter((a) => a.status === 'firing').map((a) => `${name}:${a.labels.alertname}:${a.labels.gateway}`));
    expect([...new Set(firedSince)]).toEqual(['unrouted:TcpProbeGatewayDown:test-gw']);
  }, 45_000);
});
