// Probes, their latest results and schedules, on SQLite and on PostgreSQL alike.
import { describe, expect, it } from 'vitest';
import { DIALECTS, LATER, NOW, checkResult, openTestStore, probe, schedule, server } from '../helpers/stores.js';

describe.each(DIALECTS)('probes on %s', (dialect) => {
  it('creates, reads, lists with paging and a literal, case-insensitive search', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { connectTimeoutMs: 1500 }), 'tester', NOW);
    const crm = await store.servers.create(server('crm'), 'tester', NOW);
    const dispatcher = await store.probes.create(erp.id, probe('dispatcher', { description: 'up 50% of the time', intervalSeconds: 30 }), 'alice', NOW);
    await store.probes.create(erp.id, probe('Archive', { host: 'ARCHIVE.example.com', enabled: false, timeoutMs: 900 }), 'alice', NOW);
    await store.probes.create(erp.id, probe('gateway', { description: 'up 500 days' }), 'alice', NOW);
    await store.probes.create(crm.id, probe('portal', { tls: { serverName: 'crm.example.com' } }), 'alice', NOW);

    expect(dispatcher).toMatchObject({ serverId: erp.id, name: 'dispatcher', effectiveTimeoutMs: 1500, enabled: true, version: 1, lastResult: null, createdBy: 'alice' });
    expect(await store.probes.get(dispatcher.id)).toEqual(dispatcher);
    await expect(store.probes.get(dispatcher.id + 100)).rejects.toMatchObject({ statusCode: 404 });

    const names = async (query: Parameters<typeof store.probes.list>[1]) => (await store.probes.list(erp.id, query)).items.map((p) => p.name);
    expect(await names({})).toEqual(['Archive', 'dispatcher', 'gateway']);
    expect(await store.probes.list(erp.id, { limit: 1, offset: 1 })).toMatchObject({ total: 3, limit: 1, offset: 1, items: [{ name: 'dispatcher' }] });
    expect(await names({ q: '50%' })).toEqual(['dispatcher']);
    expect(await names({ q: 'archive.EXAMPLE' })).toEqual(['Archive']);
    expect(await names({ enabled: false })).toEqual(['Archive']);
    expect(await names({ enabled: true, q: 'up' })).toEqual(['dispatcher', 'gateway']);
    expect((await store.probes.ofServer(erp.id)).map((p) => p.name)).toEqual(['Archive', 'dispatcher', 'gateway']);
    expect((await store.probes.all()).map((p) => p.name)).toEqual(['Archive', 'dispatcher', 'gateway', 'portal']);
    expect((await store.probes.get((await store.probes.ofServer(crm.id))[0]!.id)).tls).toMatchObject({ serverName: 'crm.example.com' });
    expect(await store.probes.shortestInheritingInterval(erp.id)).toBe(30);
    expect(await store.probes.shortestInheritingInterval(crm.id + 100)).toBeNull();
  });

  it('lists the probes a gateway runs through its servers locations', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { gateways: ['edge-1', 'edge-2'] }), 'tester', NOW);
    const crm = await store.servers.create(server('crm', { gateways: ['edge-2'] }), 'tester', NOW);
    await store.probes.create(erp.id, probe('dispatcher'), 'tester', NOW);
    await store.probes.create(crm.id, probe('portal'), 'tester', NOW);
    expect((await store.probes.all('edge-1')).map((p) => p.name)).toEqual(['dispatcher']);
    expect((await store.probes.all('edge-2')).map((p) => p.name)).toEqual(['dispatcher', 'portal']);
    expect(await store.probes.all('edge-9')).toEqual([]);
  });

  it('keeps names unique per server (409 naming name), versions updates, deletes', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp'), 'tester', NOW);
    const crm = await store.servers.create(server('crm'), 'tester', NOW);
    const a = await store.probes.create(erp.id, probe('a'), 'tester', NOW);
    await store.probes.create(erp.id, probe('b'), 'tester', NOW);
    await store.probes.create(crm.id, probe('a'), 'tester', NOW);
    await expect(store.probes.create(erp.id, probe('a'), 'tester', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });
    await expect(store.probes.update(a.id, probe('b'), 1, 'tester', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });

    expect(await store.probes.update(a.id, probe('a', { port: 443 }), 1, 'bob', LATER)).toMatchObject({ port: 443, version: 2, updatedBy: 'bob' });
    await expect(store.probes.update(a.id, probe('a'), 1, 'bob', LATER)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'version' }] });
    await expect(store.probes.update(a.id + 100, probe('a'), undefined, 'bob', LATER)).rejects.toMatchObject({ statusCode: 404 });
    await store.probes.delete(a.id);
    await expect(store.probes.delete(a.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await store.probes.ofServer(erp.id)).map((p) => p.name)).toEqual(['b']);
  });

  it('keeps each location its latest result and the probe the newest of all by checkedAt', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { gateways: ['edge-1', 'edge-2'] }), 'tester', NOW);
    const p = await store.probes.create(erp.id, probe('dispatcher'), 'tester', NOW);
    const gone = await store.probes.create(erp.id, probe('gone'), 'tester', NOW);
    await store.probes.delete(gone.id);

    const newer = checkResult('edge-1', LATER, { outcome: 'success', available: true, error: null, actualHost: 'erp.example.com' });
    // A result of a probe deleted since its check is dropped, not an error; a transcript is not kept.
    await store.probes.saveResults([
      { probeId: p.id, result: { ...newer, transcript: [{ atMs: 1, direction: 'sent', text: 'hello' }] } },
      { probeId: gone.id, result: checkResult('edge-1', LATER) },
    ]);
    // edge-2's result is older: it is edge-2's latest, not the probe's.
    await store.probes.saveResults([{ probeId: p.id, result: checkResult('edge-2', NOW, { actualIpv4: '127.0.0.2' }) }]);

    const stored = await store.probes.get(p.id);
    expect(stored.lastResult).toEqual(newer);
    expect(stored).toMatchObject({ actualHost: 'erp.example.com', actualIpv4: '127.0.0.1', version: 1 });
    expect(await store.probes.latestResults(p.id)).toEqual([newer, checkResult('edge-2', NOW, { actualIpv4: '127.0.0.2' })]);

    // A newer one from edge-2 replaces both its own and the probe's; an empty batch changes nothing.
    const newest = checkResult('edge-2', '2026-12-01T10:06:00.000Z', { actualIpv4: '127.0.0.3' });
    await store.probes.saveResults([{ probeId: p.id, result: newest }]);
    await store.probes.saveResults([]);
    expect((await store.probes.get(p.id))).toMatchObject({ lastResult: newest, actualIpv4: '127.0.0.3', actualHost: 'erp.example.com' });
    expect(await store.probes.latestResults(p.id)).toEqual([newer, newest]);
  });
});

describe.each(DIALECTS)('reading many probes at once on %s', (dialect) => {
  it('reads probes by id, leaving out unknown ids and repeats', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { connectTimeoutMs: 1500 }), 'tester', NOW);
    const crm = await store.servers.create(server('crm'), 'tester', NOW);
    const a = await store.probes.create(erp.id, probe('a', { tls: { serverName: 'erp.example.com' } }), 'tester', NOW);
    await store.probes.create(erp.id, probe('b'), 'tester', NOW);
    const c = await store.probes.create(crm.id, probe('c'), 'tester', NOW);
    const found = await store.probes.byIds([c.id, a.id, c.id, a.id + 1000]);
    expect([...found.keys()].sort()).toEqual([a.id, c.id].sort());
    expect(found.get(a.id)).toEqual(await store.probes.get(a.id));
    expect(found.get(c.id)).toEqual(await store.probes.get(c.id));
    expect(await store.probes.byIds([])).toEqual(new Map());
  });

  it('reads the latest results of several probes in latestResults order, [] for those without', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { gateways: ['edge-1', 'edge-2', 'edge-3'] }), 'tester', NOW);
    const p = await store.probes.create(erp.id, probe('p'), 'tester', NOW);
    const q = await store.probes.create(erp.id, probe('q'), 'tester', NOW);
    const none = await store.probes.create(erp.id, probe('none'), 'tester', NOW);
    // Saved out of gateway order: the read orders by gateway as latestResults does.
    await store.probes.saveResults([
      { probeId: p.id, result: checkResult('edge-3', NOW) },
      { probeId: q.id, result: checkResult('edge-2', LATER, { actualIpv4: '127.0.0.2' }) },
      { probeId: p.id, result: checkResult('edge-1', LATER) },
      { probeId: p.id, result: checkResult('edge-2', NOW, { outcome: 'refused', available: false }) },
    ]);
    const read = await store.probes.latestResultsOf([q.id, p.id, none.id, p.id, none.id + 1000]);
    expect([...read.keys()].sort()).toEqual([p.id, q.id, none.id, none.id + 1000].sort());
    expect(read.get(p.id)).toEqual(await store.probes.latestResults(p.id));
    expect(read.get(p.id)!.map((r) => r.gateway)).toEqual(['edge-1', 'edge-2', 'edge-3']);
    expect(read.get(q.id)).toEqual([checkResult('edge-2', LATER, { actualIpv4: '127.0.0.2' })]);
    expect(read.get(none.id)).toEqual([]);
    expect(read.get(none.id + 1000)).toEqual([]);
    expect(await store.probes.latestResultsOf([])).toEqual(new Map());
  });

  it('reads lists longer than one query takes', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp'), 'tester', NOW);
    await store.sql.run(`
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
      INSERT INTO probes (server_id, name, interval_seconds, host, port, enabled, thresholds_json, version, created_at, created_by, updated_at, updated_by)
      SELECT ${erp.id}, 'bulk-' || i, 30, '127.0.0.1', 9, 1, '[]', 1, '${NOW}', 'tester', '${NOW}', 'tester' FROM n`);
    await store.sql.run(`INSERT INTO probe_results (probe_id, gateway, result_json) SELECT id, 'edge-1', CAST(? AS TEXT) FROM probes WHERE id % 3 = 0`,
      [JSON.stringify(checkResult('edge-1', NOW))]);
    const ids = (await store.probes.all()).map((p) => p.id);
    expect(ids).toHaveLength(12000);

    const probes = await store.probes.byIds([...ids, ...ids]);
    expect(probes.size).toBe(12000);
    expect(ids.every((id) => probes.get(id)?.id === id)).toBe(true);
    const results = await store.probes.latestResultsOf(ids);
    expect(results.size).toBe(12000);
    expect(ids.every((id) => results.get(id)!.length === (id % 3 === 0 ? 1 : 0))).toBe(true);
    expect(results.get(ids.find((id) => id % 3 === 0)!)).toEqual([checkResult('edge-1', NOW)]);
  });
});

describe.each(DIALECTS)('saving results on %s', (dialect) => {
  const AT = (minute: number) => `2026-12-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

  async function twoLocations() {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp', { gateways: ['edge-1', 'edge-2'] }), 'tester', NOW);
    return { store, erp, p: await store.probes.create(erp.id, probe('dispatcher'), 'tester', NOW) };
  }

  it('keeps the newer of two results of one location in one batch', async () => {
    const { store, p } = await twoLocations();
    const older = checkResult('edge-1', AT(1), { actualIpv4: '127.0.0.1' });
    const newer = checkResult('edge-1', AT(2), { actualIpv4: '127.0.0.2' });
    await store.probes.saveResults([{ probeId: p.id, result: older }, { probeId: p.id, result: newer }]);
    expect(await store.probes.latestResults(p.id)).toEqual([newer]);
    expect(await store.probes.get(p.id)).toMatchObject({ lastResult: newer, actualIpv4: '127.0.0.2' });
  });

  it('writes the other results of a batch with one of a deleted probe', async () => {
    const { store, erp, p } = await twoLocations();
    const gone = await store.probes.create(erp.id, probe('gone'), 'tester', NOW);
    const other = await store.probes.create(erp.id, probe('other'), 'tester', NOW);
    await store.probes.delete(gone.id);
    await store.probes.saveResults([
      { probeId: p.id, result: checkResult('edge-1', AT(1)) },
      { probeId: gone.id, result: checkResult('edge-1', AT(1)) },
      { probeId: other.id, result: checkResult('edge-2', AT(2)) },
    ]);
    expect((await store.probes.get(p.id)).lastResult).toEqual(checkResult('edge-1', AT(1)));
    expect(await store.probes.latestResults(other.id)).toEqual([checkResult('edge-2', AT(2))]);
    expect(await store.probes.latestResults(gone.id)).toEqual([]);
  });

  it('does not let an older result replace the newer latest, in one batch or the next', async () => {
    const { store, p } = await twoLocations();
    const newer = checkResult('edge-1', AT(5), { actualIpv4: '127.0.0.5' });
    await store.probes.saveResults([{ probeId: p.id, result: newer }, { probeId: p.id, result: checkResult('edge-2', AT(3), { actualIpv4: '127.0.0.3' }) }]);
    await store.probes.saveResults([{ probeId: p.id, result: checkResult('edge-2', AT(4), { actualIpv4: '127.0.0.4' }) }]);
    expect(await store.probes.get(p.id)).toMatchObject({ lastResult: newer, actualIpv4: '127.0.0.5' });
    // Each location keeps its own, older or not.
    expect(await store.probes.latestResults(p.id)).toEqual([newer, checkResult('edge-2', AT(4), { actualIpv4: '127.0.0.4' })]);
  });

  it('keeps the stored actual host where the newer result has none, and no transcript', async () => {
    const { store, p } = await twoLocations();
    await store.probes.saveResults([{ probeId: p.id, result: checkResult('edge-1', AT(1), { actualHost: 'erp.example.com' }) }]);
    const plain = checkResult('edge-1', AT(2), { actualHost: null, actualIp: null, actualAddress: '127.0.0.9' });
    await store.probes.saveResults([{ probeId: p.id, result: { ...plain, transcript: [{ atMs: 1, direction: 'sent', text: 'EHLO' }] } }]);
    // A result without actualIp (from an older agent) gives its actualAddress.
    expect(await store.probes.get(p.id)).toMatchObject({ lastResult: { checkedAt: AT(2), actualHost: null }, actualHost: 'erp.example.com', actualIp: '127.0.0.9' });
    expect(await store.probes.latestResults(p.id)).toMatchObject([{ checkedAt: AT(2) }]);
    expect(JSON.stringify(await store.probes.latestResults(p.id))).not.toContain('transcript');
  });

  it('takes an actual host from an earlier result of the batch only when it was newer than the stored one', async () => {
    const { store, erp, p } = await twoLocations();
    const q = await store.probes.create(erp.id, probe('portal'), 'tester', NOW);
    await store.probes.saveResults([
      { probeId: p.id, result: checkResult('edge-1', AT(1), { actualHost: 'stored.example.com' }) },
      { probeId: q.id, result: checkResult('edge-1', AT(3), { actualHost: 'stored.example.com' }) },
    ]);
    // Row by row: edge-1's result at :02 replaces p's newest (host given), edge-2's at :04 then too (no host);
    // for q, stored at :03, the one at :02 is too old and its host with it.
    await store.probes.saveResults([p.id, q.id].flatMap((probeId) => [
      { probeId, result: checkResult('edge-1', AT(2), { actualHost: 'batch.example.com' }) },
      { probeId, result: checkResult('edge-2', AT(4), { actualHost: null }) },
    ]));
    expect(await store.probes.get(p.id)).toMatchObject({ lastResult: checkResult('edge-2', AT(4)), actualHost: 'batch.example.com' });
    expect(await store.probes.get(q.id)).toMatchObject({ lastResult: checkResult('edge-2', AT(4)), actualHost: 'stored.example.com' });
  });

  it('writes a batch larger than one statement takes', async () => {
    const { store, erp } = await twoLocations();
    await store.sql.run(`
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5200)
      INSERT INTO probes (server_id, name, interval_seconds, host, port, enabled, thresholds_json, version, created_at, created_by, updated_at, updated_by)
      SELECT ${erp.id}, 'bulk-' || i, 30, '127.0.0.1', 9, 1, '[]', 1, '${NOW}', 'tester', '${NOW}', 'tester' FROM n`);
    const ids = (await store.probes.all()).map((p) => p.id);
    expect(ids).toHaveLength(5201);
    await store.probes.saveResults(ids.map((probeId) => ({ probeId, result: checkResult('edge-1', AT(1), { actualIpv4: `10.0.0.${probeId % 250}` }) })));
    const probes = await store.probes.all();
    expect(probes.filter((p) => p.lastResult?.checkedAt === AT(1) && p.actualIpv4 === `10.0.0.${p.id % 250}`)).toHaveLength(5201);
    expect(await store.sql.value<number>('SELECT COUNT(*) FROM probe_results')).toBe(5201);
  });
});

describe.each(DIALECTS)('schedules on %s', (dialect) => {
  it('creates, reads, lists, searches and finds by name', async () => {
    const store = await openTestStore(dialect);
    const office = await store.schedules.create(schedule('office', { description: 'Office hours, 100% staffed', exclusions: ['2026-12-25'] }), 'alice', NOW);
    await store.schedules.create(schedule('Nights'), 'alice', NOW);
    await store.schedules.create(schedule('weekend', { description: '1000 hours' }), 'alice', NOW);
    expect(office).toMatchObject({ name: 'office', timeZone: 'UTC', exclusions: ['2026-12-25'], windows: [{ days: ['mon'], begin: '08:00', end: '17:00' }], version: 1 });
    expect(await store.schedules.get(office.id)).toEqual(office);
    await expect(store.schedules.get(office.id + 100)).rejects.toMatchObject({ statusCode: 404 });
    expect(await store.schedules.exists(office.id)).toBe(true);
    expect(await store.schedules.exists(office.id + 100)).toBe(false);
    expect((await store.schedules.findByName('office'))?.id).toBe(office.id);
    expect(await store.schedules.findByName('nope')).toBeUndefined();

    const names = async (query: Parameters<typeof store.schedules.list>[0]) => (await store.schedules.list(query)).items.map((s) => s.name);
    expect(await names({})).toEqual(['Nights', 'office', 'weekend']);
    expect((await store.schedules.all()).map((s) => s.name)).toEqual(['Nights', 'office', 'weekend']);
    expect(await store.schedules.list({ limit: 1, offset: 2 })).toMatchObject({ total: 3, items: [{ name: 'weekend' }] });
    expect(await names({ q: '100%' })).toEqual(['office']);
    expect(await names({ q: 'NIGHT' })).toEqual(['Nights']);
  });

  it('refuses duplicate names and stale versions, and a delete while probes use it', async () => {
    const store = await openTestStore(dialect);
    const office = await store.schedules.create(schedule('office'), 'tester', NOW);
    const spare = await store.schedules.create(schedule('spare'), 'tester', NOW);
    await expect(store.schedules.create(schedule('office'), 'tester', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });
    await expect(store.schedules.update(spare.id, schedule('office'), undefined, 'tester', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });
    expect(await store.schedules.update(office.id, schedule('office', { timeZone: 'Europe/Berlin' }), 1, 'bob', LATER)).toMatchObject({ timeZone: 'Europe/Berlin', version: 2 });
    await expect(store.schedules.update(office.id, schedule('office'), 1, 'bob', LATER)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'version' }] });
    await expect(store.schedules.update(office.id + 100, schedule('x'), undefined, 'bob', LATER)).rejects.toMatchObject({ statusCode: 404 });

    const erp = await store.servers.create(server('erp'), 'tester', NOW);
    await store.probes.create(erp.id, probe('a', { scheduleId: office.id }), 'tester', NOW);
    await store.probes.create(erp.id, probe('b', { scheduleId: office.id }), 'tester', NOW);
    expect(await store.probes.countUsingSchedule(office.id)).toBe(2);
    await expect(store.schedules.delete(office.id)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('2 probe(s)') });
    await store.schedules.delete(spare.id);
    await expect(store.schedules.delete(spare.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await store.schedules.all()).map((s) => s.name)).toEqual(['office']);
  });
});
