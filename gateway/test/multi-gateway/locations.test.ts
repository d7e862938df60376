// One probe server on three locations, as real processes: the control plane (location hq) in the test's namespace and
// two agents (branch-a, branch-b) in network namespaces, all probing one target; a route cuts a branch off it (a path
// fault) while the others still reach it. A real Prometheus scrapes the three, evaluates the exported quorum rules and
// alerts a real Alertmanager, which routes by team to webhooks on loopback; the Grafana rules' PromQL is asked of the
// same Prometheus. Needs root for the namespaces (helpers/netns.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grafanaRuleGroups, type AlertingConfig } from '../../src/alerting/index.js';
import { startAlertmanager, startWebhookReceiver, teamRoutingConfig, type RunningAlertmanager, type WebhookAlert, type WebhookReceiver } from '../helpers/alertmanager.js';
import { ApiClient } from '../helpers/gateway.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { grafanaRuleInstances } from '../helpers/grafana-instances.js';
import { startListener, type TestListener } from '../helpers/listeners.js';
import { addServiceAddresses, createBranch, type Branch, type ServiceAddresses } from '../helpers/locations.js';
import { netnsTestsEnabled } from '../helpers/netns.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';

const API_TOKEN = 'locations-api-token-0123456';
const AGENT_TOKEN = 'locations-agent-token-0123456';
const LOCATIONS = ['hq', 'branch-a', 'branch-b'] as const;
type BranchName = 'branch-a' | 'branch-b';
const BRANCH_TEAMS: Record<BranchName, string> = { 'branch-a': 'neta', 'branch-b': 'netb' };
/** Down for two checks in a row (1 s apart) and 2 s more; the quorum is left to its default, 2 of 3. */
const SERVICE_THRESHOLD = { kind: 'availability', level: 'critical', for: '2s', consecutiveChecks: 2, team: 'svc' };
const SCRAPE_SECONDS = 1;
/** The team label of the gateway-health alerts, and the receiver they go to. */
const GATEWAY_TEAM = 'gateways';
/** Longer than it takes a location's failures to become an alert (2 checks, `for`, an evaluation, a notification). */
const SETTLE_MS = 5_000;
/** Rules that watch the gateways' scheduling, not the probes: a loaded CI machine may miss slots, which is not this test's subject. */
const IGNORED_ALERTS = new Set(['TcpProbeGatewaySaturated']);
const RECEIVERS = ['svc', 'neta', 'netb', 'gateways', 'unrouted'] as const;
type ReceiverName = (typeof RECEIVERS)[number];

let dir: string;
let service: ServiceAddresses | undefined;
let targetAddress: string;
let target: TestListener | undefined;
let steady: TestListener | undefined;
const branches: Partial<Record<BranchName, Branch>> = {};
let hq: GatewayProcess | undefined;
const agents: Partial<Record<BranchName, GatewayProcess>> = {};
let api: ApiClient;
let prometheus: RunningPrometheus | undefined;
let alertmanager: RunningAlertmanager | undefined;
const receivers: Partial<Record<ReceiverName, WebhookReceiver>> = {};
const probeIds = { web: '', steady: '' };

const receiver = (name: ReceiverName) => receivers[name]!;
const hostOf = (gateway: GatewayProcess) => new URL(gateway.url).host;

/** "alertname probe=web gateway=x": what identifies an alert instance here, from its labels. */
function instanceKey(labels: Record<string, string>): string {
  const probe = Object.entries(probeIds).find(([, id]) => id === labels.probe_id)?.[0] ?? labels.probe_id;
  return [labels.alertname, probe && `probe=${probe}`, labels.gateway && `gateway=${labels.gateway}`].filter(Boolean).join(' ');
}

const received = (name: ReceiverName, status: WebhookAlert['status'], alertname?: string) =>
  receiver(name).alerts.filter((a) => a.status === status && (alertname === undefined || a.labels.alertname === alertname));

/** Prometheus' firing alerts, as instance keys. */
async function firingInPrometheus(): Promise<string[]> {
  const series = await prometheus!.query('ALERTS{alertstate="firing"}');
  return series.filter((s) => !IGNORED_ALERTS.has(s.metric.alertname!)).map((s) => instanceKey(s.metric)).sort();
}

/** The configuration as the plugin reads it from the gateway API: servers, their probes, the gateways' teams. */
async function alertingConfig(): Promise<AlertingConfig> {
  const servers = (await api.get('/api/v1/servers')).body.items;
  const probes = (await Promise.all(servers.map(async (s: { id: number }) => (await api.get(`/api/v1/servers/${s.id}/probes`)).body.items))).flat();
  const gateways = (await api.get('/api/v1/gateways')).body.items.map((g: { id: string; team: string | null }) => ({ id: g.id, team: g.team }));
  return { servers, probes, gateways };
}

/** What the Grafana rules built from that configuration would alert on now: instance keys, with the rule's team. */
async function grafanaInstances(): Promise<string[]> {
  const groups = grafanaRuleGroups(await alertingConfig(), {
    folderUid: 'probekit', datasourceUid: 'prometheus', grafanaUrl: 'http://grafana.test', gatewayTeam: GATEWAY_TEAM, scrapeIntervalSeconds: SCRAPE_SECONDS,
  });
  return (await grafanaRuleInstances(groups, prometheus!))
    .filter((instance) => !IGNORED_ALERTS.has(instance.alertName))
    .map((instance) => `${instanceKey({ ...instance.labels, alertname: instance.alertName })} team=${instance.ruleLabels.team ?? '-'}`)
    .sort();
}

/** What each receiver got and what Prometheus sees, for a failure message. */
async function diagnostics(): Promise<string> {
  const lines = RECEIVERS.map((name) => `  webhook ${name}: ${receiver(name).alerts.map((a) => `${a.status} ${instanceKey(a.labels)}`).join('; ') || '-'}`);
  try {
    const alerts = await prometheus!.query('ALERTS');
    lines.push(`  ALERTS: ${alerts.map((s) => `${s.metric.alertstate} ${instanceKey(s.metric)}`).join('; ') || '-'}`);
    const failures = await prometheus!.query('tcpprobe_consecutive_failures');
    lines.push(`  consecutive failures: ${failures.map((s) => `${instanceKey(s.metric)}=${s.value[1]}`).sort().join(', ') || '-'}`);
    const up = await prometheus!.query('up');
    lines.push(`  up: ${up.map((s) => `${s.metric.instance}=${s.value[1]}`).join(', ')}`);
  } catch (err) {
    lines.push(`  Prometheus: ${(err as Error).message}`);
  }
  for (const [name, gateway] of Object.entries({ hq, ...agents })) {
    const output = gateway?.output().trim();
    if (output) lines.push(`  ${name} said: ${output.slice(-1500)}`);
  }
  return lines.join('\n');
}

/** Polls `read` until `accept` holds; fails after `timeoutMs` naming `what`, the last value and the alerting state. */
async function eventually<T>(what: string, read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms; last value ${JSON.stringify(value)}\n${await diagnostics()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

describe.skipIf(!netnsTestsEnabled('locations.test.ts'))('a probe on three locations with a quorum of two', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'probekit-locations-'));
    service = await addServiceAddresses(3);
    const [controlPlaneAddress, steadyAddress] = [service.addresses[0]!, service.addresses[2]!];
    targetAddress = service.addresses[1]!;
    target = await startListener(targetAddress);
    steady = await startListener(steadyAddress);
    for (const name of ['branch-a', 'branch-b'] as const) branches[name] = await createBranch(service.addresses);

    hq = await spawnGateway({
      GATEWAY_ID: 'hq', GATEWAY_HOST: controlPlaneAddress, GATEWAY_DB: join(dir, 'hq', 'gateway.db'),
      GATEWAY_API_TOKEN: API_TOKEN, GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
    });
    api = new ApiClient(hq.url, API_TOKEN);
    await Promise.all((['branch-a', 'branch-b'] as const).map(async (name) => {
      const namespace = branches[name]!.namespace;
      agents[name] = await spawnGateway({
        GATEWAY_ID: name, GATEWAY_HOST: namespace.nsAddress, GATEWAY_DB: join(dir, name, 'gateway.db'), GATEWAY_API_TOKEN: API_TOKEN,
        GATEWAY_CONTROL_PLANE_URL: hq!.url, GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
      }, undefined, { netns: namespace.name });
    }));

    const server = await api.post('/api/v1/servers', { name: 'shop', role: 'production', site: 'eu', gateways: LOCATIONS, thresholds: [SERVICE_THRESHOLD] });
    expect(server.status, JSON.stringify(server.body)).toBe(201);
    expect(server.body.gateways).toEqual(LOCATIONS);
    for (const [name, listener, host] of [['web', target, targetAddress], ['steady', steady, steadyAddress]] as const) {
      const probe = await api.post(`/api/v1/servers/${server.body.id}/probes`, { name, host, port: listener.port, intervalSeconds: 1, timeoutMs: 500 });
      expect(probe.status, JSON.stringify(probe.body)).toBe(201);
      probeIds[name] = String(probe.body.id);
    }
    for (const [gateway, team] of Object.entries(BRANCH_TEAMS)) {
      const patched = await api.patch(`/api/v1/gateways/${gateway}`, { team });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body).toMatchObject({ id: gateway, team });
    }

    // Exported after the teams are set: the path rules carry them.
    const rules = await api.get(`/api/v1/export/prometheus-rules?scrapeInterval=${SCRAPE_SECONDS}s&gatewayTeam=${GATEWAY_TEAM}`);
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    const rulesFile = join(dir, 'probekit-rules.yml');
    writeFileSync(rulesFile, rules.body);

    for (const name of RECEIVERS) receivers[name] = await startWebhookReceiver();
    alertmanager = await startAlertmanager(teamRoutingConfig(receivers as Record<ReceiverName, WebhookReceiver>, 'unrouted'));
    prometheus = await startPrometheus({
      targets: [hq, agents['branch-a']!, agents['branch-b']!].map(hostOf),
      scrapeIntervalSeconds: SCRAPE_SECONDS,
      ruleFiles: [rulesFile],
      alertmanager: alertmanager.hostPort,
    });
    await eventually('every location reporting both probes up', async () => (await prometheus!.query('tcpprobe_availability == 1'))
      .map((s) => instanceKey(s.metric)).sort(), (keys) => keys.length === 6 && LOCATIONS.every((g) => keys.includes(`probe=web gateway=${g}`)), 45_000);
  }, 120_000);

  afterAll(async () => {
    // Each step on its own: one that fails must not leave the namespaces, the addresses or the processes behind.
    const steps = [
      () => prometheus?.stop(),
      () => alertmanager?.stop(),
      ...Object.values(receivers).map((r) => () => r.close()),
      ...[hq, ...Object.values(agents)].map((g) => () => g?.stop('SIGKILL')),
      () => target?.close(),
      () => steady?.close(),
      ...Object.values(branches).map((b) => () => b.remove()),
      () => service?.remove(),
    ];
    const failures: unknown[] = [];
    for (const step of steps) await Promise.resolve().then(step).catch((err: unknown) => failures.push(err));
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (failures.length > 0) throw new AggregateError(failures, 'cleaning up the locations test');
  }, 60_000);

  it('down from one location (branch-a): one path alert, to the branch\'s team, and no service alert', async () => {
    await branches['branch-a']!.cutOff(targetAddress);

    const [path] = await eventually('the path alert of branch-a at team neta', () => received('neta', 'firing', 'TcpProbePathDown'), (a) => a.length > 0);
    expect(path!.labels).toMatchObject({ alertname: 'TcpProbePathDown', team: 'neta', probe_id: probeIds.web, gateway: 'branch-a', server: 'shop' });
    await settle();

    expect(received('neta', 'firing').map((a) => instanceKey(a.labels))).toEqual(['TcpProbePathDown probe=web gateway=branch-a']);
    for (const name of ['svc', 'netb', 'gateways', 'unrouted'] as const) expect(received(name, 'firing'), `${name} got nothing`).toEqual([]);
    expect(await firingInPrometheus()).toEqual(['TcpProbePathDown probe=web gateway=branch-a']);
    expect(await grafanaInstances()).toEqual(['TcpProbePathDown probe=web gateway=branch-a team=neta']);
  }, 60_000);

  it('down from two locations: one service alert naming both, and the path alert resolves', async () => {
    await branches['branch-b']!.cutOff(targetAddress);

    const [down] = await eventually('the service alert at team svc', () => received('svc', 'firing', 'TcpProbeDown'), (a) => a.length > 0);
    expect(down!.labels).toMatchObject({ alertname: 'TcpProbeDown', team: 'svc', probe_id: probeIds.web, server: 'shop', severity: 'critical' });
    expect(down!.labels.gateway, 'one instance per probe, not per location').toBeUndefined();
    // In the server's order of its gateways, as the issue words it.
    const naming = Object.values(down!.annotations).filter((text) => text.includes('down from branch-a, branch-b; up from hq'));
    expect(naming, `an annotation names the locations down and up: ${JSON.stringify(down!.annotations)}`).not.toEqual([]);
    await eventually('the path alert of branch-a to resolve', () => received('neta', 'resolved', 'TcpProbePathDown'), (a) => a.length > 0);
    await settle();

    expect(received('svc', 'firing').map((a) => instanceKey(a.labels))).toEqual(['TcpProbeDown probe=web']);
    expect(received('neta', 'firing')).toHaveLength(1);
    for (const name of ['netb', 'gateways', 'unrouted'] as const) expect(received(name, 'firing'), `${name} got nothing`).toEqual([]);
    expect(await firingInPrometheus()).toEqual(['TcpProbeDown probe=web']);
    expect(await grafanaInstances()).toEqual(['TcpProbeDown probe=web team=svc']);
  }, 60_000);

  it('a stopped agent (no data) and one location down: no service alert, the gateway-down alert for the stopped one', async () => {
    for (const name of ['branch-a', 'branch-b'] as const) await branches[name]!.reach(targetAddress);
    await eventually('the service alert to resolve', () => received('svc', 'resolved', 'TcpProbeDown'), (a) => a.length > 0);
    await eventually('no alert firing in Prometheus', firingInPrometheus, (keys) => keys.length === 0);
    const before = Object.fromEntries(RECEIVERS.map((name) => [name, receiver(name).alerts.length]));
    const since = (name: ReceiverName) => receiver(name).alerts.slice(before[name]).filter((a) => a.status === 'firing').map((a) => instanceKey(a.labels));

    await agents['branch-b']!.stop('SIGKILL');
    const branchB = hostOf(agents['branch-b']!);
    await prometheus!.waitFor(`up{instance="${branchB}"} == 0`, (r) => r.length === 1);
    await branches['branch-a']!.cutOff(targetAddress);

    const [gatewayDown] = await eventually('the gateway-down alert of branch-b', () => since('gateways'), (keys) => keys.length > 0);
    expect(gatewayDown).toBe('TcpProbeGatewayDown gateway=branch-b');
    await eventually('the path alert of branch-a again', () => since('neta'), (keys) => keys.length > 0);
    await settle();

    expect(since('svc'), 'no service alert: one location down is short of the quorum, and no data is not down').toEqual([]);
    expect(since('neta')).toEqual(['TcpProbePathDown probe=web gateway=branch-a']);
    expect(since('gateways')).toEqual(['TcpProbeGatewayDown gateway=branch-b']);
    for (const name of ['netb', 'unrouted'] as const) expect(since(name), `${name} got nothing`).toEqual([]);
    expect(await firingInPrometheus()).toEqual(['TcpProbeGatewayDown gateway=branch-b', 'TcpProbePathDown probe=web gateway=branch-a']);
    expect(await grafanaInstances()).toEqual(['TcpProbeGatewayDown gateway=branch-b team=gateways', 'TcpProbePathDown probe=web gateway=branch-a team=neta']);
  }, 60_000);
});
