// Servers that run from several gateways (locations), through the real HTTP API on a real SQLite file: the list, its
// shorthand, its rules, quorums that must fit it, and the gateways listed with their state and team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => { gw = await startTestGateway(); });
afterAll(async () => { await gw.dispose(); });

const serverCount = async () => (await gw.api.get('/api/v1/servers')).body.total as number;

describe('a server on several gateways', () => {
  it('keeps the list in the order given; the default is this gateway; `gateway` is the one-location shorthand', async () => {
    const many = await gw.api.post('/api/v1/servers', { name: 'erp-multi', gateways: ['test-gw', 'branch-fra', 'aws-eu'] });
    expect(many.status).toBe(201);
    expect(many.body.gateways).toEqual(['test-gw', 'branch-fra', 'aws-eu']);
    expect(many.body).not.toHaveProperty('gateway');
    expect((await gw.api.post('/api/v1/servers', { name: 'erp-default' })).body.gateways).toEqual(['test-gw']);
    const short = await gw.api.post('/api/v1/servers', { name: 'erp-short', gateway: 'edge-1' });
    expect(short.body.gateways).toEqual(['edge-1']);
    // PATCH with the shorthand replaces the list; a PATCH without either keeps it.
    expect((await gw.api.patch(`/api/v1/servers/${many.body.id}`, { site: 'fra' })).body.gateways).toEqual(['test-gw', 'branch-fra', 'aws-eu']);
    expect((await gw.api.patch(`/api/v1/servers/${short.body.id}`, { gateway: 'edge-2' })).body.gateways).toEqual(['edge-2']);
  });

  it('filters the list by a gateway the server runs from', async () => {
    await gw.api.post('/api/v1/servers', { name: 'only-fra', gateways: ['branch-fra'] });
    const { body } = await gw.api.get('/api/v1/servers?gateway=branch-fra');
    expect(body.items.map((s: { name: string }) => s.name).sort()).toEqual(['erp-multi', 'only-fra']);
  });

  it.each([
    ['an empty list', { gateways: [] }, 'gateways', 'must have at least 1 entries'],
    ['a repeated name', { gateways: ['a', 'b', 'a'] }, 'gateways', 'must not repeat an entry'],
    ['a malformed name', { gateways: ['a', '-bad name'] }, 'gateways[1]', 'must start with a letter or digit'],
    ['17 gateways', { gateways: Array.from({ length: 17 }, (_, i) => `g${i}`) }, 'gateways', 'must have at most 16 entries'],
    ['both forms', { gateways: ['a'], gateway: 'b' }, 'gateway', 'send gateways or gateway, not both'],
    ['a quorum above the list', { gateways: ['a', 'b'], thresholds: [{ kind: 'availability', level: 'critical', minFailingLocations: 3 }] },
      'thresholds[0].minFailingLocations', 'must be at most 2: the server runs from 2 gateways'],
    ['a quorum on another kind', { thresholds: [{ kind: 'connectTime', level: 'warning', value: 100, minFailingLocations: 1 }] },
      'thresholds[0].minFailingLocations', 'applies only to kind availability'],
  ])('refuses %s with a 400 naming the field, and stores nothing', async (_what, fields, field, words) => {
    const before = await serverCount();
    const { status, body } = await gw.api.post('/api/v1/servers', { name: `bad-${field}-${Math.random()}`, ...fields });
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body.field).toBe(field);
    expect(body.message).toContain(words);
    expect(await serverCount()).toBe(before);
  });

  it("refuses to shrink the list below a probe's quorum or a threshold's, and keeps what was stored", async () => {
    const { body: server } = await gw.api.post('/api/v1/servers', {
      name: 'quorum-3', gateways: ['q1', 'q2', 'q3'], thresholds: [{ kind: 'availability', level: 'critical', minFailingLocations: 2 }],
    });
    const probe = await gw.api.post(`/api/v1/servers/${server.id}/probes`, {
      name: 'db', host: '127.0.0.1', port: 9, enabled: false, thresholds: [{ kind: 'availability', level: 'warning', minFailingLocations: 3 }],
    });
    expect(probe.status, JSON.stringify(probe.body)).toBe(201);
    const tooHigh = await gw.api.post(`/api/v1/servers/${server.id}/probes`, {
      name: 'db2', host: '127.0.0.1', port: 9, thresholds: [{ kind: 'availability', level: 'warning', minFailingLocations: 4 }],
    });
    expect(tooHigh.body).toMatchObject({ statusCode: 400, field: 'thresholds[0].minFailingLocations' });
    const shrunk = await gw.api.patch(`/api/v1/servers/${server.id}`, { gateways: ['q1', 'q2'] });
    expect(shrunk.status).toBe(400);
    expect(shrunk.body.field).toBe('gateways');
    expect(shrunk.body.message).toContain('probe "db" alerts when 3 locations see it down');
    const belowOwn = await gw.api.patch(`/api/v1/servers/${server.id}`, { gateways: ['q1'] });
    expect(belowOwn.body.problems.map((p: { field: string }) => p.field)).toEqual(['thresholds[0].minFailingLocations', 'gateways']);
    expect((await gw.api.get(`/api/v1/servers/${server.id}`)).body).toMatchObject({ gateways: ['q1', 'q2', 'q3'], version: 1 });
  });

  it('imports an export document of the old shape (one `gateway` per server) and exports the new one', async () => {
    const document = {
      apiVersion: 'probekit/v1', kind: 'Configuration',
      servers: [{ name: 'from-old-export', gateway: 'edge-9', probes: [{ name: 'p', host: '127.0.0.1', port: 9, enabled: false }] }],
    };
    const imported = await gw.api.post('/api/v1/import', document);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const exported = (await gw.api.get('/api/v1/export')).body;
    const server = exported.servers.find((s: { name: string }) => s.name === 'from-old-export');
    expect(server.gateways).toEqual(['edge-9']);
    expect(server).not.toHaveProperty('gateway');
    const both = await gw.api.post('/api/v1/import', { ...document, servers: [{ ...document.servers[0], gateways: ['x'] }] });
    expect(both.body).toMatchObject({ statusCode: 400, field: 'servers[0].gateway' });
  });
});

describe('GET and PATCH /api/v1/gateways', () => {
  it('lists gateways servers name that never announced themselves, with how many servers use each', async () => {
    await gw.api.post('/api/v1/servers', { name: 'uses-never', gateways: ['test-gw', 'never-1'] });
    const { body } = await gw.api.get('/api/v1/gateways');
    const byId = new Map(body.items.map((g: { id: string }) => [g.id, g]));
    expect(byId.get('never-1')).toEqual({
      id: 'never-1', version: null, address: null, registeredAt: null, lastSeenAt: null, online: false, state: 'never_seen',
      self: false, team: null, serverCount: 1,
    });
    expect(byId.get('test-gw')).toMatchObject({ state: 'online', online: true, self: true });
    expect((byId.get('test-gw') as { serverCount: number }).serverCount).toBeGreaterThan(0);
  });

  it('sets and clears the team of a gateway, seen or not; a bad team or name is a 400 naming it', async () => {
    const set = await gw.api.patch('/api/v1/gateways/never-1', { team: 'net-fra' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ id: 'never-1', team: 'net-fra', state: 'never_seen' });
    expect((await gw.api.patch('/api/v1/gateways/test-gw', { team: 'net-hq' })).body).toMatchObject({ id: 'test-gw', team: 'net-hq', self: true });
    const bad = await gw.api.patch('/api/v1/gateways/never-1', { team: 'has space' });
    expect(bad.body).toMatchObject({ statusCode: 400, field: 'team' });
    const badName = await gw.api.patch('/api/v1/gateways/-x', { team: 'a' });
    expect(badName.status).toBe(400);
    expect(badName.body.message).toContain('id');
    expect((await gw.api.patch('/api/v1/gateways/never-1', { team: null })).body.team).toBeNull();
    const listed = (await gw.api.get('/api/v1/gateways')).body.items.find((g: { id: string }) => g.id === 'test-gw');
    expect(listed.team).toBe('net-hq');
  });
});
