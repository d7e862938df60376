// The engine follows the stored configuration at once: new, changed, disabled, moved and deleted probes, windows, and
// the phase slot of this gateway's location.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer } from '../helpers/dns-server.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { recordingListener, startListener } from '../helpers/listeners.js';
import { freePort } from '../helpers/prometheus.js';
import { HANDOVER_MS } from '../../src/engine/probe-engine.js';
import { nextDueAt, phaseOffsetMs } from '../../src/probing/scheduler.js';

let gw: TestGateway;
let open: Awaited<ReturnType<typeof startListener>>;
let serverId: number;

const metricsText = async () => (await fetch(`${gw.url}/metrics`)).text();
const availabilityLine = (text: string, probeId: number) =>
  text.split('\n').find((line) => line.startsWith('tcpprobe_availability{') && line.includes(`probe_id="${probeId}"`));

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > until) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** HH:MM in UTC (the test gateway's zone), `minutes` from now. */
function hhmm(minutesFromNow: number): string {
  const at = new Date(Date.now() + minutesFromNow * 60_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

beforeAll(async () => {
  open = await startListener();
  gw = await startTestGateway();
  serverId = (await gw.api.post('/api/v1/servers', { name: 'engine', site: 'lab' })).body.id;
});
afterAll(async () => {
  await gw?.dispose();
  await open?.close();
});

describe('probe engine', () => {
  it('starts probing a new probe without a restart and follows edits', async () => {
    const closed = await freePort();
    const { body: probe } = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: 'follow', host: '127.0.0.1', port: open.port, intervalSeconds: 1, timeoutMs: 500 });
    await eventually(metricsText, (t) => availabilityLine(t, probe.id)?.endsWith(' 1') ?? false);
    await gw.api.patch(`/api/v1/probes/${probe.id}`, { port: closed });
    const text = await eventually(metricsText, (t) => availabilityLine(t, probe.id)?.endsWith(' 0') ?? false);
    expect(availabilityLine(text, probe.id)).toContain(`target="127.0.0.1:${closed}"`);
    const status = await gw.api.get(`/api/v1/status?serverId=${serverId}`);
    expect(status.body.items.find((s: any) => s.probeId === probe.id)).toMatchObject({ state: 'down', lastResult: { outcome: 'refused' } });
  });

  it('stops a disabled probe, and one whose server moved to another gateway, and brings them back', async () => {
    const { body: probe } = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: 'toggle', host: '127.0.0.1', port: open.port, intervalSeconds: 1, timeoutMs: 500 });
    await eventually(metricsText, (t) => availabilityLine(t, probe.id) !== undefined);
    await gw.api.patch(`/api/v1/probes/${probe.id}`, { enabled: false });
    expect(availabilityLine(await metricsText(), probe.id)).toBeUndefined();
    expect((await gw.api.get('/api/v1/status?state=disabled')).body.items.map((s: any) => s.probeId)).toContain(probe.id);
    await gw.api.patch(`/api/v1/probes/${probe.id}`, { enabled: true });
    await eventually(metricsText, (t) => availabilityLine(t, probe.id) !== undefined);

    const other = (await gw.api.post('/api/v1/servers', { name: 'elsewhere' })).body;
    const moved = (await gw.api.post(`/api/v1/servers/${other.id}/probes`, { name: 'm', host: '127.0.0.1', port: open.port, intervalSeconds: 1, timeoutMs: 500 })).body;
    await eventually(metricsText, (t) => availabilityLine(t, moved.id) !== undefined);
    // Moved away, it runs here until the hand-over instant (the move plus HANDOVER_MS), then stops.
    await gw.api.patch(`/api/v1/servers/${other.id}`, { gateway: 'another-gateway' });
    await eventually(metricsText, (t) => availabilityLine(t, moved.id) === undefined, HANDOVER_MS + 2000);
    await gw.api.delete(`/api/v1/servers/${other.id}`);
  });

  it('does not run a probe outside its time window: no availability series, state nodata', async () => {
    const { body: probe } = await gw.api.post(`/api/v1/servers/${serverId}/probes`, {
      name: 'night-only', host: '127.0.0.1', port: open.port, intervalSeconds: 1, timeoutMs: 500,
      windowBegin: hhmm(120), windowEnd: hhmm(180),
    });
    await new Promise((r) => setTimeout(r, 2500));
    const text = await metricsText();
    expect(availabilityLine(text, probe.id)).toBeUndefined();
    expect(text).toMatch(new RegExp(`tcpprobe_checks_total\\{[^}]*probe_id="${probe.id}"[^}]*result="success"\\} 0`));
    const status = (await gw.api.get('/api/v1/status')).body.items.find((s: any) => s.probeId === probe.id);
    expect(status).toMatchObject({ state: 'nodata', inWindow: false, lastResult: null });
    // The complement window (from three hours ahead, past midnight, until two hours ahead) holds now: the probe starts.
    await gw.api.patch(`/api/v1/probes/${probe.id}`, { windowBegin: hhmm(180), windowEnd: hhmm(120) });
    await eventually(metricsText, (t) => availabilityLine(t, probe.id)?.endsWith(' 1') ?? false);
  });

  it('runs a stored probe on demand and keeps a bounded history, newest first', async () => {
    const { body: probe } = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: 'on-demand', host: '127.0.0.1', port: open.port, intervalSeconds: 3600 });
    const runs = [];
    for (let i = 0; i < 12; i++) runs.push((await gw.api.post(`/api/v1/probes/${probe.id}/run`)).body);
    expect(runs.every((r) => r.outcome === 'success' && r.connectMs > 0)).toBe(true);
    const history = (await gw.api.get(`/api/v1/probes/${probe.id}/results`)).body.items;
    expect(history).toHaveLength(10);
    expect(history[0].checkedAt).toBe(runs[11].checkedAt);
    expect((await gw.api.get(`/api/v1/probes/${probe.id}/results?limit=3`)).body.items).toHaveLength(3);
    expect((await gw.api.post('/api/v1/probes/999999/run')).status).toBe(404);
  });

  it('checks an unsaved target for "Test connection" without storing anything', async () => {
    const before = (await gw.api.get('/api/v1/export')).body;
    const ok = await gw.api.post('/api/v1/check', { host: 'localhost', port: open.port });
    expect(ok.body).toMatchObject({ outcome: 'success', available: true, actualHost: 'localhost', actualIpv4: '127.0.0.1' });
    const refused = await gw.api.post('/api/v1/check', { host: '127.0.0.1', port: await freePort(), serverId });
    expect(refused.body).toMatchObject({ outcome: 'refused', available: false });
    expect(refused.body.error).toMatch(/ECONNREFUSED/);
    const bad = await gw.api.post('/api/v1/check', { host: 'no_underscores.example', port: 80 });
    expect(bad).toMatchObject({ status: 400, body: { field: 'host' } });
    expect((await gw.api.get('/api/v1/export')).body).toEqual(before);
  });
});

describe('probe engine with an allowlist', () => {
  it('refuses a name that resolves outside the allowed networks, at run time', async () => {
    const guarded = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.2/32' });
    // A listener of its own: the other gateway's 1 s probes still connect to the shared one.
    const target = await startListener();
    try {
      const server = (await guarded.api.post('/api/v1/servers', { name: 's' })).body;
      // localhost matches no pattern, so it is accepted when saved and judged by the address it resolves to (127.0.0.1).
      const probe = await guarded.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: 'localhost', port: target.port, intervalSeconds: 3600 });
      expect(probe.status).toBe(201);
      const result = (await guarded.api.post(`/api/v1/probes/${probe.body.id}/run`)).body;
      expect(result).toMatchObject({ outcome: 'error', available: false });
      expect(result.error).toMatch(/resolves to 127\.0\.0\.1, outside GATEWAY_ALLOWED_TARGETS/);
      expect(target.clients).toEqual([]); // neither the check at once after saving nor the run connected
      const direct = await guarded.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'q', host: '127.0.0.1', port: target.port });
      expect(direct).toMatchObject({ status: 400, body: { field: 'host' } });
    } finally {
      await guarded.dispose();
      await target.close();
    }
  });
});

describe('probe engine with GATEWAY_DNS_SERVERS', () => {
  it('still resolves localhost from /etc/hosts, and other names through the DNS servers with their CNAMEs', async () => {
    const dns = await startDnsServer({ 'alias.example.test': { CNAME: 'real.example.test' }, 'real.example.test': { A: ['127.0.0.1'] } });
    const withDns = await startTestGateway({ GATEWAY_DNS_SERVERS: dns.server });
    try {
      const server = (await withDns.api.post('/api/v1/servers', { name: 's' })).body;
      const local = (await withDns.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'local', host: 'localhost', port: open.port, intervalSeconds: 3600 })).body;
      expect((await withDns.api.post(`/api/v1/probes/${local.id}/run`)).body).toMatchObject({ outcome: 'success', actualHost: 'localhost', actualIpv4: '127.0.0.1' });
      expect(dns.queries.filter((q) => q.endsWith(' localhost'))).toEqual([]);
      const aliased = (await withDns.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'alias', host: 'alias.example.test', port: open.port, intervalSeconds: 3600 })).body;
      expect((await withDns.api.post(`/api/v1/probes/${aliased.id}/run`)).body).toMatchObject({ outcome: 'success', actualHost: 'real.example.test' });
    } finally {
      await withDns.dispose();
      await dns.close();
    }
  });
});

describe('results across a restart', () => {
  it('keeps the latest result, actual host and actual IPv4 with the probe', async () => {
    const first = await startTestGateway();
    const dbFile = `${first.dir}/gateway.db`;
    const server = (await first.api.post('/api/v1/servers', { name: 's' })).body;
    const probe = (await first.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: 'localhost', port: open.port, intervalSeconds: 3600 })).body;
    await first.api.post(`/api/v1/probes/${probe.id}/run`);
    await first.close();
    const second = await startTestGateway({ GATEWAY_DB: dbFile });
    try {
      const stored = (await second.api.get(`/api/v1/probes/${probe.id}`)).body;
      expect(stored).toMatchObject({ actualHost: 'localhost', actualIpv4: '127.0.0.1', lastResult: { outcome: 'success' } });
    } finally {
      await second.dispose();
      await first.dispose().catch(() => {});
    }
  });
});

const lagAfter = (t: number, phaseMs: number) => (((t - phaseMs) % 1000) + 1000) % 1000;

describe("this gateway's location slot", () => {
  it('runs on the slot of its location, and when the location is replaced runs that slot until the hand-over, then stops', async () => {
    const self = gw.service.gatewayId;
    const target = await recordingListener();
    try {
      const server = (await gw.api.post('/api/v1/servers', { name: 'slotted', gateways: ['far-away', self] })).body;
      expect(await gw.service.store.servers.slotOf(server.id, self)).toBe(1);
      const probe = (await gw.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500 })).body;
      const phase = phaseOffsetMs(String(probe.id), 1000, 1);
      await new Promise((r) => setTimeout(r, 2500));
      const replacedAt = Date.now();
      // Replaced by another gateway in one save: a move that gives it this location's slot.
      expect((await gw.api.patch(`/api/v1/servers/${server.id}`, { gateways: ['far-away', 'successor'] })).status).toBe(200);
      expect(await gw.service.store.servers.slotOf(server.id, 'successor')).toBe(1);
      await eventually(metricsText, (t) => availabilityLine(t, probe.id) === undefined, HANDOVER_MS + 2000);
      await new Promise((r) => setTimeout(r, 1500));
      // A 1 s interval gets no check at once (its slot is always within a second): every arrival sits on slot 1's grid.
      expect(target.arrivals.every((t) => lagAfter(t, phase) < 300), target.arrivals.map((t) => lagAfter(t, phase)).join()).toBe(true);
      const seconds = target.arrivals.map((t) => Math.floor((t - phase) / 1000));
      expect(seconds).toEqual(seconds.map((_, i) => seconds[0]! + i));
      // It went on during the hand-over and stopped at the switch.
      expect(target.arrivals.filter((t) => t > replacedAt).length).toBeGreaterThanOrEqual(1);
      expect(Math.max(...target.arrivals)).toBeLessThan(replacedAt + HANDOVER_MS + 1000);
      await gw.api.delete(`/api/v1/servers/${server.id}`);
    } finally {
      await target.close();
    }
  });

  it('keeps its slot across a restart, and keeps it when other locations are added or removed', async () => {
    const first = await startTestGateway();
    const self = first.service.gatewayId;
    const intervalMs = 3_600_000;
    const server = (await first.api.post('/api/v1/servers', { name: 's', gateways: ['far-a', 'far-b', self] })).body;
    const probe = (await first.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: '127.0.0.1', port: open.port, intervalSeconds: 3600 })).body;
    const nextCheckOf = async (api = first.api) => Date.parse((await api.get(`/api/v1/status?probeId=${probe.id}`)).body.items[0].nextCheckAt);
    // After its check at once (until then, that early check is the next one).
    await eventually(async () => (await first.api.get(`/api/v1/status?probeId=${probe.id}`)).body.items[0].state, (state) => state === 'up');
    const expected = nextDueAt(Date.now(), String(probe.id), intervalMs, 2);
    expect(await nextCheckOf()).toBe(expected);
    await first.api.patch(`/api/v1/servers/${server.id}`, { gateways: [self] }); // the others removed
    expect(await nextCheckOf()).toBe(expected);
    await first.api.patch(`/api/v1/servers/${server.id}`, { gateways: ['far-c', self, 'far-d'] }); // others added
    expect(await first.service.store.servers.locationsOf(server.id)).toEqual([{ gateway: 'far-c', slot: 0 }, { gateway: self, slot: 2 }, { gateway: 'far-d', slot: 1 }]);
    expect(await nextCheckOf()).toBe(expected);
    await first.close();
    const second = await startTestGateway({ GATEWAY_DB: `${first.dir}/gateway.db` });
    try {
      expect(await nextCheckOf(second.api)).toBe(expected);
    } finally {
      await second.dispose();
      await first.dispose().catch(() => {});
    }
  });
});
