// A gateway's snapshot and an agent's copy of it, on SQLite and on PostgreSQL alike.
import { describe, expect, it } from 'vitest';
import type { ConfigStore, SnapshotDiff } from '../../src/store/index.js';
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
});
