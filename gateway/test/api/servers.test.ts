// Probe servers through the real HTTP API and a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => { gw = await startTestGateway(); });
afterAll(async () => { await gw.dispose(); });

describe('probe servers', () => {
  it('creates a server with the documented defaults and audit fields', async () => {
    const { status, body } = await gw.api.post('/api/v1/servers', { name: 'erp-prod', role: 'production', site: 'fra' });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: 'erp-prod', role: 'production', site: 'fra', gateways: ['test-gw'], connectTimeoutMs: 2000, enabled: true,
      thresholds: [], owner: 'api', version: 1, createdBy: 'api', updatedBy: 'api', probeCount: 0,
    });
    expect(Date.parse(body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await gw.api.get(`/api/v1/servers/${body.id}`)).body).toEqual(body);
  });

  it('records the Grafana user, else the owner, as the editor', async () => {
    const viaGrafana = await gw.api.withHeaders({ 'X-Grafana-User': 'alice' }).post('/api/v1/servers', { name: 'by-alice' });
    expect(viaGrafana.body).toMatchObject({ createdBy: 'alice', owner: 'alice' });
    const viaOwner = await gw.api.post('/api/v1/servers', { name: 'by-bob', owner: 'bob' });
    expect(viaOwner.body).toMatchObject({ createdBy: 'bob', owner: 'bob' });
    const patched = await gw.api.withHeaders({ 'X-Grafana-User': 'carol' }).patch(`/api/v1/servers/${viaOwner.body.id}`, { site: 'ber' });
    expect(patched.body).toMatchObject({ createdBy: 'bob', updatedBy: 'carol', owner: 'bob', site: 'ber', version: 2 });
  });

  it('refuses a second server with the same name and keeps the first', async () => {
    const first = await gw.api.post('/api/v1/servers', { name: 'unique-one', site: 'a' });
    const second = await gw.api.post('/api/v1/servers', { name: 'unique-one', site: 'b' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ field: 'name' });
    expect((await gw.api.get(`/api/v1/servers/${first.body.id}`)).body.site).toBe('a');
  });

  it('replaces with PUT (left-out fields back to defaults) and patches with PATCH', async () => {
    const { body: created } = await gw.api.post('/api/v1/servers', { name: 'put-me', site: 'x', connectTimeoutMs: 3000 });
    const put = await gw.api.put(`/api/v1/servers/${created.id}`, { name: 'put-me', role: 'quality', version: 1 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ site: null, role: 'quality', connectTimeoutMs: 2000, version: 2 });
    const patch = await gw.api.patch(`/api/v1/servers/${created.id}`, { connectTimeoutMs: 1500 });
    expect(patch.body).toMatchObject({ role: 'quality', connectTimeoutMs: 1500, version: 3 });
  });

  it('answers 409 for a stale version and leaves the object as it was', async () => {
    const { body: created } = await gw.api.post('/api/v1/servers', { name: 'versioned' });
    await gw.api.patch(`/api/v1/servers/${created.id}`, { version: 1, site: 'first' });
    const stale = await gw.api.patch(`/api/v1/servers/${created.id}`, { version: 1, site: 'second' });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/changed by someone else/);
    expect(stale.body.field).toBe('version');
    expect((await gw.api.get(`/api/v1/servers/${created.id}`)).body).toMatchObject({ site: 'first', version: 2 });
  });

  it('lets exactly one of two concurrent updates with the same version win', async () => {
    const { body: created } = await gw.api.post('/api/v1/servers', { name: 'race' });
    const results = await Promise.all(['left', 'right'].map((site) => gw.api.patch(`/api/v1/servers/${created.id}`, { version: 1, site })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!.body.site;
    expect((await gw.api.get(`/api/v1/servers/${created.id}`)).body).toMatchObject({ site: winner, version: 2 });
  });

  it('filters by gateway, site, role and text, and pages', async () => {
    for (let i = 0; i < 7; i++) {
      await gw.api.post('/api/v1/servers', { name: `filter-${i}`, site: i % 2 ? 'odd-site' : 'even-site', role: i < 3 ? 'development' : 'production', gateway: i === 6 ? 'other-gw' : undefined, description: i === 4 ? 'the SAP dispatcher' : null });
    }
    const odd = await gw.api.get('/api/v1/servers?site=odd-site');
    expect(odd.body.items.map((s: any) => s.name)).toEqual(['filter-1', 'filter-3', 'filter-5']);
    const devOdd = await gw.api.get('/api/v1/servers?site=odd-site&role=development');
    expect(devOdd.body.items.map((s: any) => s.name)).toEqual(['filter-1']);
    expect((await gw.api.get('/api/v1/servers?gateway=other-gw')).body.items.map((s: any) => s.name)).toEqual(['filter-6']);
    expect((await gw.api.get('/api/v1/servers?q=sap%20disp')).body.items.map((s: any) => s.name)).toEqual(['filter-4']);
    const page = await gw.api.get('/api/v1/servers?q=filter-&limit=3&offset=3');
    expect(page.body).toMatchObject({ total: 7, limit: 3, offset: 3 });
    expect(page.body.items.map((s: any) => s.name)).toEqual(['filter-3', 'filter-4', 'filter-5']);
    const wildcard = await gw.api.get('/api/v1/servers?q=%25');
    expect(wildcard.body.total).toBe(0);
  });

  it('deletes a server together with its probes', async () => {
    const { body: server } = await gw.api.post('/api/v1/servers', { name: 'doomed' });
    const probeIds: number[] = [];
    for (let i = 0; i < 3; i++) probeIds.push((await gw.api.post(`/api/v1/servers/${server.id}/probes`, { name: `p${i}`, host: '127.0.0.1', port: 1000 + i })).body.id);
    expect((await gw.api.get(`/api/v1/servers/${server.id}`)).body.probeCount).toBe(3);
    const deleted = await gw.api.delete(`/api/v1/servers/${server.id}`);
    expect(deleted).toMatchObject({ status: 200, body: { deletedProbes: 3 } });
    expect((await gw.api.get(`/api/v1/servers/${server.id}`)).status).toBe(404);
    for (const id of probeIds) expect((await gw.api.get(`/api/v1/probes/${id}`)).status).toBe(404);
    expect((await gw.api.delete(`/api/v1/servers/${server.id}`)).status).toBe(404);
  });

  it('answers 404 naming the object for unknown ids', async () => {
    const missing = await gw.api.get('/api/v1/servers/999999');
    expect(missing).toMatchObject({ status: 404, body: { message: 'server 999999 does not exist' } });
    expect((await gw.api.patch('/api/v1/servers/999999', { site: 'x' })).status).toBe(404);
  });
});
