// provisioning/alertmanager: amtool accepts the config, its routes page each team's receiver, and a real
// Alertmanager running it delivers alerts by team to the stack's alert inbox, which prints who was paged.
// Grafana's policy tree (provisioning/grafana/alerting) routes the same teams to contact points of the same names.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import { AMTOOL_BIN, checkAlertmanagerConfig, startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager.js';
import { runTool } from '../helpers/prometheus.js';
import { compose, eventually, readYaml, repoPath, serviceAddress, startAlertInbox, type AlertInbox } from './stack.js';

const CONFIG = repoPath('provisioning', 'alertmanager', 'alertmanager.yml');
const config = readYaml('provisioning', 'alertmanager', 'alertmanager.yml');
/** The receiver amtool picks for these labels (its first line; a warning about --alertmanager.url may follow). */
const routeFor = async (labels: string[]) => (await runTool(AMTOOL_BIN, ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...labels])).split('\n')[0]!.trim();

describe('provisioning/alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    expect(await checkAlertmanagerConfig(CONFIG)).toMatch(/SUCCESS/);
  });

  it('routes only to receivers it defines, each posting to the alert inbox under its own name', () => {
    const names = config.receivers.map((r: any) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const routed = [config.route.receiver, ...config.route.routes.map((r: any) => r.receiver)];
    for (const receiver of routed) expect(names).toContain(receiver);
    expect([...names].sort()).toEqual([...new Set(routed)].sort());
    const inbox = compose().services['alert-inbox']!;
    for (const receiver of config.receivers) {
      for (const webhook of receiver.webhook_configs) {
        expect(serviceAddress(webhook.url)).toEqual({ service: 'alert-inbox', port: Number(inbox.environment!.ALERT_INBOX_PORT) });
        expect(new URL(webhook.url).pathname).toBe(`/alertmanager/${receiver.name}`);
        expect(webhook.send_resolved).toBe(true);
      }
    }
  });

  it('pages each team by its team label, and everything else to the default (amtool config routes test)', async () => {
    expect(await routeFor(['alertname=TcpProbeDown', 'team=db', 'severity=critical'])).toBe('team-db');
    expect(await routeFor(['alertname=TcpProbeConnectSlow', 'team=network', 'severity=warning'])).toBe('team-network');
    expect(await routeFor(['alertname=TcpProbeDown', 'team=sap'])).toBe('probekit-default');
    expect(await routeFor(['alertname=ProbekitDiscoveryFailing', 'severity=warning'])).toBe('probekit-default');
  });

  it('routes the same teams to the same names as Grafana\'s notification policies', () => {
    const grafanaRoot = readYaml('provisioning', 'grafana', 'alerting', 'notification-policies.yaml').policies[0];
    const grafanaRoutes = Object.fromEntries(grafanaRoot.routes.map((r: any) => [r.object_matchers[0][2], r.receiver]));
    const amRoutes = Object.fromEntries(config.route.routes.map((r: any) => {
      const [matcher, ...rest] = r.matchers;
      expect(rest).toEqual([]);
      const [, value] = /^team="([^"]+)"$/.exec(matcher)!;
      return [value, r.receiver];
    }));
    expect(amRoutes).toEqual(grafanaRoutes);
    expect(config.route.receiver).toBe(grafanaRoot.receiver);
  });
});

describe('a real Alertmanager running alertmanager.yml, paging the real alert inbox', () => {
  let inbox: AlertInbox;
  let alertmanager: RunningAlertmanager;
  let dir: string;

  beforeAll(async () => {
    inbox = await startAlertInbox();
    dir = mkdtempSync(join(tmpdir(), 'probekit-stack-am-'));
    // The same routes and receivers; the inbox at its loopback address, and notifications sent at once.
    const local = structuredClone(config);
    local.route.group_wait = '0s';
    local.route.group_interval = '1s';
    for (const receiver of local.receivers) {
      for (const webhook of receiver.webhook_configs) webhook.url = `${inbox.url}${new URL(webhook.url).pathname}`;
    }
    alertmanager = await startAlertmanager(stringifyYaml(local));
  }, 60_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await inbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (alerts: { labels: Record<string, string>; annotations?: Record<string, string> }[]) => {
    const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts.map((alert) => ({ ...alert, startsAt: new Date().toISOString() }))),
    });
    expect(response.status).toBe(200);
  };

  const probeAlert = (team: string | undefined, probe: string, severity = 'critical') => ({
    labels: {
      alertname: 'TcpProbeDown', severity, server: `erp-${team ?? 'none'}`, probe, probe_id: `${probe}-id`, target: `${probe}.example:5432`,
      gateway: 'hq', managed_by: 'probekit', ...(team ? { team } : {}),
    },
    annotations: { summary: `${probe} is down` },
  });

  it('delivers each team\'s alert to that team, and an alert without a team to the default', async () => {
    await post([probeAlert('db', 'orders-db'), probeAlert('network', 'core-lb'), probeAlert(undefined, 'printer')]);
    const byPath = await eventually('three notifications', async () => {
      const received = await inbox.received();
      const paths = Object.fromEntries(received.map((n) => [n.path, n]));
      return Object.keys(paths).length === 3 ? paths : undefined;
    });
    expect(Object.keys(byPath).sort()).toEqual(['/alertmanager/probekit-default', '/alertmanager/team-db', '/alertmanager/team-network']);
    expect(byPath['/alertmanager/team-db']!.receiver).toBe('team-db');
    expect(byPath['/alertmanager/team-db']!.alerts.map((a) => a.labels.probe)).toEqual(['orders-db']);
    expect(byPath['/alertmanager/team-network']!.alerts.map((a) => a.labels.probe)).toEqual(['core-lb']);
    expect(byPath['/alertmanager/probekit-default']!.alerts.map((a) => a.labels.probe)).toEqual(['printer']);
    // What `docker compose logs alert-inbox` shows.
    expect(inbox.lines).toContain('/alertmanager/team-db FIRING TcpProbeDown {team=db severity=critical server=erp-db probe=orders-db target=orders-db.example:5432 gateway=hq} - orders-db is down');
  });

  it('holds back a probe\'s warning while the same probe is critical', async () => {
    // Same group (alertname, server) for all three: the notification that carries the other probe's warning shows
    // whether the inhibited warning was left out.
    await post([probeAlert('db', 'billing-db', 'critical')]);
    await eventually('the critical alert', async () => (await inbox.received()).some((n) => n.alerts.some((a) => a.labels.probe === 'billing-db')));
    await post([probeAlert('db', 'billing-db', 'warning'), probeAlert('db', 'ledger-db', 'warning')]);
    const notification = await eventually('the other probe\'s warning', async () => (await inbox.received())
      .find((n) => n.alerts.some((a) => a.labels.probe === 'ledger-db')));
    const warnings = notification.alerts.filter((a) => a.labels.severity === 'warning').map((a) => a.labels.probe);
    expect(warnings).toEqual(['ledger-db']);
  });
});
