// GET /api/v1/status through a real gateway (SQLite file, loopback listener): first results at once, and why a probe has no data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextDueAt } from '../../src/probing/scheduler.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener } from '../helpers/listeners.js';
import { freePort } from '../helpers/prometheus.js';

const INTERVAL_MS = 300_000;
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
  gw = await startTestGateway({ GATEWAY_CONTROL_PLANE_TOKEN: 'status-test-agent-token-0123' });
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
    gw.service.store.gateways.touch({ id: 'stale-gateway', version: '0.1.0', address: null }, new Date(Date.now() - 5 * 60_000).toISOString());
    gw.service.store.gateways.touch({ id: 'live-gateway', version: '0.1.0', address: null }, new Date().toISOString());
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
