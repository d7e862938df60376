// The real client, through the test Grafana's proxy route, against a real gateway: every endpoint the pages use.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../test/gatewayHarness';
import { installFakeGrafana } from '../test/grafanaRuntime';
import {
  checkTarget,
  createProbe,
  createSchedule,
  createServer,
  deleteProbe,
  deleteSchedule,
  deleteServer,
  getProbe,
  getProbeResults,
  getReadiness,
  getSchedule,
  getServer,
  getStatus,
  GatewayError,
  listAllServers,
  listGateways,
  listProbes,
  listSchedules,
  listServers,
  replaceProbe,
  replaceSchedule,
  replaceServer,
  runProbe,
  updateProbe,
  updateGateway,
  updateServer,
} from './index';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
});
afterAll(async () => {
  await gateway?.close();
});

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected the request to fail');
}

describe('servers', () => {
  test('create, get, list with filters, patch, replace and delete', async () => {
    installFakeGrafana({ gateway, user: { login: 'alice', orgRole: 'Admin' } });
    const created = await createServer({ name: 'api-erp', role: 'production', site: 'fra', description: 'ERP' });
    expect(created).toMatchObject({ name: 'api-erp', gateways: [gateway.gatewayId], connectTimeoutMs: 2000, version: 1, createdBy: 'alice', probeCount: 0 });
    await createServer({ name: 'api-crm', role: 'quality', site: 'ber' });

    expect(await getServer(created.id)).toMatchObject({ id: created.id, name: 'api-erp' });
    const production = await listServers({ role: 'production', q: 'api-' });
    expect(production.items.map((s) => s.name)).toEqual(['api-erp']);
    expect((await listAllServers({ q: 'api-' })).map((s) => s.name).sort()).toEqual(['api-crm', 'api-erp']);

    const patched = await updateServer(created.id, { site: 'muc', version: created.version });
    expect(patched).toMatchObject({ site: 'muc', role: 'production', version: 2, updatedBy: 'alice' });
    const replaced = await replaceServer(created.id, { name: 'api-erp', connectTimeoutMs: 1500, version: patched.version });
    expect(replaced).toMatchObject({ site: null, role: null, connectTimeoutMs: 1500, version: 3 });

    await createProbe(created.id, { name: 'db', host: '127.0.0.1', port: 5432 });
    expect(await deleteServer(created.id)).toEqual({ deletedProbes: 1 });
    expect(await gateway.seed.serverStatus(created.id)).toBe(404);
  });

  test('pages through every server', async () => {
    installFakeGrafana({ gateway });
    for (let i = 0; i < 3; i++) await gateway.seed.createServer({ name: `page-${i}` });
    expect((await listServers({ q: 'page-', limit: 2 })).items).toHaveLength(2);
    expect(await listAllServers({ q: 'page-' })).toHaveLength(3);
  });

  test('errors arrive typed: field problems, stale versions, missing objects', async () => {
    installFakeGrafana({ gateway });
    const invalid = await rejection(createServer({ name: 'bad-timeout', connectTimeoutMs: 50 }));
    expect(invalid).toMatchObject({ kind: 'validation', status: 400, field: 'connectTimeoutMs' });
    expect(invalid.problems[0]?.message).toBe('must be between 100 and 60000');

    const server = await createServer({ name: 'api-stale' });
    await updateServer(server.id, { description: 'first', version: server.version });
    const stale = await rejection(updateServer(server.id, { description: 'second', version: server.version }));
    expect(stale).toMatchObject({ kind: 'staleVersion', status: 409, isStaleVersion: true });

    const duplicate = await rejection(createServer({ name: 'api-stale' }));
    expect(duplicate).toMatchObject({ kind: 'conflict', status: 409, field: 'name', isStaleVersion: false });

    expect(await rejection(getServer(999_999))).toMatchObject({ kind: 'notFound', status: 404 });
  });
});

describe('probes and schedules', () => {
  test('probe CRUD under a server', async () => {
    installFakeGrafana({ gateway, user: { login: 'bob', orgRole: 'Admin' } });
    const server = await createServer({ name: 'api-probes' });
    const probe = await createProbe(server.id, { name: 'self', host: '127.0.0.1', port: 9, intervalSeconds: 60 });
    expect(probe).toMatchObject({ serverId: server.id, effectiveTimeoutMs: 2000, createdBy: 'bob' });
    expect((await listProbes(server.id)).items.map((p) => p.name)).toEqual(['self']);
    expect(await getProbe(probe.id)).toMatchObject({ id: probe.id, host: '127.0.0.1' });
    const patched = await updateProbe(probe.id, { port: 10, version: probe.version });
    expect(patched.port).toBe(10);
    const replaced = await replaceProbe(probe.id, { name: 'self', host: 'localhost', port: 11, version: patched.version });
    expect(replaced).toMatchObject({ host: 'localhost', port: 11, intervalSeconds: 300 });
    await deleteProbe(probe.id);
    expect((await listProbes(server.id)).total).toBe(0);
  });

  test('schedule CRUD', async () => {
    installFakeGrafana({ gateway });
    const schedule = await createSchedule({ name: 'office-hours', timeZone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue'], begin: '08:00', end: '18:00' }] });
    expect((await listSchedules()).items.map((s) => s.name)).toContain('office-hours');
    expect(await getSchedule(schedule.id)).toMatchObject({ timeZone: 'Europe/Berlin' });
    const replaced = await replaceSchedule(schedule.id, { name: 'office-hours', timeZone: 'UTC', version: schedule.version });
    expect(replaced).toMatchObject({ timeZone: 'UTC', windows: [] });
    await deleteSchedule(schedule.id);
    expect((await listSchedules()).items.map((s) => s.name)).not.toContain('office-hours');
  });
});

describe('probing', () => {
  test('check a target, run a probe, read status and results', async () => {
    installFakeGrafana({ gateway });
    const check = await checkTarget({ host: '127.0.0.1', port: 9, timeoutMs: 500 });
    expect(check).toMatchObject({ available: false, gateway: gateway.gatewayId });

    const server = await createServer({ name: 'api-run' });
    const probe = await createProbe(server.id, { name: 'closed-port', host: '127.0.0.1', port: 9 });
    const result = await runProbe(probe.id);
    expect(result.outcome).not.toBe('success');

    const status = await getStatus({ serverId: server.id });
    expect(status.items).toEqual([expect.objectContaining({ probeId: probe.id, state: 'down' })]);
    expect(status.summary.down).toBe(1);
    expect((await getProbeResults(probe.id, { limit: 5 })).items[0]).toMatchObject({ outcome: result.outcome });
  });

  test('gateways and readiness', async () => {
    installFakeGrafana({ gateway });
    expect((await listGateways()).items).toEqual([expect.objectContaining({ id: gateway.gatewayId, self: true, online: true })]);
    expect(await getReadiness()).toEqual({ status: 'ready', store: 'ok' });
  });
});

describe('locations', () => {
  test("a server's gateways, the servers of one gateway, a never seen gateway and its team", async () => {
    installFakeGrafana({ gateway, user: { orgRole: 'Admin' } });
    const server = await createServer({ name: 'api-multi', gateways: [gateway.gatewayId, 'aws-eu'] });
    expect(server.gateways).toEqual([gateway.gatewayId, 'aws-eu']);
    expect((await listServers({ gateway: 'aws-eu' })).items.map((s) => s.name)).toEqual(['api-multi']);

    const awsEu = (await listGateways()).items.find((item) => item.id === 'aws-eu');
    expect(awsEu).toMatchObject({ state: 'never_seen', online: false, lastSeenAt: null, team: null, serverCount: 1 });
    expect(await updateGateway('aws-eu', { team: 'cloud-net' })).toMatchObject({ id: 'aws-eu', team: 'cloud-net' });
    expect((await listGateways()).items.find((item) => item.id === 'aws-eu')?.team).toBe('cloud-net');
    expect(await rejection(updateGateway('aws-eu', { team: 'cloud net' }))).toMatchObject({ kind: 'validation', field: 'team' });
    expect(await updateGateway('aws-eu', { team: null })).toMatchObject({ team: null });
  });

  test('status and results of one location', async () => {
    installFakeGrafana({ gateway });
    const server = await createServer({ name: 'api-located', gateways: [gateway.gatewayId, 'aws-eu'] });
    const probe = await createProbe(server.id, { name: 'closed-port', host: '127.0.0.1', port: 9 });
    await runProbe(probe.id);
    const [status] = (await getStatus({ probeId: probe.id })).items;
    expect(status).toMatchObject({ locationsTotal: 2, locationsDown: 1, locationsUp: 0 });
    expect(status!.locations.map((location) => [location.gateway, location.self])).toEqual([[gateway.gatewayId, true], ['aws-eu', false]]);
    expect((await getStatus({ probeId: probe.id, gateway: 'aws-eu' })).items[0]).toMatchObject({ state: 'nodata' });
    // The run, and the check the gateway makes of a new probe at once when it got to it first.
    const own = (await getProbeResults(probe.id, { gateway: gateway.gatewayId, limit: 5 })).items.map((result) => result.gateway);
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own)).toEqual(new Set([gateway.gatewayId]));
    expect((await getProbeResults(probe.id, { gateway: 'aws-eu' })).items).toEqual([]);
  });
});

describe('through Grafana', () => {
  test('the proxy route refuses a viewer what the route role forbids', async () => {
    installFakeGrafana({ gateway, user: { orgRole: 'Viewer' } });
    expect((await listServers()).items).toBeInstanceOf(Array);
    expect(await rejection(createServer({ name: 'viewer-made' }))).toMatchObject({ kind: 'forbidden', status: 403 });
  });

  test('a wrong token and an unreachable gateway say so', async () => {
    const grafana = installFakeGrafana({ gateway: { url: gateway.url, token: 'not-the-token-not-the-token' } });
    expect(await rejection(listServers())).toMatchObject({ kind: 'unauthorized', status: 401 });
    grafana.configure({ gatewayUrl: 'http://127.0.0.1:9' });
    expect(await rejection(listServers())).toMatchObject({ kind: 'unreachable', status: 502 });
  });

  test('no error toasts: the client handles every error itself', async () => {
    const grafana = installFakeGrafana({ gateway });
    await rejection(getServer(999_999));
    expect(grafana.errorAlerts).toEqual([]);
  });
});
