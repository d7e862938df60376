// A gateway's snapshot and an agent's copy of it, on SQLite and on PostgreSQL alike.
import { describe, expect, it } from 'vitest';
import { exportConfig } from '../../src/domain/config-document.js';
import type { ConfigService } from '../../src/domain/config-service.js';
import type { Server } from '../../src/schemas/server.js';
import type { ConfigStore, SnapshotDiff } from '../../src/store/index.js';
import { SnapshotRepository, type GatewaySnapshot } from '../../src/store/snapshots.js';
import type { Sql } from '../../src/store/sql/types.js';
import { DIALECTS, LATER, NOW, checkResult, openTestStore, probe, schedule, server } from '../helpers/stores.js';

/** A control plane with servers on edge-1 and elsewhere; one left edge-1 at NOW. */
async function controlPlane(plane: ConfigStore) {
  const office = await plane.schedules.create(schedule('office'), 'tester', NOW);
  await plane.schedules.create(schedule('unused'), 'tester', NOW);
  const erp = await plane.servers.create(server('erp', { gateways: ['edge-1', 'edge-2'] }), 'tester', NOW);
  const crm = await plane.servers.create(server('crm', { gateways: ['edge-1'] }), 'tester', NOW);
  const hr = await plane.servers.create(server('hr', { gateways: ['edge-3'] }), 'tester', NOW);
  const dispatcher = await plane.probes.create(erp.id, probe('dispatcher', { scheduleId: office.id }), 'tester', NOW);
  const portal = await plane.probes.create(crm.id, probe('portal'), 'tester', NOW);
  await plane.probes.create(hr.id, probe('payroll'), 'tester', NOW);
  await plane.servers.update(crm.id, server('crm', { gateways: ['edge-4'] }), undefined, 'tester', NOW);
  return { office, erp, crm, hr, dispatcher, portal };
}

/**
 * The snapshot as the first version computed it, from every row filtered in JS: what the SQL reads must give byte for
 * byte (the ETag agents poll with is a hash of it).
 */
async function snapshotFromEverything(store: ConfigStore, gateway: string, sinceIso: string): Promise<GatewaySnapshot> {
  const moves = await store.servers.movesInvolving(gateway, sinceIso);
  const leaving = new Set(moves.filter((m) => m.fromGateway === gateway).map((m) => m.serverId));
  const servers = (await store.servers.all()).filter((s) => s.gateways.includes(gateway) || leaving.has(s.id));
  const serverIds = new Set(servers.map((s) => s.id));
  const probes = (await store.probes.all()).filter((p) => serverIds.has(p.serverId))
    .map((p) => ({ ...p, actualHost: null, actualIpv4: null, actualIp: null, lastResult: null }));
  const scheduleIds = new Set(probes.map((p) => p.scheduleId));
  const schedules = (await store.schedules.all()).filter((s) => scheduleIds.has(s.id));
  const allLocations = await store.servers.locations();
  const locations = servers.flatMap((s) => (allLocations.get(s.id) ?? []).map((l) => ({ serverId: s.id, ...l })));
  return { gateway, servers, probes, schedules, moves: moves.filter((m) => serverIds.has(m.serverId)), locations };
}

const EARLIER = '2026-12-01T09:55:00.000Z';

/** Several gateways, servers with several locations, moves in and out at three times, names differing in case only. */
async function variedControlPlane(plane: ConfigStore) {
  const [office, night] = [await plane.schedules.create(schedule('office'), 'tester', NOW), await plane.schedules.create(schedule('Night'), 'tester', NOW)];
  await plane.schedules.create(schedule('unused'), 'tester', NOW);
  await plane.schedules.create(schedule('Also unused'), 'tester', NOW);
  const layout: [string, string[]][] = [
    ['zeta', ['edge-1']], ['Alpha', ['edge-2', 'edge-1']], ['alpha', ['edge-1', 'edge-3', 'edge-2']], ['beta', ['edge-3']],
    ['Gamma', ['edge-2']], ['delta', ['edge-1', 'edge-2']], ['Epsilon', ['edge-4']], ['eta', []],
  ];
  const servers: Server[] = [];
  for (const [name, gateways] of layout) servers.push(await plane.servers.create(server(name, { gateways }), 'tester', EARLIER));
  const probeNames = ['web', 'Api', 'api-2', 'DB', 'api', 'db-replica', 'Cache'];
  for (const [i, s] of servers.entries()) {
    for (const [j, name] of probeNames.slice(0, 1 + ((i * 5) % probeNames.length)).entries()) {
      const scheduleId = [office.id, null, night.id][(i + j) % 3]!;
      await plane.probes.create(s.id, probe(name, { scheduleId }), 'tester', EARLIER);
    }
  }
  const move = (index: number, gateways: string[], at: string) =>
    plane.servers.update(servers[index]!.id, server(layout[index]![0], { gateways }), undefined, 'tester', at);
  await move(0, ['edge-2'], EARLIER); // zeta left edge-1 before NOW: handed over
  await move(3, ['edge-1'], NOW); // beta came to edge-1
  await move(5, ['edge-3', 'edge-2'], NOW); // delta left edge-1
  await move(4, ['edge-1'], LATER); // Gamma left edge-2 for edge-1
  await move(4, ['edge-4'], LATER); // and went on: still handing over from both
  await plane.probes.saveResults([{ probeId: (await plane.probes.all())[0]!.id, result: checkResult('edge-1', NOW) }]);
  return servers;
}

/** `sql` with a hook after its first read, inside a transaction or not. */
function afterFirstRead(sql: Sql, hook: () => Promise<void>): Sql {
  let fired = false;
  const wrap = (inner: Sql): Sql => ({
    dialect: inner.dialect,
    all: async (text, params) => {
      const rows = await inner.all(text, params);
      if (!fired) { fired = true; await hook(); }
      return rows as never;
    },
    get: (text, params) => inner.get(text, params),
    value: (text, params) => inner.value(text, params),
    column: (text, params) => inner.column(text, params),
    run: (text, params) => inner.run(text, params),
    transaction: (work, options) => inner.transaction((tx) => work(wrap(tx)), options),
  });
  return wrap(sql);
}

/** `sql`, counting the rows its reads return. */
function countingRows(sql: Sql): { sql: Sql; rows: () => number } {
  let rows = 0;
  const wrap = (inner: Sql): Sql => ({
    dialect: inner.dialect,
    all: async (text, params) => { const r = await inner.all(text, params); rows += r.length; return r as never; },
    get: async (text, params) => { const r = await inner.get(text, params); rows += r === undefined ? 0 : 1; return r as never; },
    value: async (text, params) => { const r = await inner.value(text, params); rows += r === undefined ? 0 : 1; return r as never; },
    column: async (text, params) => { const r = await inner.column(text, params); rows += r.length; return r as never; },
    run: (text, params) => inner.run(text, params),
    transaction: (work, options) => inner.transaction((tx) => work(wrap(tx)), options),
  });
  return { sql: wrap(sql), rows: () => rows };
}

/** A snapshot repository reading through `sql`, its repositories too. */
const snapshotsOver = (sql: Sql) => new SnapshotRepository(sql);

const byId = (diff: SnapshotDiff) => ({ ...diff, serverIds: [...diff.serverIds].sort((a, b) => a - b) });

describe.each(DIALECTS)('snapshots on %s', (dialect) => {
  it("holds a gateway's servers, those handing over, their probes without results, schedules, moves and locations", async () => {
    const plane = await openTestStore(dialect);
    const { office, erp, crm, dispatcher, portal } = await controlPlane(plane);
    await plane.probes.saveResults([{ probeId: dispatcher.id, result: checkResult('edge-1', NOW) }]);

    const snapshot = await plane.snapshots.snapshotFor('edge-1', NOW);
    expect(snapshot.gateway).toBe('edge-1');
    expect(snapshot.servers.map((s) => s.name)).toEqual(['crm', 'erp']);
    expect(snapshot.probes.map((p) => p.id)).toEqual([dispatcher.id, portal.id]);
    expect(snapshot.probes.every((p) => p.lastResult === null && p.actualIpv4 === null)).toBe(true);
    expect(snapshot.schedules.map((s) => s.id)).toEqual([office.id]);
    expect(snapshot.moves).toEqual([{ serverId: crm.id, fromGateway: 'edge-1', toGateway: 'edge-4', movedAt: NOW }]);
    expect(snapshot.locations).toEqual([
      { serverId: crm.id, gateway: 'edge-4', slot: 0 },
      { serverId: erp.id, gateway: 'edge-1', slot: 0 },
      { serverId: erp.id, gateway: 'edge-2', slot: 1 },
    ]);
    // Moves before `movesSinceIso` are done handing over.
    expect((await plane.snapshots.snapshotFor('edge-1', LATER)).servers.map((s) => s.name)).toEqual(['erp']);
  });

  it('applies a snapshot with its ids, keeps results of remaining probes, and later creates get fresh ids', async () => {
    const plane = await openTestStore(dialect);
    const agent = await openTestStore(dialect);
    const { office, erp, crm, dispatcher, portal } = await controlPlane(plane);

    const first = await agent.snapshots.apply(await plane.snapshots.snapshotFor('edge-1', NOW));
    expect(byId(first)).toEqual({ serverIds: [erp.id, crm.id], removedProbeIds: [] });
    const copied = await agent.snapshots.snapshotFor('edge-1', NOW);
    expect(copied).toEqual(await plane.snapshots.snapshotFor('edge-1', NOW));
    await agent.probes.saveResults([{ probeId: dispatcher.id, result: checkResult('edge-1', LATER) }]);

    // The control plane drops crm's probe and the move; the agent follows, erp's results stay.
    await plane.servers.delete(crm.id);
    const second = await agent.snapshots.apply(await plane.snapshots.snapshotFor('edge-1', LATER));
    expect(byId(second)).toEqual({ serverIds: [erp.id, crm.id], removedProbeIds: [portal.id] });
    expect((await agent.servers.all()).map((s) => s.id)).toEqual([erp.id]);
    expect(await agent.servers.lastMove(crm.id)).toBeUndefined();
    expect((await agent.probes.get(dispatcher.id)).lastResult).toMatchObject({ checkedAt: LATER });

    // A store that copied ids hands out new ones above them.
    const fresh = await agent.servers.create(server('local'), 'tester', LATER);
    expect(fresh.id).toBeGreaterThan(Math.max(erp.id, crm.id));
    expect((await agent.probes.create(fresh.id, probe('local'), 'tester', LATER)).id).toBeGreaterThan(Math.max(dispatcher.id, portal.id));
    expect((await agent.schedules.create(schedule('local'), 'tester', LATER)).id).toBeGreaterThan(office.id);
  });

  it('applies all of a snapshot or nothing', async () => {
    const plane = await openTestStore(dialect);
    const agent = await openTestStore(dialect);
    await controlPlane(plane);
    await agent.snapshots.apply(await plane.snapshots.snapshotFor('edge-1', NOW));
    const before = await agent.snapshots.snapshotFor('edge-1', NOW);

    const broken = await plane.snapshots.snapshotFor('edge-1', NOW);
    // Two probes of one server with one name break the unique key half way through.
    broken.probes.push({ ...broken.probes[0]!, id: 9999 });
    broken.servers = broken.servers.filter((s) => s.name !== 'crm');
    await expect(agent.snapshots.apply(broken)).rejects.toThrow();
    expect(await agent.snapshots.snapshotFor('edge-1', NOW)).toEqual(before);
  });

  it('gives, byte for byte, the snapshot filtered from every row, for each gateway and move window', async () => {
    const plane = await openTestStore(dialect);
    await variedControlPlane(plane);
    let compared = 0;
    for (const gateway of ['edge-1', 'edge-2', 'edge-3', 'edge-4', 'nowhere']) {
      for (const since of [new Date(0).toISOString(), EARLIER, NOW, LATER, '2027-01-01T00:00:00.000Z']) {
        const snapshot = await plane.snapshots.snapshotFor(gateway, since);
        expect(JSON.stringify(snapshot)).toBe(JSON.stringify(await snapshotFromEverything(plane, gateway, since)));
        compared += snapshot.servers.length;
      }
    }
    // The fixture exercises what it means to: case-insensitive orders, moves out still handing over, unused schedules.
    const edge1 = await plane.snapshots.snapshotFor('edge-1', NOW);
    expect(edge1.servers.map((s) => s.name)).toEqual(['Alpha', 'alpha', 'beta', 'delta', 'Gamma']);
    expect(edge1.probes.some((p) => p.name === 'Api') && edge1.probes.some((p) => p.name === 'api-2')).toBe(true);
    expect(edge1.schedules.map((s) => s.name)).toEqual(['Night', 'office']);
    expect(edge1.moves.length).toBeGreaterThan(1);
    expect(compared).toBeGreaterThan(40);
  });

  it("reads only the gateway's share of the configuration", async () => {
    const plane = await openTestStore(dialect);
    const erp = await plane.servers.create(server('erp', { gateways: ['edge-1'] }), 'tester', NOW);
    await plane.probes.create(erp.id, probe('dispatcher'), 'tester', NOW);
    for (let i = 0; i < 150; i++) {
      const other = await plane.servers.create(server(`other-${i}`, { gateways: ['edge-2'] }), 'tester', NOW);
      await plane.probes.create(other.id, probe('web'), 'tester', NOW);
    }
    const counting = countingRows(plane.sql);
    const snapshot = await snapshotsOver(counting.sql).snapshotFor('edge-1', NOW);
    expect(snapshot.servers.map((s) => s.name)).toEqual(['erp']);
    expect(counting.rows()).toBeLessThan(20);
  });

  it('is read in one view: a change committed while it is read is wholly in or wholly out', async () => {
    const plane = await openTestStore(dialect);
    const { erp } = await controlPlane(plane);
    const before = await plane.snapshots.snapshotFor('edge-1', NOW);
    // erp moves from edge-1 to edge-5 right after the snapshot's first read (on PostgreSQL from another connection).
    let write: Promise<unknown> | undefined;
    const reading = snapshotsOver(afterFirstRead(plane.sql, async () => {
      write = plane.transaction((tx) => tx.servers.update(erp.id, server('erp', { gateways: ['edge-5', 'edge-2'] }), undefined, 'tester', NOW));
      // On SQLite the write waits for the snapshot's transaction; elsewhere it commits now.
      await Promise.race([write, new Promise((resolve) => setTimeout(resolve, 300))]);
    })).snapshotFor('edge-1', NOW);
    const snapshot = await reading;
    await write;
    const after = await plane.snapshots.snapshotFor('edge-1', NOW);
    expect(after.moves.map((m) => m.toGateway)).toContain('edge-5');
    expect([JSON.stringify(before), JSON.stringify(after)]).toContain(JSON.stringify(snapshot));
  });
});

/**
 * What exportConfig needs of a service: its store, here with a hook after the transaction's probes are read (between
 * its reads of schedules and probes and its read of servers).
 */
function exportingFrom(store: ConfigStore, afterProbes?: () => Promise<void>): ConfigService {
  const hooked = (tx: ConfigStore): ConfigStore => {
    if (!afterProbes) return tx;
    const probes = Object.create(tx.probes, {
      all: { value: async () => { const all = await tx.probes.all(); await afterProbes(); return all; } },
    }) as ConfigStore['probes'];
    return Object.create(tx, { probes: { value: probes } }) as ConfigStore;
  };
  const exporting = { transaction: ((work, options) => store.transaction((tx) => work(hooked(tx)), options)) as ConfigStore['transaction'] };
  return { store: exporting } as unknown as ConfigService;
}

describe.each(DIALECTS)('the configuration document on %s', (dialect) => {
  it('is exported in one view: a server created with its probe while it is read is wholly absent', async () => {
    const plane = await openTestStore(dialect);
    await controlPlane(plane);
    const before = await exportConfig(exportingFrom(plane));
    let write: Promise<unknown> | undefined;
    const document = await exportConfig(exportingFrom(plane, async () => {
      write = plane.transaction(async (tx) => {
        const late = await tx.servers.create(server('late', { gateways: ['edge-1'] }), 'tester', NOW);
        await tx.probes.create(late.id, probe('late-web'), 'tester', NOW);
      });
      // On SQLite the write waits for the export's transaction; on PostgreSQL it commits now, from another connection.
      await Promise.race([write, new Promise((resolve) => setTimeout(resolve, 300))]);
    }));
    await write;
    expect(document).toEqual(before);
    const after = await exportConfig(exportingFrom(plane));
    expect(after.servers?.find((s) => s.name === 'late')?.probes?.map((p) => p.name)).toEqual(['late-web']);
  });
});
