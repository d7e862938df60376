// The engine's reads of the store for a status and for an agent's reports: a few queries however many probes (each
// query is a round trip to PostgreSQL), with the same answers as reading probe by probe, on SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { ConfigService } from '../../src/domain/config-service.js';
import { parseAllowlist } from '../../src/domain/targets.js';
import { ProbeEngine, type ProbeReport } from '../../src/engine/probe-engine.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createResolver } from '../../src/probing/resolve.js';
import type { CheckResult } from '../../src/probing/types.js';
import type { CheckResultView } from '../../src/schemas/check.js';
import type { ConfigStore } from '../../src/store/index.js';
import type { Sql } from '../../src/store/sql/types.js';
import { DIALECTS, LATER, NOW, checkResult, openTestStore } from '../helpers/stores.js';

const GATEWAY = 'reads-gw';
const PROBES_PER_SERVER = 12;

/** Counts the queries that read (not the writes, which go through transactions) on the store's connection. */
function countReads(sql: Sql): { readonly count: number; reset(): void } {
  let count = 0;
  for (const method of ['all', 'get', 'value', 'column'] as const) {
    const read = sql[method].bind(sql) as (...args: unknown[]) => Promise<unknown>;
    (sql as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      count++;
      return read(...args);
    };
  }
  return { get count() { return count; }, reset() { count = 0; } };
}

async function engineOn(store: ConfigStore) {
  const service = new ConfigService(store, { gatewayId: GATEWAY, allowlist: parseAllowlist(undefined) });
  const engine = new ProbeEngine({
    service,
    metrics: createMetrics({ gateway: GATEWAY }).probeMetrics,
    resolver: createResolver(),
    timeZone: 'UTC',
    maxInFlight: 4,
    persistIntervalMs: 3_600_000,
    check: async (request): Promise<CheckResult> =>
      ({ outcome: 'refused', error: 'connection refused', startedAt: Date.now(), dnsMs: null, connectMs: 0.2, actualHost: null, actualIpv4: request.host, actualAddress: request.host }),
  });
  return { service, engine };
}

async function probesOn(service: ConfigService, name: string, gateways: string[]): Promise<{ serverId: number; probeIds: number[] }> {
  const server = await service.createServer({ name, gateways }, 'tester');
  const probeIds: number[] = [];
  for (let i = 0; i < PROBES_PER_SERVER; i++) {
    probeIds.push((await service.createProbe(server.id, { name: `${name}-${i}`, host: '127.0.0.1', port: 9, intervalSeconds: 3600 }, 'tester')).id);
  }
  return { serverId: server.id, probeIds };
}

describe.each(DIALECTS)('the engine reading the store (%s)', (dialect) => {
  it('answers a status with the stored results of each location in a few reads, however many probes', async () => {
    const store = await openTestStore(dialect);
    const { service, engine } = await engineOn(store);
    // Run here and at two other locations; at two others and not here; at one other only.
    const shared = await probesOn(service, 'shared', [GATEWAY, 'edge-2', 'edge-3']);
    const remote = await probesOn(service, 'remote', ['edge-2', 'edge-3']);
    const single = await probesOn(service, 'single', ['edge-2']);
    const results: { probeId: number; result: CheckResultView }[] = [];
    shared.probeIds.forEach((probeId, i) => {
      results.push({ probeId, result: checkResult('edge-3', NOW, { connectMs: i }) });
      if (i % 2 === 0) results.push({ probeId, result: checkResult('edge-2', LATER, { outcome: 'success', available: true, error: null }) });
    });
    remote.probeIds.forEach((probeId, i) => {
      // Some only from a former location (no longer shown), some from a current one too.
      results.push({ probeId, result: checkResult('edge-9', LATER) });
      if (i % 3 === 0) results.push({ probeId, result: checkResult('edge-2', NOW, { connectMs: i }) });
    });
    single.probeIds.forEach((probeId, i) => {
      // Newest from the only location (answered by the probe's own latest result), or from a former one.
      results.push({ probeId, result: checkResult('edge-2', i % 2 === 0 ? LATER : NOW, { connectMs: i }) });
      if (i % 2 === 1) results.push({ probeId, result: checkResult('edge-9', LATER) });
    });
    await store.probes.saveResults(results);
    await engine.start();
    try {
      const reads = countReads(store.sql);
      const status = await engine.status();
      // Probes, servers, schedules, gateways, and the stored results of the probes that need them.
      expect(reads.count).toBeLessThanOrEqual(5);
      expect(status).toHaveLength(3 * PROBES_PER_SERVER);

      // Each other location shows its own latest stored result, as read probe by probe.
      for (const item of status) {
        const stored = await store.probes.latestResults(item.probeId);
        for (const location of item.locations.filter((l) => l.gateway !== GATEWAY)) {
          expect(location.lastResult).toEqual(stored.find((r) => r.gateway === location.gateway) ?? null);
        }
        expect(item.locations.map((l) => l.gateway)).not.toContain('edge-9');
      }
      const byId = new Map(status.map((s) => [s.probeId, s]));
      const shown = (probeId: number, gateway: string) => byId.get(probeId)!.locations.find((l) => l.gateway === gateway)!.lastResult;
      expect(shown(shared.probeIds[0]!, 'edge-2')).toMatchObject({ outcome: 'success', checkedAt: LATER });
      expect(shown(shared.probeIds[1]!, 'edge-2')).toBeNull();
      expect(shown(shared.probeIds[1]!, 'edge-3')).toMatchObject({ connectMs: 1, checkedAt: NOW });
      expect(shown(remote.probeIds[3]!, 'edge-2')).toMatchObject({ connectMs: 3 });
      expect(shown(remote.probeIds[1]!, 'edge-2')).toBeNull();
      expect(shown(single.probeIds[2]!, 'edge-2')).toMatchObject({ connectMs: 2, checkedAt: LATER });
      expect(shown(single.probeIds[3]!, 'edge-2')).toMatchObject({ connectMs: 3, checkedAt: NOW });

      // One server's, one location's and one probe's status read as few.
      for (const filter of [{ serverId: remote.serverId }, { gateway: 'edge-3' }, { probeId: remote.probeIds[3]! }]) {
        reads.reset();
        const part = await engine.status(filter);
        expect(reads.count).toBeLessThanOrEqual(5);
        // With a gateway, the summary is of that location alone; the locations are the same.
        for (const item of part) expect(item.locations).toEqual(byId.get(item.probeId)!.locations);
        expect(part.length).toBeGreaterThan(0);
      }
      expect((await engine.status({ gateway: 'edge-3' })).map((s) => s.probeId).sort()).toEqual([...shared.probeIds, ...remote.probeIds].sort());
    } finally {
      await engine.stop();
    }
  });

  it('accepts an agent\'s reports in a few reads, skipping deleted probes and servers it is no location of', async () => {
    const store = await openTestStore(dialect);
    const { service, engine } = await engineOn(store);
    const ours = await probesOn(service, 'ours', ['edge-2', 'edge-3']);
    const theirs = await probesOn(service, 'theirs', ['edge-3']);
    const moving = await probesOn(service, 'moving', ['edge-2']);
    // A location replaced by another: edge-2 hands the server over and its reports still count for a while.
    await service.patchServer(moving.serverId, { gateways: ['edge-3'] }, 'tester');
    const deleted = ours.probeIds[PROBES_PER_SERVER - 1]!;
    await service.deleteProbe(deleted);
    const report = (probeId: number, i: number) => ({ probeId, active: i % 2 === 0, result: checkResult('edge-x', LATER, { connectMs: probeId }) });
    const reports: ProbeReport[] = [...ours.probeIds, ...theirs.probeIds, ...moving.probeIds, 999_999].map(report);
    // One without a result only reports its window.
    reports.push({ probeId: ours.probeIds[0]!, active: false, result: null });

    const reads = countReads(store.sql);
    const accepted = await engine.acceptReports('edge-2', reports);
    // The reported probes, the servers and the recent moves.
    expect(reads.count).toBeLessThanOrEqual(3);
    // Ours but the deleted one, the moving server's, and the report without a result.
    expect(accepted).toBe(PROBES_PER_SERVER - 1 + PROBES_PER_SERVER + 1);
    for (const probeId of [...ours.probeIds.slice(0, -1), ...moving.probeIds]) {
      // Kept as edge-2's, whatever gateway the report names.
      expect(await store.probes.latestResults(probeId)).toEqual([checkResult('edge-2', LATER, { connectMs: probeId })]);
    }
    for (const probeId of [...theirs.probeIds, deleted]) expect(await store.probes.latestResults(probeId)).toEqual([]);
    // The window state of a location comes from its reports: the later report of the first probe said not active.
    const status = await engine.status({ probeId: ours.probeIds[0]! });
    expect(status[0]!.locations.find((l) => l.gateway === 'edge-2')).toMatchObject({ inWindow: false });
    expect(status[0]!.locations.find((l) => l.gateway === 'edge-3')?.inWindow).toBe(true);

    reads.reset();
    expect(await engine.acceptReports('edge-2', [])).toBe(0);
    expect(await engine.acceptReports('edge-2', [report(999_998, 0)])).toBe(0);
    expect(reads.count).toBeLessThanOrEqual(1);
  });
});
