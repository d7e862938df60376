// The preview host's Grafana answers as the provisioned Grafana would, over plain HTTP (no browser): the app's
// settings as provisioned, the folder and alerting provisioning APIs with Grafana's schema (400 for an invalid
// payload), and rule states that the preview's ruler evaluates against the real Prometheus scraping the real gateway:
// a probe to a closed port makes the default availability rule pending, a probe to a listener stays normal.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseDurationMs, thresholdRuleUid } from '../src/alerting/mapping';
import { serverRuleGroup } from '../src/alerting/rules';
import { alertingTarget } from '../src/alerting/settings';
import type { Probe, ProbeServer } from '../src/api/types';
import type { AppJsonData } from '../src/types';
import { startPreview, type Preview } from '../preview/host';
import { eventually } from './eventually';

const APP_ID = 'probekit-tcpprobe-app';
let preview: Preview;
let listener: Server;

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; data: any }> {
  const response = await fetch(`${preview.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, data: text === '' ? null : JSON.parse(text) };
}

const gateway = (method: string, path: string, body?: unknown) => send(method, `/api/plugin-proxy/${APP_ID}/gateway${path}`, body);


beforeAll(async () => {
  listener = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  preview = await startPreview({ prometheus: true });
});

afterAll(async () => {
  await preview?.close();
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
});

test('serves the settings as provisioned, with its Prometheus data source', async () => {
  const { status, data } = await send('GET', `/api/plugins/${APP_ID}/settings`);
  expect(status).toBe(200);
  // provisioning/grafana/plugins/probekit.yaml, with the preview's own gateway for the compose service.
  expect(data.jsonData).toEqual({ gatewayUrl: preview.gateway.url, prometheusUid: 'probekit-prometheus' });
  expect(data.secureJsonFields).toEqual({ gatewayToken: true });
  expect(preview.server.prometheus).toMatchObject({ uid: 'probekit-prometheus', type: 'prometheus' });
  const page = await (await fetch(`${preview.url}/plugins/${APP_ID}`)).text();
  expect(page).toContain('"prometheusUid":"probekit-prometheus"');
});

test("evaluates the app's rules against the real Prometheus: a closed port goes pending, a listener stays normal", async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const server = (await gateway('POST', '/api/v1/servers', { name: 'erp-prod' })).data as ProbeServer;
  const up = await gateway('POST', `/api/v1/servers/${server.id}/probes`, { name: 'web', host: '127.0.0.1', port: (listener.address() as { port: number }).port, intervalSeconds: 10 });
  const down = await gateway('POST', `/api/v1/servers/${server.id}/probes`, { name: 'db', host: '127.0.0.1', port: closedPort, intervalSeconds: 10 });
  expect([up.status, down.status]).toEqual([201, 201]);
  const probes = [up.data, down.data] as Probe[];

  // The group the app writes, from the app's own mapping and the served settings.
  const settings = (await send('GET', `/api/plugins/${APP_ID}/settings`)).data as { jsonData: AppJsonData };
  const resolved = alertingTarget(settings.jsonData, { appUrl: preview.url, orgId: 1 });
  if (!resolved.ok) throw new Error(`the served settings name no Prometheus: ${JSON.stringify(settings.jsonData)}`);
  const { target } = resolved;
  const group = serverRuleGroup(server, probes, target);
  expect((await send('GET', `/api/folders/${target.folderUid}`)).status).toBe(404);
  expect((await send('POST', '/api/folders', { uid: target.folderUid, title: target.folderTitle })).status).toBe(200);
  const groupPath = `/api/v1/provisioning/folder/${target.folderUid}/rule-groups/${encodeURIComponent(group.title)}`;

  // Grafana's schema: an invalid payload is refused and recorded, a valid one stored.
  const invalid = await send('PUT', groupPath, { ...group, rules: [{ ...group.rules[0], for: '5 minutes' }] }, { 'X-Disable-Provenance': 'true' });
  expect(invalid.status).toBe(400);
  expect(preview.server.alerting.schemaViolations).toHaveLength(1);
  expect((await send('PUT', groupPath, group, { 'X-Disable-Provenance': 'true' })).status).toBe(200);

  // The built-in default threshold: critical after two failed checks in a row.
  const availabilityRule = group.rules.find((rule) => rule.uid === thresholdRuleUid({ serverId: server.id }, 'availability', 'critical'))!;
  expect(availabilityRule).toBeDefined();
  const stateOf = async (probeId: number) => {
    const { data } = await send('GET', `/api/prometheus/grafana/api/v1/rules?folder_uid=${target.folderUid}&rule_group=${encodeURIComponent(group.title)}&rule_uid=${availabilityRule.uid}`);
    const rule = data.data.groups[0].rules[0];
    return { rule, instance: (rule.alerts as Array<{ labels: Record<string, string>; state: string }>).find((alert) => alert.labels.probe_id === String(probeId)) };
  };
  // Two failed checks in a row 10 s apart, a 2 s scrape and a 10 s evaluation interval: pending within a minute.
  const pending = await eventually(async () => {
    const seen = await stateOf(down.data.id);
    if (seen.instance?.state !== 'Pending') throw new Error(`probe ${down.data.id} is ${JSON.stringify(seen.rule)}`);
    return seen;
  }, 60_000);
  expect(pending.rule).toMatchObject({ state: 'pending', health: 'ok', duration: parseDurationMs(availabilityRule.for) / 1000 });
  expect(pending.rule.lastEvaluation).not.toBe('0001-01-01T00:00:00Z');
  expect((await stateOf(up.data.id)).instance?.state).toBe('Normal');
}, 120_000);
