// One control plane and two agents as real processes on loopback: assignment, heartbeats, faults, moves, locations added
// and removed, tokens, and an agent given several control-plane URLs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/agents/signature.js';
import { nextDueAt, phaseOffsetMs } from '../../src/probing/scheduler.js';
import { ApiClient } from '../helpers/gateway.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { recordingListener } from '../helpers/listeners.js';
import { freePort } from '../helpers/prometheus.js';

const API_TOKEN = 'multi-gateway-api-token-0123';
const AGENT_TOKEN = 'multi-gateway-agent-token-0123';
const dir = mkdtempSync(join(tmpdir(), 'probekit-multi-'));


let controlPlane: GatewayProcess;
let controlPlanePort: number;
const agents: Record<string, GatewayProcess> = {};
let api: ApiClient;
let target: Awaited<ReturnType<typeof recordingListener>>;
const servers: Record<string, number> = {};
const probes: Record<string, number> = {};

const startControlPlane = (port?: number) => spawnGateway({
  GATEWAY_ID: 'cp', GATEWAY_DB: join(dir, 'cp', 'gateway.db'), GATEWAY_API_TOKEN: API_TOKEN, GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
  ...(port ? { GATEWAY_PORT: String(port) } : {}),
});
const startAgent = (id: string, token = AGENT_TOKEN, controlPlaneUrls = `http://127.0.0.1:${controlPlanePort}`) => spawnGateway({
  GATEWAY_ID: id, GATEWAY_DB: join(dir, id, 'gateway.db'), GATEWAY_API_TOKEN: API_TOKEN,
  GATEWAY_CONTROL_PLANE_URL: controlPlaneUrls, GATEWAY_CONTROL_PLANE_TOKEN: token,
});

const metricsOf = async (gateway: GatewayProcess) => (await fetch(`${gateway.url}/metrics`)).text();
const probeIdsIn = (text: string) => new Set([...text.matchAll(/^tcpprobe_availability\{[^}]*probe_id="(\d+)"/gm)].map((m) => Number(m[1])));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mod = (a: number, n: number) => ((a % n) + n) % n;
const checksOf = (text: string, probeId: number) => [...text.matchAll(new RegExp(`^tcpprobe_checks_total\\{[^}]*probe_id="${probeId}"[^}]*\\} (\\d+)`, 'gm'))]
  .reduce((sum, m) => sum + Number(m[1]), 0);

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value instanceof Set ? [...value] : value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  target = await recordingListener();
  controlPlane = await startControlPlane();
  controlPlanePort = controlPlane.port;
  api = new ApiClient(controlPlane.url, API_TOKEN);
  [agents.a1, agents.a2] = await Promise.all([startAgent('a1'), startAgent('a2')]);
  for (const gateway of ['cp', 'a1', 'a2']) {
    const server = await api.post('/api/v1/servers', { name: `on-${gateway}`, gateway });
    expect(server.status).toBe(201);
    servers[gateway] = server.body.id;
    const probe = await api.post(`/api/v1/servers/${server.body.id}/probes`, { name: 'p', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500 });
    probes[gateway] = probe.body.id;
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([controlPlane, ...Object.values(agents)].map((g) => g?.stop('SIGKILL')));
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('one control plane, two agents', () => {
  it('runs each server on its own gateway and exports only its own probes', async () => {
    for (const [id, gateway] of [['cp', controlPlane], ['a1', agents.a1!], ['a2', agents.a2!]] as const) {
      const ids = await eventually(async () => probeIdsIn(await metricsOf(gateway)), (s) => s.size > 0);
      expect([...ids]).toEqual([probes[id]]);
      expect(await metricsOf(gateway)).toContain(`gateway="${id}"`);
    }
  });

  it('lists every gateway with its version, address and online state, and offers them to Prometheus', async () => {
    const { body } = await api.get('/api/v1/gateways');
    const byId = Object.fromEntries(body.items.map((g: any) => [g.id, g]));
    expect(Object.keys(byId).sort()).toEqual(['a1', 'a2', 'cp']);
    expect(byId.a1).toMatchObject({ online: true, self: false, version: '0.1.0', address: agents.a1!.url });
    expect(byId.cp).toMatchObject({ online: true, self: true });
    const sd = (await api.get('/api/v1/sd/prometheus')).body;
    expect(sd.map((group: any) => group.targets[0]).sort()).toEqual([controlPlane, agents.a1!, agents.a2!].map((g) => new URL(g.url).host).sort());
    expect(sd[0].labels).toMatchObject({ __metrics_path__: '/metrics' });
  });

  it("shows the agents' results in the control plane's status", async () => {
    const status = await eventually(async () => (await api.get('/api/v1/status')).body.items, (items: any[]) => items.every((s) => s.state === 'up'));
    expect(status.map((s: any) => s.lastResult.gateway).sort()).toEqual(['a1', 'a2', 'cp']);
  });

  it('refuses edits on an agent: the control plane owns the configuration', async () => {
    const agentApi = new ApiClient(agents.a1!.url, API_TOKEN);
    const refused = await agentApi.post('/api/v1/servers', { name: 'local-edit' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/agent of/);
    expect((await agentApi.get('/api/v1/servers')).body.items.map((s: any) => s.name)).toEqual(['on-a1']);
  });

  it('refuses a bad agent token and a replayed request', async () => {
    const path = '/api/v1/agent/config?wait=0';
    const forged = await fetch(`${controlPlane.url}${path}`, { headers: signedHeaders('not-the-agent-token-xyz', 'a1', 'GET', path, '') });
    expect(forged.status).toBe(401);
    const headers = signedHeaders(AGENT_TOKEN, 'a1', 'GET', path, '');
    expect((await fetch(`${controlPlane.url}${path}`, { headers })).status).toBe(200);
    const replay = await fetch(`${controlPlane.url}${path}`, { headers });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { message: string }).message).toMatch(/replayed/);
    const stale = await fetch(`${controlPlane.url}${path}`, { headers: signedHeaders(AGENT_TOKEN, 'a1', 'GET', path, '', Date.now() - 5 * 60_000) });
    expect(stale.status).toBe(401);
    const impostor = await startAgent('a9', 'wrong-agent-token-0123456');
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect((await api.get('/api/v1/gateways')).body.items.map((g: any) => g.id)).not.toContain('a9');
    } finally {
      await impostor.stop('SIGKILL');
    }
  });

  it('keeps probing while the control plane is down, and resyncs when it returns', async () => {
    await controlPlane.stop('SIGKILL');
    const before = checksOf(await metricsOf(agents.a1!), probes.a1!);
    await eventually(async () => checksOf(await metricsOf(agents.a1!), probes.a1!), (n) => n >= before + 2);

    // An agent restarted while the control plane is away starts from its on-disk copy.
    await agents.a2!.stop('SIGKILL');
    agents.a2 = await startAgent('a2');
    await eventually(async () => probeIdsIn(await metricsOf(agents.a2!)), (s) => s.has(probes.a2!));

    controlPlane = await startControlPlane(controlPlanePort);
    api = new ApiClient(controlPlane.url, API_TOKEN);
    const added = await api.post(`/api/v1/servers/${servers.a1}/probes`, { name: 'after-restart', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500 });
    await eventually(async () => probeIdsIn(await metricsOf(agents.a1!)), (s) => s.has(added.body.id), 15_000);
    await api.delete(`/api/v1/probes/${added.body.id}`);
    await eventually(async () => probeIdsIn(await metricsOf(agents.a1!)), (s) => !s.has(added.body.id));
  });

  it('moves a server from one agent to the other without a gap longer than an interval and without double runs', async () => {
    const probeId = probes.a1!;
    await eventually(async () => probeIdsIn(await metricsOf(agents.a1!)), (s) => s.has(probeId));
    // Only this probe targets the listener from now on: pause the others.
    for (const id of ['cp', 'a2']) await api.patch(`/api/v1/probes/${probes[id]}`, { enabled: false });
    // Stopped where they run, not only stored as disabled: an agent that heard late would add arrivals of its own.
    await eventually(async () => probeIdsIn(await metricsOf(controlPlane)), (s) => !s.has(probes.cp!), 10_000);
    await eventually(async () => probeIdsIn(await metricsOf(agents.a2!)), (s) => !s.has(probes.a2!), 10_000);
    // And their last checks, if any was running, have connected.
    await new Promise((r) => setTimeout(r, 1500));
    target.arrivals.length = 0;
    const moved = await api.patch(`/api/v1/servers/${servers.a1}`, { gateway: 'a2' });
    expect(moved.status).toBe(200);
    await eventually(async () => probeIdsIn(await metricsOf(agents.a2!)), (s) => s.has(probeId), 10_000);
    await eventually(async () => probeIdsIn(await metricsOf(agents.a1!)), (s) => !s.has(probeId), 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    // One probe on a 1 s grid: every slot on it is run exactly once, by one gateway or the other. A run starts at
    // its slot plus the scheduler's lag (well under a second), so each arrival belongs to the slot just before it.
    const phase = phaseOffsetMs(String(probeId), 1000);
    const slots = target.arrivals.map((t) => Math.floor((t - phase) / 1000));
    expect(slots.length).toBeGreaterThanOrEqual(5);
    const first = slots[0]!;
    expect(slots).toEqual(slots.map((_, i) => first + i));
  });

  it('adds a location and removes another: each keeps its own slots, without a gap or a double run', async () => {
    // Since the move, the probe runs on a2 alone, at slot 0; every other probe on the listener is paused.
    const probeId = probes.a1!;
    const phase = (slot: number) => phaseOffsetMs(String(probeId), 1000, slot);
    target.arrivals.length = 0;
    await sleep(2000);
    expect((await api.patch(`/api/v1/servers/${servers.a1}`, { gateways: ['a2', 'a1'] })).status).toBe(200);
    await eventually(async () => probeIdsIn(await metricsOf(agents.a1!)), (s) => s.has(probeId), 10_000);
    await sleep(3000);
    expect((await api.patch(`/api/v1/servers/${servers.a1}`, { gateways: ['a1'] })).status).toBe(200);
    await eventually(async () => probeIdsIn(await metricsOf(agents.a2!)), (s) => !s.has(probeId), 10_000);
    await sleep(3000);
    expect((await api.get(`/api/v1/servers/${servers.a1}`)).body.gateways).toEqual(['a1']);

    // Each arrival comes just after a slot of a2 (slot 0) or of a1 (slot 1, 618 ms later in the second): the two slots
    // are 382 ms apart at the closest, and a start lags its slot by less (a few ms when the host is not overloaded).
    const bySlot: Record<number, number[]> = { 0: [], 1: [] };
    for (const t of target.arrivals) {
      const [lag0, lag1] = [mod(t - phase(0), 1000), mod(t - phase(1), 1000)];
      const slot = lag0 < lag1 ? 0 : 1;
      expect(Math.min(lag0, lag1)).toBeLessThan(382);
      bySlot[slot]!.push(Math.floor((t - phase(slot)) / 1000));
    }
    // a2 ran every second from before the addition until its removal; a1 from when it heard until the end: each
    // second of either once, none left out.
    for (const slot of [0, 1]) {
      const seconds = bySlot[slot]!;
      expect(seconds.length, `slot ${slot}: ${seconds}`).toBeGreaterThanOrEqual(5);
      expect(seconds).toEqual(seconds.map((_, i) => seconds[0]! + i));
    }
    // a2 stopped at its removal while a1 went on.
    expect(bySlot[0]!.at(-1)! * 1000 + phase(0)).toBeLessThan(bySlot[1]!.at(-1)! * 1000 + phase(1) - 1500);
  });

  it('gives a new location a first check at once, and the locations it joins none', async () => {
    const listener = await recordingListener();
    try {
      const intervalMs = 3_600_000;
      const server = (await api.post('/api/v1/servers', { name: 'at-once', gateways: ['a1'] })).body;
      const startedAt = Date.now();
      const probe = (await api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: '127.0.0.1', port: listener.port, intervalSeconds: 3600, timeoutMs: 500 })).body;
      await eventually(async () => listener.arrivals.length, (n) => n >= 1, 10_000);
      const addedAt = Date.now();
      expect((await api.patch(`/api/v1/servers/${server.id}`, { gateways: ['a1', 'a2'] })).status).toBe(200);
      await eventually(async () => checksOf(await metricsOf(agents.a2!), probe.id), (n) => n === 1, 10_000);
      expect(Math.max(...listener.arrivals) - addedAt).toBeLessThan(3000); // a2 heard within a long poll and checked at once
      await sleep(1500);
      // Slots of an hour's interval: unless one of them fell within the test, the only checks are those at once.
      const slotsWithin = () => [0, 1].some((slot) => nextDueAt(startedAt, String(probe.id), intervalMs, slot) < Date.now() + 1000);
      if (!slotsWithin()) {
        expect(checksOf(await metricsOf(agents.a1!), probe.id)).toBe(1);
        expect(listener.arrivals).toHaveLength(2);
      }
      // Both locations' results reach the control plane with the agents' heartbeats.
      const status = await eventually(async () => (await api.get(`/api/v1/status?probeId=${probe.id}`)).body.items[0],
        (item: any) => item.locationsUp === 2, 20_000);
      expect(status).toMatchObject({ state: 'up', locationsTotal: 2, locations: [{ gateway: 'a1', state: 'up' }, { gateway: 'a2', state: 'up' }] });
      const results = (await api.get(`/api/v1/probes/${probe.id}/results`)).body.items;
      expect(results.map((r: any) => r.gateway).sort()).toEqual(['a1', 'a2']);

      expect((await api.patch(`/api/v1/servers/${server.id}`, { gateways: ['a2'] })).status).toBe(200);
      await eventually(async () => probeIdsIn(await metricsOf(agents.a1!)), (s) => !s.has(probe.id), 10_000);
      await sleep(1500);
      if (!slotsWithin()) {
        expect(listener.arrivals).toHaveLength(2);
        expect(checksOf(await metricsOf(agents.a2!), probe.id)).toBe(1);
      }
      expect((await api.get(`/api/v1/status?probeId=${probe.id}`)).body.items[0]).toMatchObject({ locationsTotal: 1, locations: [{ gateway: 'a2' }] });
      await api.delete(`/api/v1/servers/${server.id}`);
    } finally {
      await listener.close();
    }
  });

  it('stops the probes of a deleted server on its agent', async () => {
    await api.patch(`/api/v1/probes/${probes.a2}`, { enabled: true });
    await eventually(async () => probeIdsIn(await metricsOf(agents.a2!)), (s) => s.has(probes.a2!));
    expect((await api.delete(`/api/v1/servers/${servers.a2}`)).status).toBe(200);
    await eventually(async () => probeIdsIn(await metricsOf(agents.a2!)), (s) => !s.has(probes.a2!), 10_000);
  });

  it('takes a list of control-plane URLs and syncs through the one that answers', async () => {
    const server = (await api.post('/api/v1/servers', { name: 'on-a3', gateway: 'a3' })).body;
    const probe = (await api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500 })).body;
    // The first URL is a port nobody listens on: a replica that is down.
    const agent = await startAgent('a3', AGENT_TOKEN, `http://127.0.0.1:${await freePort()}, http://127.0.0.1:${controlPlanePort}`);
    try {
      await eventually(async () => probeIdsIn(await metricsOf(agent)), (s) => s.has(probe.id), 10_000);
      await eventually(async () => (await api.get('/api/v1/gateways')).body.items.find((g: any) => g.id === 'a3'), (g: any) => g?.online === true, 10_000);
    } finally {
      await agent.stop('SIGKILL');
      await api.delete(`/api/v1/servers/${server.id}`);
    }
  });
});
