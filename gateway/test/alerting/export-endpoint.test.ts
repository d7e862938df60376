// GET /api/v1/export/prometheus-rules on a real gateway: the stored thresholds as a rules file, from the same mapping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prometheusRuleGroups } from '../../src/alerting/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
const RULES = '/api/v1/export/prometheus-rules';

beforeAll(async () => {
  gw = await startTestGateway();
  const db = await gw.api.post('/api/v1/servers', { name: 'db', site: 'lab', thresholds: [{ kind: 'availability', level: 'critical', for: '1m', team: 'db' }] });
  expect(db.status).toBe(201);
  const plain = await gw.api.post('/api/v1/servers', { name: 'plain' });
  for (const [serverId, name, thresholds] of [
    [db.body.id, 'primary', []],
    [db.body.id, 'replica', [{ kind: 'availability', level: 'critical', consecutiveChecks: 3, team: 'dba' }]],
    [plain.body.id, 'web', [{ kind: 'connectTime', level: 'warning', value: 200 }]],
  ] as const) {
    expect((await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name, host: '127.0.0.1', port: 9, intervalSeconds: 60, thresholds })).status).toBe(201);
  }
});

afterAll(async () => {
  await gw?.dispose();
});

describe('GET /api/v1/export/prometheus-rules', () => {
  it('answers YAML built by the mapping from the stored servers and probes', async () => {
    const response = await gw.api.get(RULES);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/yaml/);
    const servers = (await gw.api.get('/api/v1/servers')).body.items;
    const probes = (await Promise.all(servers.map(async (s: { id: number }) => (await gw.api.get(`/api/v1/servers/${s.id}/probes`)).body.items))).flat();
    expect(parse(response.body)).toEqual(prometheusRuleGroups({ servers, probes }));
    expect(parse(response.body).groups.map((g: { name: string }) => g.name)).toEqual([`server-${servers[0].id}`, `server-${servers[1].id}`, 'gateways']);
  });

  it('takes the Grafana URL for probe links and the scrape interval', async () => {
    const doc = parse((await gw.api.get(`${RULES}?grafanaUrl=${encodeURIComponent('https://grafana.example')}&scrapeInterval=15s`)).body);
    const replica = doc.groups[0].rules.find((r: { labels: { team?: string } }) => r.labels.team === 'dba');
    // Three checks in a row are the gauge's condition, not a wait: no `for`, whatever the scrape interval.
    expect(replica).toMatchObject({ expr: `tcpprobe_consecutive_failures{probe_id="${replica.labels.probe_id}"} > 2` });
    expect(replica).not.toHaveProperty('for');
    expect(replica.annotations.probe_url).toBe('https://grafana.example/a/probekit-tcpprobe-app/probes/{{ $labels.probe_id }}');
    expect(doc.groups.at(-1).rules[0]).toMatchObject({ alert: 'TcpProbeGatewayDown', for: '45s' });
  });

  it("labels the gateway-health alerts with the gateways' team", async () => {
    const doc = parse((await gw.api.get(`${RULES}?gatewayTeam=netops`)).body);
    const health = doc.groups.at(-1).rules;
    expect(health.map((r: { alert: string }) => r.alert)).toEqual(['TcpProbeGatewayDown', 'TcpProbeGatewaySaturated']);
    for (const rule of health) expect(rule.labels.team).toBe('netops');
    expect(doc.groups[0].rules.every((r: { labels: { team?: string } }) => r.labels.team !== 'netops')).toBe(true);
  });

  it('needs the token, like every read under /api', async () => {
    expect((await gw.api.withToken(null).get(RULES)).status).toBe(401);
  });

  it('names the query parameter it refuses', async () => {
    const bad = await gw.api.get(`${RULES}?grafanaUrl=grafana.example`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('grafanaUrl');
    expect((await gw.api.get(`${RULES}?scrapeInterval=often`)).body.field).toBe('scrapeInterval');
    expect((await gw.api.get(`${RULES}?gatewayTeam=net%20ops`)).body.field).toBe('gatewayTeam');
  });
});

describe('consecutiveChecks on thresholds', () => {
  it('is accepted on availability and refused on other kinds, naming the field', async () => {
    const refused = await gw.api.post('/api/v1/servers', { name: 'x', thresholds: [{ kind: 'connectTime', level: 'warning', value: 100, consecutiveChecks: 2 }] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ field: 'thresholds[0].consecutiveChecks', message: 'thresholds[0].consecutiveChecks applies only to kind availability' });
    const zero = await gw.api.post('/api/v1/servers', { name: 'x', thresholds: [{ kind: 'availability', level: 'warning', consecutiveChecks: 0 }] });
    expect([zero.status, zero.body.field]).toEqual([400, 'thresholds[0].consecutiveChecks']);
  });
});

describe('a server on several gateways', () => {
  it("exports its path rules with the team each gateway has, else the threshold's", async () => {
    const server = await gw.api.post('/api/v1/servers', {
      name: 'multi', gateways: ['test-gw', 'branch', 'aws'], thresholds: [{ kind: 'availability', level: 'critical', consecutiveChecks: 2, team: 'web' }],
    });
    expect(server.status).toBe(201);
    expect((await gw.api.post(`/api/v1/servers/${server.body.id}/probes`, { name: 'https', host: '127.0.0.1', port: 9, intervalSeconds: 60 })).status).toBe(201);
    expect((await gw.api.patch('/api/v1/gateways/test-gw', { team: 'net-hq' })).status).toBe(200);
    // A location no gateway has announced yet may have its team already.
    expect((await gw.api.patch('/api/v1/gateways/branch', { team: 'net-branch' })).status).toBe(200);

    const doc = parse((await gw.api.get(RULES)).body);
    const group = doc.groups.find((g: { name: string }) => g.name === `server-${server.body.id}`);
    const paths = group.rules.filter((r: { alert: string }) => r.alert === 'TcpProbePathDown');
    expect(paths.map((r: { labels: Record<string, string> }) => [r.labels.gateway, r.labels.team])).toEqual([['test-gw', 'net-hq'], ['branch', 'net-branch'], ['aws', 'web']]);
    expect(group.rules[0]).toMatchObject({ alert: 'TcpProbeDown', labels: { team: 'web' }, expr: expect.stringMatching(/^\(count by \(server, server_id, probe, probe_id, target, role, site\) .* > 1$/) });
    // The gateway-down rule expects every location, those never seen too.
    expect(doc.groups.at(-1).rules[0].expr).toContain('absent(tcpprobe_probes_configured{gateway="branch"})');
  });
});
