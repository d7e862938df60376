// A probe seen from three locations, through a real Prometheus: each location's /metrics (as a gateway exposes it)
// is scraped, the exported rules are evaluated, and the Grafana rules' queries run against the same data. One
// location down is a path alert for that location's team, not a service alert; two are one service alert naming
// both; a location without data never counts towards the quorum, and without a location that sees the probe up
// there is no path alert either.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  grafanaRuleGroups, pathRuleUid, prometheusRuleGroups, type AlertRuleGroup, type AlertingConfig, type ProvisionedAlertRule,
} from '../../src/alerting/index.js';
import { checkRules, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { FakeLocation } from './fake-location.js';
import { GRAFANA, grafanaSchemaProblems } from './fixtures.js';

const GATEWAYS = ['hq', 'branch-fra', 'aws-eu'] as const;
type Gateway = (typeof GATEWAYS)[number];
const WEB = { id: 1, name: 'web', role: 'production', site: 'fra' };
const HTTPS = { id: 10, name: 'https', target: '192.0.2.10:443' };
const SSH = { id: 11, name: 'ssh', target: '192.0.2.10:22' };
const SERVICE_UID = 'probekit-s1-down-crit';

const config: AlertingConfig = {
  servers: [{ ...WEB, gateways: [...GATEWAYS], thresholds: [{ kind: 'availability', level: 'critical', consecutiveChecks: 2, team: 'web' }] }],
  probes: [HTTPS, SSH].map((p) => ({ id: p.id, serverId: WEB.id, name: p.name, intervalSeconds: 1, thresholds: [] })),
  gateways: [{ id: 'hq', team: 'net-hq' }, { id: 'branch-fra', team: null }, { id: 'aws-eu', team: 'cloud' }],
};

let dir: string;
let prometheus: RunningPrometheus;
const locations = {} as Record<Gateway, FakeLocation>;
let grafanaRules: ProvisionedAlertRule[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probekit-locations-'));
  const targets: string[] = [];
  for (const gateway of GATEWAYS) {
    locations[gateway] = new FakeLocation(gateway, WEB, [HTTPS, SSH]);
    targets.push(await locations[gateway].start());
  }
  const rulesFile = join(dir, 'rules.yml');
  writeFileSync(rulesFile, stringify(prometheusRuleGroups(config, { scrapeIntervalSeconds: 1 }), { lineWidth: 0 }));
  expect(await checkRules(rulesFile)).toMatch(/SUCCESS: 6 rules found/);
  const groups: AlertRuleGroup[] = grafanaRuleGroups(config, { ...GRAFANA, scrapeIntervalSeconds: 1 });
  for (const group of groups) expect(grafanaSchemaProblems(group), group.title).toEqual([]);
  grafanaRules = groups.flatMap((group) => group.rules);
  prometheus = await startPrometheus({ targets, ruleFiles: [rulesFile], scrapeIntervalSeconds: 1, evaluationIntervalSeconds: 1 });
  await prometheus.waitFor('tcpprobe_availability', (result) => result.length === 6);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const location of Object.values(locations)) await location.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sets the https probe's run of failures per location: a number, 'no data' (its series gone), 'unscraped' (the location down). */
function see(states: Record<Gateway, number | 'no data' | 'unscraped'>): void {
  for (const gateway of GATEWAYS) {
    const state = states[gateway];
    locations[gateway].scrapeable = state !== 'unscraped';
    locations[gateway].failures.set(HTTPS.id, typeof state === 'number' ? state : null);
  }
}

interface PrometheusAlert { labels: Record<string, string>; annotations: Record<string, string>; state: string }

async function firing(): Promise<PrometheusAlert[]> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: PrometheusAlert[] } };
  return body.data.alerts.filter((alert) => alert.state === 'firing');
}

/** The probe alerts Prometheus fires, as "alertname probe@gateway team" ("-" for a label the alert does not have). */
async function prometheusProbeAlerts(): Promise<string[]> {
  return (await firing())
    .filter((alert) => alert.labels.alertname !== 'TcpProbeGatewayDown')
    .map((alert) => `${alert.labels.alertname} ${alert.labels.probe}@${alert.labels.gateway ?? '-'} ${alert.labels.team ?? '-'}`).sort();
}

const condition = (rule: ProvisionedAlertRule) => {
  const { type, params } = (rule.data.find((q) => q.refId === 'C')!.model.conditions as { evaluator: { type: 'lt' | 'gt'; params: number[] } }[])[0]!.evaluator;
  return `${type === 'lt' ? '<' : '>'} ${params[0]}`;
};
const exprOf = (rule: ProvisionedAlertRule, refId: string) => rule.data.find((q) => q.refId === refId)!.model.expr as string;
const labelKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** What Grafana would fire: each rule's A compared as C says (B takes the last value, as an instant query gives it), as "uid probe@gateway". */
async function grafanaInstances(): Promise<string[]> {
  const instances: string[] = [];
  for (const rule of grafanaRules.filter((r) => r.ruleGroup !== 'gateways')) {
    for (const series of await prometheus.query(`${exprOf(rule, 'A')} ${condition(rule)}`)) {
      instances.push(`${rule.uid} ${series.metric.probe}@${series.metric.gateway ?? '-'}`);
    }
  }
  return instances.sort();
}

/**
 * The per-location values (L1.. of Q1..) Grafana hands the service rule's instance of a probe: those series of each
 * Qi whose labels equal the instance's (A's series), in the server's order of gateways.
 */
async function grafanaLocationValues(probeName: string): Promise<number[]> {
  const rule = grafanaRules.find((r) => r.uid === SERVICE_UID)!;
  const instance = (await prometheus.query(exprOf(rule, 'A'))).find((series) => series.metric.probe === probeName);
  expect(instance, `A has a series for ${probeName}, zero included`).toBeDefined();
  const values: number[] = [];
  for (const index of GATEWAYS.keys()) {
    const matching = (await prometheus.query(exprOf(rule, `Q${index + 1}`))).filter((series) => labelKey(series.metric) === labelKey(instance!.metric));
    expect(matching, `Q${index + 1} has one series with the labels of the instance`).toHaveLength(1);
    values.push(Number(matching[0]!.value[1]));
  }
  return values;
}

/** Polls until `read` gives `expected`, then checks it still does three evaluations later (nothing else turned up). */
async function settles<T>(read: () => Promise<T>, expected: T, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected)) {
    if (Date.now() > deadline) expect(last, 'settled state').toEqual(expected);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  await new Promise((r) => setTimeout(r, 3_000));
  expect(await read()).toEqual(expected);
}

const pathUid = (gateway: Gateway) => pathRuleUid(SERVICE_UID, gateway);

describe('a probe from three locations, quorum 2', () => {
  it('alerts on nothing while every location sees it up', async () => {
    see({ hq: 0, 'branch-fra': 0, 'aws-eu': 0 });
    await settles(prometheusProbeAlerts, []);
    expect(await grafanaInstances()).toEqual([]);
    expect(await grafanaLocationValues('https')).toEqual([1, 1, 1]);
  }, 30_000);

  it("down from 1 of 3: no service alert, one path alert for that location's team", async () => {
    see({ hq: 3, 'branch-fra': 0, 'aws-eu': 0 });
    await settles(prometheusProbeAlerts, ['TcpProbePathDown https@hq net-hq']);
    expect(await grafanaInstances()).toEqual([`${pathUid('hq')} https@hq`]);
    // One failed check is no location down yet (two in a row are): still the same one path alert.
    see({ hq: 3, 'branch-fra': 1, 'aws-eu': 0 });
    await settles(prometheusProbeAlerts, ['TcpProbePathDown https@hq net-hq']);
    expect(await grafanaInstances()).toEqual([`${pathUid('hq')} https@hq`]);
    expect(await grafanaLocationValues('https')).toEqual([2, 0, 1]);
  }, 40_000);

  it('down from 2 of 3: one service alert per probe, naming both locations, and the path alerts end', async () => {
    see({ hq: 3, 'branch-fra': 2, 'aws-eu': 0 });
    await settles(prometheusProbeAlerts, ['TcpProbeDown https@- web']);
    const [service] = (await firing()).filter((alert) => alert.labels.alertname === 'TcpProbeDown');
    expect(service!.labels).toMatchObject({ server: 'web', server_id: '1', probe: 'https', probe_id: '10', target: HTTPS.target, role: 'production', site: 'fra', severity: 'critical' });
    expect(service!.labels).not.toHaveProperty('instance');
    expect(service!.annotations.summary).toBe(`https (${HTTPS.target}) of web is down from 2 of 3 locations`);
    expect(service!.annotations.locations).toBe('down from hq, branch-fra; up from aws-eu');
    expect(service!.annotations.description).toContain('Most frequent failure in the last 5m: refused.');

    expect(await grafanaInstances()).toEqual([`${SERVICE_UID} https@-`]);
    // What the Grafana annotation reads: down (2) at hq and branch-fra, up (1) at aws-eu; the ssh probe is up everywhere.
    expect(await grafanaLocationValues('https')).toEqual([2, 2, 1]);
    expect(await grafanaLocationValues('ssh')).toEqual([1, 1, 1]);
  }, 40_000);

  it('down from 3 of 3: still the one service alert, no path alert (no location sees it up)', async () => {
    see({ hq: 3, 'branch-fra': 2, 'aws-eu': 4 });
    await settles(prometheusProbeAlerts, ['TcpProbeDown https@- web']);
    expect((await firing()).find((alert) => alert.labels.alertname === 'TcpProbeDown')!.annotations.locations).toBe('down from hq, branch-fra, aws-eu; up from none');
    expect(await grafanaInstances()).toEqual([`${SERVICE_UID} https@-`]);
  }, 40_000);

  it('one location without data and one down: no service alert; the gateway-down alert covers the silent one', async () => {
    see({ hq: 3, 'branch-fra': 0, 'aws-eu': 'unscraped' });
    // branch-fra still sees it up, so hq's path alert is right to fire.
    await settles(prometheusProbeAlerts, ['TcpProbePathDown https@hq net-hq']);
    expect(await grafanaInstances()).toEqual([`${pathUid('hq')} https@hq`]);
    // The silent location is 0 for Grafana's annotation (neither down nor up), and Q3 is not empty.
    expect(await grafanaLocationValues('https')).toEqual([2, 1, 0]);
    await prometheus.waitFor('ALERTS{alertname="TcpProbeGatewayDown",alertstate="firing"}', (r) => r.length === 1 && r[0]!.metric.gateway === 'aws-eu', 15_000);
  }, 50_000);

  it('down where it reports and no data elsewhere: neither a service alert nor a path alert', async () => {
    see({ hq: 3, 'branch-fra': 'no data', 'aws-eu': 'unscraped' });
    await settles(prometheusProbeAlerts, []);
    expect(await grafanaInstances()).toEqual([]);
  }, 40_000);
});
