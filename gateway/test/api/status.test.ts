// GET /api/v1/status through a real gateway (SQLite file, loopback listener): first results at once, why a probe has no
// data, and a probe at several locations (other gateways' results arrive as signed agent heartbeats over HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/agents/signature.js';
import { nextDueAt, phaseOffsetMs } from '../../src/probing/scheduler.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener } from '../helpers/listeners.js';
import { freePort } from '../helpers/prometheus.js';

const INTERVAL_MS = 300_000;
const AGENT_TOKEN = 'status-test-agent-token-0123';
let gw: TestGateway;
let open: Awaited<ReturnType<typeof startListener>>;
let serverSeq = 0;
/** Listeners of one test each: connections counted on one come from that test's probe alone, not from the others' slots. */
const ownListeners: Awaited<ReturnType<typeof startListener>>[] = [];
async function ownListener() {
  const listener = await startListener();
  ownListeners.push(listener);
  return listener;
}

beforeAll(async () => {
  open = await startListener();
  // A control plane: it accepts agents, and shows the state of their servers' probes too.
  gw = await startTestGateway({ GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN });
});
afterAll(async () => {
  await gw?.dispose();
  await open?.close();
  await Promise.all(ownListeners.map((listener) => listener.close()));
});

async function newServer(extra: Record<string, unknown> = {}): Promise<any> {
  const response = await gw.api.post('/api/v1/servers', { name: `status-srv-${++serverSeq}`, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}
async function newProbe(serverId: number, extra: Record<string, unknown> = {}): Promise<any> {
  const response = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: 'p', host: '127.0.0.1', port: open.port, intervalSeconds: INTERVAL_MS / 1000, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}
async function statusOf(probeId: number, api = gw.api): Promise<any> {
  const { status, body } = await api.get(`/api/v1/status?probeId=${probeId}`);
  expect(status).toBe(200);
  expect(body.items).toHaveLength(1);
  return body.items[0];
}
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** Whether the probe's own 300 s slot falls within `ms` from `fromMs`: then that slot, not an early check, may be the run seen. */
const slotWithin = (probeId: number, fromMs: number, ms: number) => nextDueAt(fromMs, String(probeId), INTERVAL_MS) - fromMs <= ms;
const HHMM = (minutesFromNow: number) => new Date(Date.now() + minutesFromNow * 60_000).toISOString().slice(11, 16);

describe('a first result at once', () => {
  it('checks a new 300 s probe right after it is saved, once, and says when the next check is due', async () => {
    const server = await newServer();
    const target = await ownListener();
    const createdAt = Date.now();
    const probe = await newProbe(server.id, { port: target.port });
    const status = await eventually(() => statusOf(probe.id), (s) => s.state === 'up', 2000);
    expect(Date.now() - createdAt).toBeLessThan(2000);
    const slot = nextDueAt(createdAt, String(probe.id), INTERVAL_MS);
    expect(status).toMatchObject({ reason: null, inWindow: true, windowOpensAt: null, lastResult: { outcome: 'success' } });
    // The next check is the probe's own slot: the early check does not move its grid.
    expect(Date.parse(status.nextCheckAt)).toBe(slot <= Date.now() ? slot + INTERVAL_MS : slot);
    await new Promise((r) => setTimeout(r, 1500));
    if (!slotWithin(probe.id, createdAt, 4000)) expect(target.clients).toHaveLength(1);
  });

  it('checks again at once after the target changes and after the probe or its server is enabled again', async () => {
    const server = await newServer();
    const probe = await newProbe(server.id);
    await eventually(() => statusOf(probe.id), (s) => s.state === 'up', 2000);

    const closed = await freePort();
    await gw.api.patch(`/api/v1/probes/${probe.id}`, { port: closed });
    const down = await eventually(() => statusOf(probe.id), (s) => s.state === 'down', 2000);
    expect(down).toMatchObject({ reason: null, target: `127.0.0.1:${closed}`, lastResult: { outcome: 'refused' } });

    await gw.api.patch(`/api/v1/probes/${probe.id}`, { port: open.port, enabled: false });
    expect(await statusOf(probe.id)).toMatchObject({ state: 'disabled', reason: 'disabled', nextCheckAt: null, windowOpensAt: null });
    await gw.api.patch(`/api/v1/probes/${probe.id}`, { enabled: true });
    await eventually(() => statusOf(probe.id), (s) => s.state === 'up', 2000);

    await gw.api.patch(`/api/v1/servers/${server.id}`, { enabled: false });
    expect(await statusOf(probe.id)).toMatchObject({ state: 'disabled', reason: 'server_disabled', enabled: false, nextCheckAt: null });
    await gw.api.patch(`/api/v1/servers/${server.id}`, { enabled: true });
    await eventually(() => statusOf(probe.id), (s) => s.state === 'up', 2000);
  });

  it('runs nothing at once after a restart: a probe keeps its slot and is "not checked yet" until then', async () => {
    const first = await startTestGateway();
    const dbFile = `${first.dir}/gateway.db`;
    const server = (await first.api.post('/api/v1/servers', { name: 'restart' })).body;
    const target = await ownListener();
    const probe = (await first.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: '127.0.0.1', port: target.port })).body;
    await eventually(() => statusOf(probe.id, first.api), (s) => s.state === 'up', 2000);
    await first.close();
    const connectionsBefore = target.clients.length;
    const restartedAt = Date.now();
    const second = await startTestGateway({ GATEWAY_DB: dbFile });
    try {
      const status = await statusOf(probe.id, second.api);
      const slot = nextDueAt(restartedAt, String(probe.id), INTERVAL_MS);
      expect(status).toMatchObject({ state: 'nodata', reason: 'not_checked_yet', inWindow: true, windowOpensAt: null, lastResult: null });
      expect(Math.abs(Date.parse(status.nextCheckAt) - slot)).toBeLessThan(5000); // the slot from the instant the engine started
      await new Promise((r) => setTimeout(r, 1500));
      if (!slotWithin(probe.id, restartedAt, 4000)) expect(target.clients.length).toBe(connectionsBefore);
    } finally {
      await second.dispose();
      await first.dispose().catch(() => {});
    }
  });
});

describe('why a probe has no data', () => {
  it('outside its window: when the window opens, and the first slot from then; no check now', async () => {
    const server = await newServer();
    const target = await ownListener();
    const probe = await newProbe(server.id, { port: target.port, windowBegin: HHMM(120), windowEnd: HHMM(180) });
    await new Promise((r) => setTimeout(r, 1000));
    const status = await statusOf(probe.id);
    const opensAt = Math.floor((Date.now() + 120 * 60_000) / 60_000) * 60_000;
    expect(status).toMatchObject({ state: 'nodata', reason: 'outside_window', inWindow: false, lastResult: null });
    expect(Math.abs(Date.parse(status.windowOpensAt) - opensAt)).toBeLessThanOrEqual(60_000); // the minute may have turned
    expect(Date.parse(status.nextCheckAt)).toBe(nextDueAt(Date.parse(status.windowOpensAt), String(probe.id), INTERVAL_MS));
    expect(target.clients).toEqual([]); // the check at once respects the window
  });

  it('a schedule that excludes today: opens at the next local midnight of its zone', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const schedule = (await gw.api.post('/api/v1/schedules', { name: `closed-${serverSeq}`, timeZone: 'UTC', exclusions: [today] })).body;
    const probe = await newProbe((await newServer()).id, { scheduleId: schedule.id });
    const status = await statusOf(probe.id);
    expect(status).toMatchObject({ reason: 'outside_window', windowOpensAt: `${tomorrow}T00:00:00.000Z` });
  });

  it('a server on a gateway that was never seen, or not for a while: gateway_offline; on one seen recently: not checked yet', async () => {
    const ghost = await newServer({ gateway: 'ghost-gateway' });
    const ghostProbe = await newProbe(ghost.id);
    expect(await statusOf(ghostProbe.id)).toMatchObject({
      state: 'nodata', reason: 'gateway_offline', nextCheckAt: null, windowOpensAt: null, lastResult: null,
    });
    await gw.service.store.gateways.touch({ id: 'stale-gateway', version: '0.1.0', address: null }, new Date(Date.now() - 5 * 60_000).toISOString());
    await gw.service.store.gateways.touch({ id: 'live-gateway', version: '0.1.0', address: null }, new Date().toISOString());
    const stale = await newProbe((await newServer({ gateway: 'stale-gateway' })).id);
    const live = await newProbe((await newServer({ gateway: 'live-gateway' })).id);
    expect(await statusOf(stale.id)).toMatchObject({ state: 'nodata', reason: 'gateway_offline' });
    // Not scheduled here: the agent runs it, and its result comes with the agent's next heartbeat.
    expect(await statusOf(live.id)).toMatchObject({ state: 'nodata', reason: 'not_checked_yet', nextCheckAt: null });
    const online = Object.fromEntries((await gw.api.get('/api/v1/gateways')).body.items.map((g: any) => [g.id, g.online]));
    expect(online).toMatchObject({ 'stale-gateway': false, 'live-gateway': true });
  });

  it('filters by probe and by server, counting only what it returns', async () => {
    const server = await newServer();
    const a = await newProbe(server.id, { name: 'a' });
    await newProbe(server.id, { name: 'b', enabled: false });
    const one = (await gw.api.get(`/api/v1/status?probeId=${a.id}`)).body;
    expect(one.items.map((s: any) => s.probeId)).toEqual([a.id]);
    expect(Object.values(one.summary).reduce((x: number, y: any) => x + y, 0)).toBe(1);
    const ofServer = (await gw.api.get(`/api/v1/status?serverId=${server.id}`)).body;
    expect(ofServer.items).toHaveLength(2);
    expect(ofServer.summary.disabled).toBe(1);
    expect((await gw.api.get(`/api/v1/status?probeId=${a.id}&serverId=${server.id + 1000}`)).body.items).toEqual([]);
    expect((await gw.api.get('/api/v1/status?probeId=999999')).body).toEqual({ summary: { up: 0, down: 0, nodata: 0, disabled: 0 }, items: [] });
  });

  it('documents the new fields in the OpenAPI document', async () => {
    const document = (await gw.api.get('/openapi.json')).body;
    const operation = document.paths['/api/v1/status'].get;
    expect(operation.parameters.map((p: any) => p.name)).toContain('probeId');
    const item = operation.responses['200'].content['application/json'].schema.properties.items.items;
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(['reason', 'nextCheckAt', 'windowOpensAt']));
    expect(JSON.stringify(item.properties.reason)).toContain('gateway_offline');
  });
});

/** A result as an agent reports it. */
function reported(gateway: string, available: boolean, checkedAt = new Date().toISOString()) {
  return {
    outcome: available ? 'success' : 'refused', available, error: available ? null : 'connection refused', checkedAt,
    dnsMs: null, connectMs: available ? 0.25 : null, actualHost: null, actualIpv4: '127.0.0.1', actualAddress: '127.0.0.1', gateway,
  };
}
/** A signed heartbeat from agent `gateway`, as AgentSync sends it. */
async function heartbeat(gateway: string, reports: unknown[]): Promise<{ status: number; body: any }> {
  const path = '/api/v1/agent/heartbeat';
  const body = JSON.stringify({ version: '0.1.0', address: null, reports });
  const response = await fetch(`${gw.url}${path}`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', ...signedHeaders(AGENT_TOKEN, gateway, 'POST', path, body) },
  });
  return { status: response.status, body: await response.json() };
}
const statusItems = async (query: string) => {
  const { status, body } = await gw.api.get(`/api/v1/status?${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
};

describe('a probe at several locations', () => {
  it('shows each location in server order and aggregates them: down if any reporting location sees it down', async () => {
    const self = gw.service.gatewayId;
    const server = await newServer({ gateways: [self, 'loc-fra', 'loc-aws'] });
    const probe = await newProbe(server.id);
    await eventually(() => statusOf(probe.id), (s) => s.locations[0].state === 'up', 2000);
    // fra reports the target down; aws has never been heard of.
    const fraCheckedAt = new Date(Date.now() + 1000).toISOString();
    expect((await heartbeat('loc-fra', [{ probeId: probe.id, active: true, result: reported('loc-fra', false, fraCheckedAt) }])).body).toEqual({ accepted: 1 });
    const status = await statusOf(probe.id);
    expect(status).toMatchObject({
      state: 'down', reason: null, inWindow: true, locationsDown: 1, locationsUp: 1, locationsTotal: 3,
      lastResult: { gateway: 'loc-fra', available: false, checkedAt: fraCheckedAt },
      locations: [
        { gateway: self, state: 'up', reason: null, inWindow: true, self: true, lastResult: { gateway: self, outcome: 'success' } },
        { gateway: 'loc-fra', state: 'down', reason: null, inWindow: true, self: false, lastResult: { gateway: 'loc-fra', checkedAt: fraCheckedAt } },
        { gateway: 'loc-aws', state: 'nodata', reason: 'gateway_offline', self: false, lastResult: null },
      ],
    });
    // This gateway is the first location, at slot 0: the probe's own phase, as with one location.
    expect(Date.parse(status.nextCheckAt)).toBe(nextDueAt(Date.parse(status.nextCheckAt), String(probe.id), INTERVAL_MS));
    expect(status.timeliness).toBe('on_time');

    // Filtered by gateway: the state as that location sees it; the locations and counts stay whole.
    const byLocation = Object.fromEntries(await Promise.all([self, 'loc-fra', 'loc-aws'].map(async (g) => [g, await statusItems(`probeId=${probe.id}&gateway=${g}`)])));
    expect(byLocation[self].items[0]).toMatchObject({ state: 'up', nextCheckAt: status.nextCheckAt, timeliness: 'on_time', locationsDown: 1, locationsTotal: 3 });
    expect(byLocation['loc-fra'].items[0]).toMatchObject({ state: 'down', nextCheckAt: null, timeliness: null, lastResult: { gateway: 'loc-fra' } });
    expect(byLocation['loc-aws'].items[0]).toMatchObject({ state: 'nodata', reason: 'gateway_offline', lastResult: null, nextCheckAt: null });
    expect(byLocation['loc-aws'].items[0].locations).toEqual(status.locations);
    expect(byLocation['loc-fra'].summary).toEqual({ up: 0, down: 1, nodata: 0, disabled: 0 });
    expect((await statusItems(`serverId=${server.id}&gateway=loc-elsewhere`)).items).toEqual([]);

    // Once fra sees it up again, and aws reports up too: up everywhere.
    await heartbeat('loc-fra', [{ probeId: probe.id, active: true, result: reported('loc-fra', true) }]);
    await heartbeat('loc-aws', [{ probeId: probe.id, active: true, result: reported('loc-aws', true) }]);
    expect(await statusOf(probe.id)).toMatchObject({ state: 'up', locationsUp: 3, locationsDown: 0, locationsTotal: 3 });
  });

  it('is up while a location without data counts neither way, and has no data when no location reports', async () => {
    const server = await newServer({ gateways: ['loc-q1', 'loc-q2'] });
    const probe = await newProbe(server.id);
    expect(await statusOf(probe.id)).toMatchObject({
      state: 'nodata', reason: 'gateway_offline', nextCheckAt: null, timeliness: null, lastResult: null, locationsUp: 0, locationsDown: 0, locationsTotal: 2,
    });
    await heartbeat('loc-q2', [{ probeId: probe.id, active: true, result: reported('loc-q2', true) }]);
    const status = await statusOf(probe.id);
    expect(status).toMatchObject({ state: 'up', locationsUp: 1, locationsTotal: 2, lastResult: { gateway: 'loc-q2' } });
    expect(status.locations.map((l: any) => [l.gateway, l.state, l.reason, l.self])).toEqual([['loc-q1', 'nodata', 'gateway_offline', false], ['loc-q2', 'up', null, false]]);
    // A location out of its window (as its agent says) has no data either.
    await heartbeat('loc-q2', [{ probeId: probe.id, active: false, result: null }]);
    expect(await statusOf(probe.id)).toMatchObject({ state: 'nodata', reason: 'gateway_offline', locationsUp: 0 });
    expect((await statusOf(probe.id)).locations[1]).toMatchObject({ state: 'nodata', reason: 'not_checked_yet', inWindow: false });
  });

  it("accepts a heartbeat only for servers that list its gateway, and keeps each result as the reporter's", async () => {
    const server = await newServer({ gateways: ['loc-h1', 'loc-h2'] });
    const probe = await newProbe(server.id);
    expect((await heartbeat('loc-stranger', [{ probeId: probe.id, active: true, result: reported('loc-stranger', false) }])).body).toEqual({ accepted: 0 });
    // A report naming another location is still the reporter's own result: it cannot speak for loc-h1.
    expect((await heartbeat('loc-h2', [{ probeId: probe.id, active: true, result: reported('loc-h1', false) }])).body).toEqual({ accepted: 1 });
    const status = await statusOf(probe.id);
    expect(status.locations.map((l: any) => [l.gateway, l.state, l.lastResult?.gateway ?? null])).toEqual([['loc-h1', 'nodata', null], ['loc-h2', 'down', 'loc-h2']]);
    expect((await gw.api.get(`/api/v1/probes/${probe.id}/results`)).body.items.map((r: any) => r.gateway)).toEqual(['loc-h2']);
  });

  it("lists this gateway's history and each other location's latest, newest first, filtered by gateway", async () => {
    const self = gw.service.gatewayId;
    const server = await newServer({ gateways: ['loc-r1', self] });
    const probe = await newProbe(server.id);
    await eventually(() => statusOf(probe.id), (s) => s.state === 'up', 2000);
    await gw.api.post(`/api/v1/probes/${probe.id}/run`);
    const older = new Date(Date.now() - 60_000).toISOString();
    await heartbeat('loc-r1', [{ probeId: probe.id, active: true, result: reported('loc-r1', false, older) }]);
    const all = (await gw.api.get(`/api/v1/probes/${probe.id}/results`)).body.items;
    expect(all.map((r: any) => r.gateway)).toEqual([self, self, 'loc-r1']);
    expect(all.map((r: any) => r.checkedAt)).toEqual([...all.map((r: any) => r.checkedAt)].sort().reverse());
    expect((await gw.api.get(`/api/v1/probes/${probe.id}/results?gateway=loc-r1`)).body.items).toEqual([all[2]]);
    expect((await gw.api.get(`/api/v1/probes/${probe.id}/results?gateway=${self}&limit=1`)).body.items).toEqual([all[0]]);
    expect((await gw.api.get(`/api/v1/probes/${probe.id}/results?limit=2`)).body.items).toEqual(all.slice(0, 2));
    expect((await gw.api.get(`/api/v1/probes/${probe.id}/results?gateway=nowhere`)).body.items).toEqual([]);
    expect((await gw.api.get('/api/v1/probes/999999/results')).status).toBe(404);
  });

  it("runs this gateway's location on its own slot's phase, not the probe's first one", async () => {
    const self = gw.service.gatewayId;
    const server = await newServer({ gateways: ['loc-s1', self] });
    const probe = await newProbe(server.id);
    const slot = await gw.service.store.servers.slotOf(server.id, self);
    expect(slot).toBe(1);
    const status = await statusOf(probe.id);
    const next = Date.parse(status.nextCheckAt);
    expect(next).toBe(nextDueAt(next, String(probe.id), INTERVAL_MS, 1));
    expect((next - phaseOffsetMs(String(probe.id), INTERVAL_MS, 0)) % INTERVAL_MS).not.toBe(0);
  });

  it('documents the locations in the OpenAPI document', async () => {
    const document = (await gw.api.get('/openapi.json')).body;
    const operation = document.paths['/api/v1/status'].get;
    expect(operation.parameters.map((p: any) => p.name)).toContain('gateway');
    const item = operation.responses['200'].content['application/json'].schema.properties.items.items;
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(['locations', 'locationsDown', 'locationsUp', 'locationsTotal']));
    expect(Object.keys(item.properties.locations.items.properties).sort()).toEqual(['gateway', 'inWindow', 'lastResult', 'reason', 'self', 'state']);
    expect(document.paths['/api/v1/probes/{id}/results'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['gateway', 'limit']));
  });
});
