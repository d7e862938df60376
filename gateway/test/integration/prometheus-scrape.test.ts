// A real Prometheus scrapes a real gateway probing real loopback ports: the metric contract, end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener, type TestListener } from '../helpers/listeners.js';
import { freePort, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';

let gw: TestGateway;
let prometheus: RunningPrometheus;
let open: TestListener;
let closedPort: number;
let serverId: number;
const probeIds: Record<string, number> = {};

beforeAll(async () => {
  open = await startListener();
  closedPort = await freePort();
  gw = await startTestGateway();
  const server = await gw.api.post('/api/v1/servers', { name: 'loopback', role: 'production', site: 'lab' });
  serverId = server.body.id;
  for (const [name, port] of [['open', open.port], ['closed', closedPort], ['doomed', open.port]] as const) {
    const probe = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name, host: '127.0.0.1', port, intervalSeconds: 1, timeoutMs: 500 });
    expect(probe.status).toBe(201);
    probeIds[name] = probe.body.id;
  }
  prometheus = await startPrometheus({ targets: [new URL(gw.url).host] });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await gw?.dispose();
  await open?.close();
});

describe('Prometheus scraping the gateway', () => {
  it('sees availability 1 for the open port and 0 for the closed one, with the documented labels', async () => {
    const result = await prometheus.waitFor('tcpprobe_availability{job="probekit"}', (r) => r.length === 3);
    const byProbe = Object.fromEntries(result.map((s) => [s.metric.probe, s]));
    expect(byProbe.open!.value[1]).toBe('1');
    expect(byProbe.closed!.value[1]).toBe('0');
    expect(byProbe.open!.metric).toMatchObject({
      gateway: 'test-gw', server: 'loopback', server_id: String(serverId), probe: 'open', probe_id: String(probeIds.open),
      target: `127.0.0.1:${open.port}`, role: 'production', site: 'lab',
    });
    expect(Object.keys(byProbe.open!.metric).filter((k) => k.startsWith('otel_'))).toEqual([]);
  });

  it('has the connect time of the open port and counts refused checks of the closed one', async () => {
    const connect = await prometheus.waitFor(`tcpprobe_connect_seconds{probe_id="${probeIds.open}"}`, (r) => r.length === 1);
    const seconds = Number(connect[0]!.value[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(0.1);
    await prometheus.waitFor(`tcpprobe_checks_total{probe_id="${probeIds.closed}",result="refused"} > 0`, (r) => r.length === 1);
    const buckets = await prometheus.waitFor(`tcpprobe_connect_duration_seconds_bucket{probe_id="${probeIds.open}"}`, (r) => r.length > 10);
    expect(buckets.map((b) => b.metric.le)).toContain('0.0005');
    await prometheus.waitFor(`tcpprobe_info{probe_id="${probeIds.open}",actual_ipv4="127.0.0.1"}`, (r) => r.length === 1);
    await prometheus.waitFor('tcpprobe_probes_configured{gateway="test-gw"} == 3', (r) => r.length === 1);
  });

  it('drops a deleted probe: gone from /metrics and stale in Prometheus', async () => {
    await prometheus.waitFor(`tcpprobe_availability{probe_id="${probeIds.doomed}"}`, (r) => r.length === 1);
    expect((await gw.api.delete(`/api/v1/probes/${probeIds.doomed}`)).status).toBe(204);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).not.toContain(`probe_id="${probeIds.doomed}"`);
    expect(text).toContain(`probe_id="${probeIds.open}"`);
    await prometheus.waitFor(`tcpprobe_availability{probe_id="${probeIds.doomed}"}`, (r) => r.length === 0);
    await prometheus.waitFor(`tcpprobe_checks_total{probe_id="${probeIds.doomed}"}`, (r) => r.length === 0);
  });

  it('reports the scrape as healthy', async () => {
    const up = await prometheus.waitFor('up{job="probekit"}', (r) => r.length === 1);
    expect(up[0]!.value[1]).toBe('1');
  });
});
