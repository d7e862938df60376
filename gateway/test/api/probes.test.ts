// Probes through the real HTTP API and a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { probeConfig } from '../helpers/snapshot.js';

let gw: TestGateway;
beforeAll(async () => { gw = await startTestGateway(); });
afterAll(async () => { await gw.dispose(); });

let serverSeq = 0;
async function newServer(extra: Record<string, unknown> = {}): Promise<any> {
  const response = await gw.api.post('/api/v1/servers', { name: `probe-srv-${++serverSeq}`, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}
async function newProbe(serverId: number, body: Record<string, unknown>): Promise<any> {
  const response = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { host: '127.0.0.1', port: 5432, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

describe('probes', () => {
  it('creates a probe with the documented defaults, read-only fields and audit stamps', async () => {
    const server = await newServer();
    const { status, body } = await gw.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'postgres', host: 'db.example.com', port: 5432 });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(Number),
      serverId: server.id,
      name: 'postgres',
      description: null,
      owner: 'api',
      scheduleId: null,
      windowBegin: null,
      windowEnd: null,
      intervalSeconds: 300,
      host: 'db.example.com',
      port: 5432,
      timeoutMs: null,
      effectiveTimeoutMs: 2000,
      enabled: true,
      thresholds: [],
      tls: null,
      dialogue: null,
      ipVersion: 'auto',
      actualHost: null,
      actualIpv4: null,
      actualIp: null,
      lastResult: null,
      version: 1,
      createdAt: expect.any(String),
      createdBy: 'api',
      updatedAt: body.createdAt,
      updatedBy: 'api',
    });
    expect(Math.abs(Date.parse(body.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(probeConfig((await gw.api.get(`/api/v1/probes/${body.id}`)).body)).toEqual(probeConfig(body));
    expect((await gw.api.get(`/api/v1/servers/${server.id}`)).body.probeCount).toBe(1);
  });

  it('keeps every field given, including IPv6 hosts and thresholds', async () => {
    const server = await newServer();
    const input = {
      name: 'broker', description: 'MQ broker', owner: 'team-mq', windowBegin: '06:00', windowEnd: '20:00', intervalSeconds: 60,
      host: '::1', port: 5672, timeoutMs: 1500, enabled: false,
      thresholds: [
        { kind: 'connectTime', level: 'warning', value: 250, for: '10m', team: 'mq', contactPoint: 'mq-oncall', runbookUrl: 'https://wiki.example.com/mq' },
        { kind: 'availabilityRatio', level: 'critical', value: 99.5, window: '1h' },
        { kind: 'availability', level: 'critical', for: '2m' },
      ],
    };
    const { status, body } = await gw.api.post(`/api/v1/servers/${server.id}/probes`, input);
    expect(status).toBe(201);
    expect(body).toMatchObject({ ...input, effectiveTimeoutMs: 1500, createdBy: 'team-mq' });
  });

  it('records X-Grafana-User, else the owner, else "api" as the editor', async () => {
    const server = await newServer();
    const viaGrafana = await gw.api.withHeaders({ 'X-Grafana-User': 'alice' }).post(`/api/v1/servers/${server.id}/probes`, { name: 'a', host: '127.0.0.1', port: 1 });
    expect(viaGrafana.body).toMatchObject({ owner: 'alice', createdBy: 'alice', updatedBy: 'alice' });
    const viaOwner = await newProbe(server.id, { name: 'b', owner: 'bob' });
    expect(viaOwner).toMatchObject({ owner: 'bob', createdBy: 'bob' });
    const patched = await gw.api.withHeaders({ 'X-Grafana-User': 'carol' }).patch(`/api/v1/probes/${viaOwner.id}`, { port: 2 });
    expect(patched.body).toMatchObject({ owner: 'bob', createdBy: 'bob', updatedBy: 'carol', version: 2, port: 2 });
    expect(patched.body.createdAt).toBe(viaOwner.createdAt);
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(viaOwner.updatedAt));
  });

  it('replaces with PUT (fields left out back to their defaults), patches with PATCH, deletes with DELETE', async () => {
    const server = await newServer();
    const created = await newProbe(server.id, { name: 'crud', description: 'first', intervalSeconds: 30, timeoutMs: 900, windowBegin: '22:00', windowEnd: '04:00' });
    const put = await gw.api.put(`/api/v1/probes/${created.id}`, { name: 'crud', host: '127.0.0.2', port: 6379, version: 1 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: created.id, serverId: server.id, host: '127.0.0.2', port: 6379, description: null, intervalSeconds: 300, timeoutMs: null,
      effectiveTimeoutMs: 2000, windowBegin: null, windowEnd: null, version: 2,
    });
    const patch = await gw.api.patch(`/api/v1/probes/${created.id}`, { description: 'second', version: 2 });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ host: '127.0.0.2', port: 6379, description: 'second', version: 3 });
    const patchNoVersion = await gw.api.patch(`/api/v1/probes/${created.id}`, { enabled: false });
    expect(patchNoVersion.body).toMatchObject({ enabled: false, description: 'second', version: 4 });

    const deleted = await gw.api.delete(`/api/v1/probes/${created.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect((await gw.api.get(`/api/v1/probes/${created.id}`)).status).toBe(404);
    expect((await gw.api.delete(`/api/v1/probes/${created.id}`)).status).toBe(404);
    expect((await gw.api.get(`/api/v1/servers/${server.id}`)).body.probeCount).toBe(0);
  });

  it('inherits the server connect timeout as effectiveTimeoutMs, and follows its changes', async () => {
    const server = await newServer({ connectTimeoutMs: 1500 });
    const inheriting = await newProbe(server.id, { name: 'inherits', intervalSeconds: 10 });
    const own = await newProbe(server.id, { name: 'own', intervalSeconds: 10, timeoutMs: 800 });
    expect(inheriting).toMatchObject({ timeoutMs: null, effectiveTimeoutMs: 1500 });
    expect(own).toMatchObject({ timeoutMs: 800, effectiveTimeoutMs: 800 });

    const changed = await gw.api.patch(`/api/v1/servers/${server.id}`, { connectTimeoutMs: 2500 });
    expect(changed.status).toBe(200);
    const afterInheriting = (await gw.api.get(`/api/v1/probes/${inheriting.id}`)).body;
    expect(afterInheriting).toMatchObject({ timeoutMs: null, effectiveTimeoutMs: 2500, version: 1 });
    expect((await gw.api.get(`/api/v1/probes/${own.id}`)).body).toMatchObject({ timeoutMs: 800, effectiveTimeoutMs: 800 });
    const listed = (await gw.api.get(`/api/v1/servers/${server.id}/probes`)).body.items;
    expect(listed.find((p: any) => p.id === inheriting.id).effectiveTimeoutMs).toBe(2500);

    // Giving the probe its own timeout, then taking it away again.
    expect((await gw.api.patch(`/api/v1/probes/${inheriting.id}`, { timeoutMs: 400 })).body).toMatchObject({ timeoutMs: 400, effectiveTimeoutMs: 400 });
    expect((await gw.api.patch(`/api/v1/probes/${inheriting.id}`, { timeoutMs: null })).body).toMatchObject({ timeoutMs: null, effectiveTimeoutMs: 2500 });
    // PUT of the server back to defaults: the inheriting probe follows to 2000.
    expect((await gw.api.put(`/api/v1/servers/${server.id}`, { name: server.name })).status).toBe(200);
    expect((await gw.api.get(`/api/v1/probes/${inheriting.id}`)).body.effectiveTimeoutMs).toBe(2000);
  });

  it("refuses a server connect timeout that would reach an inheriting probe's interval, and changes nothing", async () => {
    const server = await newServer({ connectTimeoutMs: 1000 });
    const fast = await newProbe(server.id, { name: 'every-3s', intervalSeconds: 3 });
    await newProbe(server.id, { name: 'own-timeout-every-1s', intervalSeconds: 1, timeoutMs: 200 });
    await newProbe(server.id, { name: 'slow', intervalSeconds: 600 });

    for (const request of [
      () => gw.api.patch(`/api/v1/servers/${server.id}`, { connectTimeoutMs: 3000 }),
      () => gw.api.put(`/api/v1/servers/${server.id}`, { name: server.name, connectTimeoutMs: 3500 }),
    ]) {
      const refused = await request();
      expect(refused.status).toBe(400);
      expect(refused.body.field).toBe('connectTimeoutMs');
      expect(refused.body.message).toMatch(/must be below 3000 ms.*every 3 s/);
    }
    expect((await gw.api.get(`/api/v1/servers/${server.id}`)).body).toMatchObject({ connectTimeoutMs: 1000, version: 1 });
    expect((await gw.api.get(`/api/v1/probes/${fast.id}`)).body.effectiveTimeoutMs).toBe(1000);

    // Just below is fine; the probe with its own timeout (every 1 s) does not count.
    const ok = await gw.api.patch(`/api/v1/servers/${server.id}`, { connectTimeoutMs: 2999 });
    expect(ok.status).toBe(200);
    expect((await gw.api.get(`/api/v1/probes/${fast.id}`)).body.effectiveTimeoutMs).toBe(2999);
    // Once the fast probe has its own timeout, the server may go higher.
    await gw.api.patch(`/api/v1/probes/${fast.id}`, { timeoutMs: 500 });
    expect((await gw.api.patch(`/api/v1/servers/${server.id}`, { connectTimeoutMs: 10000 })).status).toBe(200);
    // ...and then the probe cannot drop its own timeout, since it would inherit 10000 ms at a 3 s interval.
    const drop = await gw.api.patch(`/api/v1/probes/${fast.id}`, { timeoutMs: null });
    expect(drop).toMatchObject({ status: 400, body: { field: 'intervalSeconds' } });
    expect((await gw.api.get(`/api/v1/probes/${fast.id}`)).body).toMatchObject({ timeoutMs: 500, effectiveTimeoutMs: 500 });
  });

  it('accepts time windows that wrap past midnight, and whole-day edges', async () => {
    const server = await newServer();
    for (const [windowBegin, windowEnd] of [['22:00', '06:00'], ['23:59', '00:01'], ['00:00', '23:59'], ['08:30', '17:45']]) {
      const probe = await newProbe(server.id, { name: `window-${windowBegin}-${windowEnd}`, windowBegin, windowEnd });
      expect(probe).toMatchObject({ windowBegin, windowEnd });
      expect((await gw.api.get(`/api/v1/probes/${probe.id}`)).body).toMatchObject({ windowBegin, windowEnd });
    }
    // Both ends can be cleared together.
    const probe = await newProbe(server.id, { name: 'window-cleared', windowBegin: '20:00', windowEnd: '02:00' });
    expect((await gw.api.patch(`/api/v1/probes/${probe.id}`, { windowBegin: null, windowEnd: null })).body).toMatchObject({ windowBegin: null, windowEnd: null });
  });

  it('references a schedule by scheduleId, and can drop it', async () => {
    const schedule = (await gw.api.post('/api/v1/schedules', { name: 'probe-office-hours', timeZone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], begin: '07:00', end: '19:00' }] })).body;
    const server = await newServer();
    const probe = await newProbe(server.id, { name: 'scheduled', scheduleId: schedule.id });
    expect(probe.scheduleId).toBe(schedule.id);
    const other = (await gw.api.post('/api/v1/schedules', { name: 'probe-nights', timeZone: 'UTC', windows: [{ days: ['sat'], begin: '22:00', end: '04:00' }] })).body;
    expect((await gw.api.patch(`/api/v1/probes/${probe.id}`, { scheduleId: other.id })).body.scheduleId).toBe(other.id);
    expect((await gw.api.patch(`/api/v1/probes/${probe.id}`, { scheduleId: null })).body.scheduleId).toBeNull();
    const unknown = await gw.api.patch(`/api/v1/probes/${probe.id}`, { scheduleId: 987654 });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'scheduleId' } });
  });

  it('keeps names unique per server, reusable across servers', async () => {
    const a = await newServer();
    const b = await newServer();
    const first = await newProbe(a.id, { name: 'shared-name', port: 1 });
    const sameNameOtherServer = await gw.api.post(`/api/v1/servers/${b.id}/probes`, { name: 'shared-name', host: '127.0.0.1', port: 2 });
    expect(sameNameOtherServer.status).toBe(201);
    const duplicate = await gw.api.post(`/api/v1/servers/${a.id}/probes`, { name: 'shared-name', host: '127.0.0.1', port: 3 });
    expect(duplicate).toMatchObject({ status: 409, body: { field: 'name' } });
    expect(duplicate.body.message).toMatch(/"shared-name" is already used by another probe of this server/);

    const second = await newProbe(a.id, { name: 'other-name', port: 4 });
    const rename = await gw.api.patch(`/api/v1/probes/${second.id}`, { name: 'shared-name' });
    expect(rename).toMatchObject({ status: 409, body: { field: 'name' } });
    expect((await gw.api.get(`/api/v1/probes/${second.id}`)).body).toMatchObject({ name: 'other-name', version: 1 });
    expect((await gw.api.get(`/api/v1/probes/${first.id}`)).body).toMatchObject({ name: 'shared-name', port: 1 });
    // After deleting the first, its name is free again.
    await gw.api.delete(`/api/v1/probes/${first.id}`);
    expect((await gw.api.patch(`/api/v1/probes/${second.id}`, { name: 'shared-name' })).status).toBe(200);
  });

  it('lists the probes of one server: filtered, searched, ordered by name and paged', async () => {
    const server = await newServer();
    const other = await newServer();
    await newProbe(other.id, { name: 'alpha-elsewhere' });
    const specs = [
      { name: 'Delta', host: 'db1.example.com', enabled: true },
      { name: 'alpha', host: 'db2.example.com', enabled: false },
      { name: 'charlie', host: '10.0.0.7', enabled: true, description: 'the SAP dispatcher' },
      { name: 'bravo', host: 'mq.example.net', enabled: false },
      { name: 'echo', host: 'cache-1.internal', enabled: true },
      { name: 'foxtrot', host: '10.0.0.8', enabled: true },
      { name: '50%-off', host: '10.0.0.9', enabled: true },
    ];
    for (const spec of specs) await newProbe(server.id, spec);
    const list = (query = '') => gw.api.get(`/api/v1/servers/${server.id}/probes${query}`);

    const all = await list();
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 7, limit: 100, offset: 0 });
    expect(all.body.items.map((p: any) => p.name)).toEqual(['50%-off', 'alpha', 'bravo', 'charlie', 'Delta', 'echo', 'foxtrot']);
    expect(all.body.items.every((p: any) => p.serverId === server.id)).toBe(true);

    expect((await list('?enabled=false')).body.items.map((p: any) => p.name)).toEqual(['alpha', 'bravo']);
    expect((await list('?enabled=true')).body.total).toBe(5);
    expect((await list('?q=example.com')).body.items.map((p: any) => p.name)).toEqual(['alpha', 'Delta']);
    expect((await list('?q=SAP%20DISP')).body.items.map((p: any) => p.name)).toEqual(['charlie']);
    expect((await list('?q=10.0.0.&enabled=true')).body.items.map((p: any) => p.name)).toEqual(['50%-off', 'charlie', 'foxtrot']);
    expect((await list('?q=50%25')).body.items.map((p: any) => p.name)).toEqual(['50%-off']);
    expect((await list('?q=%25')).body.items.map((p: any) => p.name)).toEqual(['50%-off']);

    const page = await list('?limit=2&offset=2');
    expect(page.body).toMatchObject({ total: 7, limit: 2, offset: 2 });
    expect(page.body.items.map((p: any) => p.name)).toEqual(['bravo', 'charlie']);
    const beyond = await list('?limit=5&offset=50');
    expect(beyond.body).toMatchObject({ total: 7, items: [] });
    expect((await list('?limit=1001')).status).toBe(400);
    expect((await list('?offset=-1')).status).toBe(400);
  });

  it('answers 404 for the probe list of an unknown server and for unknown probes', async () => {
    const list = await gw.api.get('/api/v1/servers/987654/probes');
    expect(list).toMatchObject({ status: 404, body: { message: 'server 987654 does not exist' } });
    expect((await gw.api.get('/api/v1/probes/987654')).body.message).toBe('probe 987654 does not exist');
    expect((await gw.api.post('/api/v1/servers/987654/probes', { name: 'x', host: '127.0.0.1', port: 1 })).status).toBe(404);
  });

  it('answers 409 to a stale version on PUT and PATCH, and keeps the newer values', async () => {
    const server = await newServer();
    const created = await newProbe(server.id, { name: 'contended', port: 100 });
    expect((await gw.api.patch(`/api/v1/probes/${created.id}`, { port: 101, version: 1 })).status).toBe(200);

    const stalePatch = await gw.api.patch(`/api/v1/probes/${created.id}`, { port: 102, version: 1 });
    expect(stalePatch).toMatchObject({ status: 409, body: { field: 'version' } });
    expect(stalePatch.body.message).toMatch(/probe \d+ was changed by someone else \(you sent version 1, current is 2\)/);
    const stalePut = await gw.api.put(`/api/v1/probes/${created.id}`, { name: 'contended', host: '127.0.0.1', port: 103, version: 1 });
    expect(stalePut).toMatchObject({ status: 409, body: { field: 'version' } });
    const future = await gw.api.patch(`/api/v1/probes/${created.id}`, { port: 104, version: 99 });
    expect(future.status).toBe(409);
    expect((await gw.api.get(`/api/v1/probes/${created.id}`)).body).toMatchObject({ port: 101, version: 2 });

    // Two writers with the same version at once: exactly one wins.
    const racing = await Promise.all([200, 201, 202, 203].map((port) => gw.api.patch(`/api/v1/probes/${created.id}`, { port, version: 2 })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const winner = racing.find((r) => r.status === 200)!.body.port;
    expect((await gw.api.get(`/api/v1/probes/${created.id}`)).body).toMatchObject({ port: winner, version: 3 });
  });

  it('a refused probe write leaves neither the probe nor its server half-changed', async () => {
    const server = await newServer();
    const created = await newProbe(server.id, { name: 'intact', intervalSeconds: 60, description: 'before' });
    const refused = await gw.api.put(`/api/v1/probes/${created.id}`, { name: 'intact', host: '127.0.0.1', port: 1, description: 'after', intervalSeconds: 1 });
    expect(refused.status).toBe(400);
    expect(probeConfig((await gw.api.get(`/api/v1/probes/${created.id}`)).body)).toEqual(probeConfig(created));
    expect((await gw.api.get(`/api/v1/servers/${server.id}`)).body).toMatchObject({ version: 1, probeCount: 1 });
  });
});
