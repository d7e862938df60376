// Servers, their locations and moves, on SQLite and on PostgreSQL alike.
import { describe, expect, it } from 'vitest';
import { DIALECTS, LATER, NOW, checkResult, openTestStore, probe, server } from '../helpers/stores.js';

describe.each(DIALECTS)('servers on %s', (dialect) => {
  it('creates, reads, finds by name and counts probes', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { site: 'fra', role: 'app', gateways: ['edge-1', 'edge-2'] }), 'alice', NOW);
    expect(erp).toMatchObject({ name: 'erp', site: 'fra', role: 'app', gateways: ['edge-1', 'edge-2'], enabled: true, probeCount: 0, version: 1, createdBy: 'alice', createdAt: NOW });
    await store.probes.create(erp.id, probe('dispatcher'), 'alice', NOW);
    expect((await store.servers.get(erp.id)).probeCount).toBe(1);
    expect((await store.servers.findByName('erp'))?.id).toBe(erp.id);
    expect(await store.servers.findByName('ERP')).toBeUndefined();
    await expect(store.servers.get(erp.id + 100)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('lists in case-insensitive name order with paging, filters and a literal, case-insensitive search', async () => {
    const store = await openTestStore(dialect);
    await store.servers.create(server('beta', { description: 'Reaches 50% of users' }), 'tester', NOW);
    await store.servers.create(server('Alpha', { site: 'fra' }), 'tester', NOW);
    await store.servers.create(server('gamma', { owner: 'Ops Team', gateways: ['edge-2'] }), 'tester', NOW);
    await store.servers.create(server('delta', { description: 'reaches 500 users', role: 'db' }), 'tester', NOW);

    const names = async (query: Parameters<typeof store.servers.list>[0]) => (await store.servers.list(query)).items.map((s) => s.name);
    expect(await names({})).toEqual(['Alpha', 'beta', 'delta', 'gamma']);
    expect((await store.servers.all()).map((s) => s.name)).toEqual(['Alpha', 'beta', 'delta', 'gamma']);
    const page = await store.servers.list({ limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.items.map((s) => s.name)).toEqual(['beta', 'delta']);
    // "50%" is text, not a pattern: "500" does not match it.
    expect(await names({ q: '50%' })).toEqual(['beta']);
    expect(await names({ q: 'REACHES' })).toEqual(['beta', 'delta']);
    expect(await names({ q: 'ops team' })).toEqual(['gamma']);
    expect(await names({ q: 'a_p' })).toEqual([]);
    expect(await names({ site: 'fra' })).toEqual(['Alpha']);
    expect(await names({ role: 'db' })).toEqual(['delta']);
    expect(await names({ gateway: 'edge-2' })).toEqual(['gamma']);
    expect((await store.servers.list({ q: 'reaches', limit: 1 })).total).toBe(2);
  });

  it('refuses a second server of the same name with 409 naming name', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp'), 'tester', NOW);
    const crm = await store.servers.create(server('crm'), 'tester', NOW);
    await expect(store.servers.create(server('erp'), 'tester', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });
    await expect(store.servers.update(crm.id, server('erp'), undefined, 'tester', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });
    expect((await store.servers.all()).map((s) => s.id)).toEqual([crm.id, erp.id]);
  });

  it('updates against the current version: stale is 409, missing is 404', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp'), 'alice', NOW);
    const updated = await store.servers.update(erp.id, server('erp', { description: 'ERP' }), 1, 'bob', LATER);
    expect(updated).toMatchObject({ version: 2, description: 'ERP', updatedBy: 'bob', updatedAt: LATER, createdBy: 'alice', createdAt: NOW });
    await expect(store.servers.update(erp.id, server('erp'), 1, 'bob', LATER)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'version' }] });
    expect((await store.servers.update(erp.id, server('erp', { enabled: false }), undefined, 'bob', LATER))).toMatchObject({ version: 3, enabled: false });
    await expect(store.servers.update(erp.id + 1, server('x'), undefined, 'bob', LATER)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('deletes a server with its probes, their results and its locations', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { gateways: ['edge-1', 'edge-2'] }), 'tester', NOW);
    const crm = await store.servers.create(server('crm'), 'tester', NOW);
    const a = await store.probes.create(erp.id, probe('a'), 'tester', NOW);
    const b = await store.probes.create(erp.id, probe('b'), 'tester', NOW);
    const kept = await store.probes.create(crm.id, probe('kept'), 'tester', NOW);
    await store.probes.saveResults([{ probeId: a.id, result: checkResult('edge-1', NOW) }, { probeId: kept.id, result: checkResult('edge-1', NOW) }]);

    expect(await store.servers.delete(erp.id)).toEqual({ probeIds: [a.id, b.id] });
    await expect(store.probes.get(a.id)).rejects.toMatchObject({ statusCode: 404 });
    expect(await store.sql.value('SELECT COUNT(*) FROM probe_results WHERE probe_id = ?', [a.id])).toBe(0);
    expect(await store.sql.value('SELECT COUNT(*) FROM server_gateways WHERE server_id = ?', [erp.id])).toBe(0);
    expect(await store.probes.latestResults(kept.id)).toHaveLength(1);
    await expect(store.servers.delete(erp.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('keeps locations with slots, records moves, and answers the latest move', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { gateways: ['edge-1', 'edge-2'] }), 'tester', NOW);
    const crm = await store.servers.create(server('crm', { gateways: ['edge-2'] }), 'tester', NOW);
    expect(await store.servers.locationsOf(erp.id)).toEqual([{ gateway: 'edge-1', slot: 0 }, { gateway: 'edge-2', slot: 1 }]);
    expect(await store.servers.slotOf(erp.id, 'edge-2')).toBe(1);
    expect(await store.servers.slotOf(erp.id, 'edge-9')).toBeUndefined();
    expect(await store.servers.gatewayUsage()).toEqual(new Map([['edge-1', 1], ['edge-2', 2]]));
    expect(await store.servers.lastMove(erp.id)).toBeUndefined();

    // edge-3 takes edge-1's slot; then, at the same time, edge-4 takes edge-3's: insertion order breaks the tie.
    await store.servers.update(erp.id, server('erp', { gateways: ['edge-3', 'edge-2'] }), undefined, 'tester', NOW);
    expect(await store.servers.locationsOf(erp.id)).toEqual([{ gateway: 'edge-3', slot: 0 }, { gateway: 'edge-2', slot: 1 }]);
    await store.servers.update(erp.id, server('erp', { gateways: ['edge-4', 'edge-2'] }), undefined, 'tester', NOW);
    expect(await store.servers.lastMove(erp.id)).toEqual({ serverId: erp.id, fromGateway: 'edge-3', toGateway: 'edge-4', movedAt: NOW });
    expect(await store.servers.lastMove(erp.id, 'edge-1')).toEqual({ serverId: erp.id, fromGateway: 'edge-1', toGateway: 'edge-3', movedAt: NOW });
    expect(await store.servers.lastMove(erp.id, 'edge-2')).toBeUndefined();
    await store.servers.update(erp.id, server('erp', { gateways: ['edge-1', 'edge-2'] }), undefined, 'tester', LATER);
    expect(await store.servers.lastMove(erp.id, 'edge-3')).toMatchObject({ fromGateway: 'edge-3', toGateway: 'edge-4' });
    expect(await store.servers.lastMove(erp.id, 'edge-1')).toEqual({ serverId: erp.id, fromGateway: 'edge-4', toGateway: 'edge-1', movedAt: LATER });

    expect((await store.servers.movesInvolving('edge-1', NOW)).map((m) => `${m.fromGateway}>${m.toGateway}@${m.movedAt}`))
      .toEqual([`edge-1>edge-3@${NOW}`, `edge-4>edge-1@${LATER}`]);
    expect(await store.servers.movesInvolving('edge-1', LATER)).toHaveLength(1);
    expect(await store.servers.locations()).toEqual(new Map([
      [erp.id, [{ gateway: 'edge-1', slot: 0 }, { gateway: 'edge-2', slot: 1 }]],
      [crm.id, [{ gateway: 'edge-2', slot: 0 }]],
    ]));
    await store.servers.writeLocations(crm.id, [{ gateway: 'edge-5', slot: 3 }]);
    expect((await store.servers.get(crm.id)).gateways).toEqual(['edge-5']);
    expect(await store.servers.slotOf(crm.id, 'edge-5')).toBe(3);
  });

  it('points servers at a renamed shared account', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { sharedAccount: 'svc' }), 'tester', NOW);
    const crm = await store.servers.create(server('crm', { sharedAccount: 'svc' }), 'tester', NOW);
    await store.servers.create(server('hr', { sharedAccount: 'other' }), 'tester', NOW);
    expect(await store.servers.renameSharedAccount('svc', 'service', 'bob', LATER)).toEqual([erp.id, crm.id]);
    expect(await store.servers.get(erp.id)).toMatchObject({ sharedAccount: 'service', version: 2, updatedBy: 'bob' });
    expect((await store.servers.findByName('hr'))).toMatchObject({ sharedAccount: 'other', version: 1 });
  });
});
