// A server on several gateways, synced against a real gateway and the test Grafana's alerting: the path rules take
// their location's team from GET /api/v1/gateways (else the threshold's), every payload passes Grafana's schema,
// the drift check finds the synced groups equal, and the rules of one probe include its path rules.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ProbeServer } from '../api/types';
import { startTestGateway, TEST_GATEWAY_ID, type TestGateway } from '../test/gatewayHarness';
import { installFakeGrafana, type FakeGrafana } from '../test/grafanaRuntime';
import { loadDrift } from './drift';
import { GATEWAY_GROUP, pathRuleUid } from './mapping';
import { probeRuleUids } from './rules';
import { syncServerRules } from './sync';

const FOLDER = 'probekit-alerts';
let gateway: TestGateway;
let grafana: FakeGrafana;
let server: ProbeServer;

beforeEach(async () => {
  gateway = await startTestGateway();
  server = await gateway.seed.createServer({
    name: 'web', gateways: [TEST_GATEWAY_ID, 'branch-fra'], thresholds: [{ kind: 'availability', level: 'critical', consecutiveChecks: 2, team: 'web' }],
  });
  await gateway.seed.createProbe(server.id, { name: 'https', host: '127.0.0.1', port: 443, intervalSeconds: 60 });
  await gateway.seed.request('PATCH', `/api/v1/gateways/${TEST_GATEWAY_ID}`, { team: 'net-hq' });
  grafana = installFakeGrafana({ gateway, user: { login: 'erin', orgRole: 'Editor' }, jsonData: { prometheusUid: 'prom-main', defaultTeam: 'sre' } });
});
afterEach(async () => {
  expect(grafana.alerting.schemaViolations).toEqual([]);
  await gateway.close();
});

describe('syncing a server on two gateways', () => {
  test("writes the service rule and one path rule per location, each for its location's team", async () => {
    expect(await syncServerRules(server.id)).toMatchObject({ status: 'synced' });
    const group = grafana.alerting.group(FOLDER, `server-${server.id}`)!;
    const service = `probekit-s${server.id}-down-crit`;
    expect(group.rules.map((rule) => rule.uid)).toEqual([service, pathRuleUid(service, TEST_GATEWAY_ID), pathRuleUid(service, 'branch-fra')]);
    expect(group.rules.map((rule) => [rule.title, rule.labels?.team, rule.labels?.gateway])).toEqual([
      ['TcpProbeDown critical: web', 'web', undefined],
      [`TcpProbePathDown critical from ${TEST_GATEWAY_ID}: web`, 'net-hq', TEST_GATEWAY_ID],
      ['TcpProbePathDown critical from branch-fra: web', 'web', 'branch-fra'],
    ]);
    expect(group.rules[0]!.data.map((query) => query.refId)).toEqual(['A', 'B', 'C', 'Q1', 'L1', 'Q2', 'L2']);
    // Both locations are expected to report, the one no gateway announced yet too.
    const down = grafana.alerting.group(FOLDER, GATEWAY_GROUP)!.rules[0]!;
    expect((down.data[0]!.model as { expr: string }).expr).toBe(
      `(absent(tcpprobe_probes_configured{gateway="branch-fra"}) or absent(tcpprobe_probes_configured{gateway="${TEST_GATEWAY_ID}"}))`);
  });

  test('finds nothing to repair after syncing, teams included', async () => {
    await syncServerRules(server.id);
    const drift = await loadDrift();
    expect(drift.status).toBe('ready');
    if (drift.status !== 'ready') return;
    expect(drift.report.groups.map((group) => [group.group, group.status])).toEqual([[`server-${server.id}`, 'inSync'], [GATEWAY_GROUP, 'inSync']]);
  });

  test('a changed gateway team is drift until the next sync', async () => {
    await syncServerRules(server.id);
    await gateway.seed.request('PATCH', `/api/v1/gateways/${TEST_GATEWAY_ID}`, { team: 'net-ops' });
    const drift = await loadDrift();
    expect(drift.status === 'ready' && drift.report.groups[0]!.status).toBe('changed');
    await syncServerRules(server.id);
    expect(grafana.alerting.rule(pathRuleUid(`probekit-s${server.id}-down-crit`, TEST_GATEWAY_ID))!.labels?.team).toBe('net-ops');
  });
});

describe('probeRuleUids', () => {
  test("lists a probe's path rules on a server with several gateways, none with a quorum of one", () => {
    const multi = { id: 1, gateways: ['hq', 'fra', 'aws'], thresholds: [] } as unknown as ProbeServer;
    const service = 'probekit-s1-down-crit';
    expect(probeRuleUids(multi, { id: 10, thresholds: [] })).toEqual([service, ...['hq', 'fra', 'aws'].map((g) => pathRuleUid(service, g))]);
    expect(probeRuleUids(multi, { id: 10, thresholds: [{ kind: 'availability', level: 'warning', minFailingLocations: 1 }] })).toEqual(['probekit-p10-down-warn']);
    expect(probeRuleUids({ ...multi, gateways: ['hq'] }, { id: 10, thresholds: [] })).toEqual([service]);
  });
});
