// The engine over a store it does not have to itself: a `full` change re-reads what another replica wrote without a
// word, and results wait in memory while the store does not answer, on SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { ConfigService } from '../../src/domain/config-service.js';
import { parseAllowlist } from '../../src/domain/targets.js';
import { ProbeEngine } from '../../src/engine/probe-engine.js';
import type { EngineLog } from '../../src/engine/outage.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createResolver } from '../../src/probing/resolve.js';
import type { CheckRequest, CheckResult } from '../../src/probing/types.js';
import { ConfigStore, StoreUnavailableError } from '../../src/store/index.js';
import { DIALECTS, NOW, freshLocation, probe, track } from '../helpers/stores.js';

const GATEWAY = 'engine-gw';

interface Logged { level: 'warn' | 'info'; msg: string }

async function engineOn(store: ConfigStore, logged: Logged[] = []) {
  const service = new ConfigService(store, { gatewayId: GATEWAY, allowlist: parseAllowlist(undefined) });
  const checks: CheckRequest[] = [];
  const log: EngineLog = {
    warn: (_obj, msg) => logged.push({ level: 'warn', msg }),
    info: (_obj, msg) => logged.push({ level: 'info', msg }),
  };
  const engine = new ProbeEngine({
    service,
    metrics: createMetrics({ gateway: GATEWAY }).probeMetrics,
    resolver: createResolver(),
    timeZone: 'UTC',
    maxInFlight: 4,
    persistIntervalMs: 100,
    log,
    check: async (request): Promise<CheckResult> => {
      checks.push(request);
      return { outcome: 'success', error: null, startedAt: Date.now(), dnsMs: null, connectMs: 0.3, actualHost: request.host, actualIpv4: request.host, actualAddress: request.host };
    },
  });
  return { service, engine, checks };
}

describe.each(DIALECTS)('the engine over a shared store (%s)', (dialect) => {
  it('on a full change, runs a probe another replica inserted and stops one it deleted, both unannounced', async () => {
    const location = await freshLocation(dialect);
    const store = track(await ConfigStore.open(location));
    const { service, engine } = await engineOn(store);
    const server = await service.createServer({ name: 'shared', gateways: [GATEWAY] }, 'tester');
    const kept = await service.createProbe(server.id, { name: 'kept', host: '127.0.0.1', port: 9, intervalSeconds: 3600 }, 'tester');
    const doomed = await service.createProbe(server.id, { name: 'doomed', host: '127.0.0.1', port: 10, intervalSeconds: 3600 }, 'tester');
    await engine.start();
    try {
      expect(engine.probeCount).toBe(2);
      // Another replica on the same database; nothing tells this engine.
      const other = track(await ConfigStore.open(location));
      const inserted = await other.probes.create(server.id, probe('inserted', { port: 11, intervalSeconds: 3600 }), 'tester', NOW);
      await other.probes.delete(doomed.id);
      service.announce({});
      await engine.settled();
      expect(engine.probeCount).toBe(2); // an empty change reads nothing

      service.announce({ full: true });
      await engine.settled();
      expect(engine.probeCount).toBe(2);
      const status = await engine.status();
      expect(status.map((s) => s.probe).sort()).toEqual(['inserted', 'kept']);
      // Scheduled here: only a probe this gateway runs has a next check.
      for (const id of [kept.id, inserted.id]) expect(status.find((s) => s.probeId === id)!.nextCheckAt).not.toBeNull();
    } finally {
      await engine.stop();
    }
  });

  it('keeps results while the store does not answer, saves them once it does, and warns once per outage', async () => {
    const store = track(await ConfigStore.open(await freshLocation(dialect)));
    const logged: Logged[] = [];
    const { service, engine, checks } = await engineOn(store, logged);
    const server = await service.createServer({ name: 'flaky', gateways: [GATEWAY] }, 'tester');
    await engine.start();
    let running = true;
    const probes = store.probes;
    const saveResults = probes.saveResults.bind(probes);
    let failures = 0;
    let failing = 3;
    probes.saveResults = async (results) => {
      if (failing-- > 0) {
        failures++;
        throw new StoreUnavailableError('connection refused');
      }
      return saveResults(results);
    };
    try {
      // An hourly probe: its check at once after saving is its only result, so it lands only if it was kept.
      const created = await service.createProbe(server.id, { name: 'once', host: '127.0.0.1', port: 9, intervalSeconds: 3600 }, 'tester');
      await expect.poll(async () => (await store.probes.get(created.id)).lastResult, { timeout: 5000, interval: 50 }).not.toBeNull();
      expect(checks.filter((c) => c.port === 9)).toHaveLength(1);
      expect(failures).toBe(3);
      expect(logged.map((l) => l.level)).toEqual(['warn', 'info']);
      expect(logged[0]!.msg).toMatch(/cannot save the latest check results/);

      // Down again when the engine stops: the last write fails with a warning, and stop() still resolves.
      failing = Infinity;
      await engine.runProbe(created.id);
      const stopping = engine.stop();
      running = false;
      await stopping;
      expect(logged.map((l) => l.level)).toEqual(['warn', 'info', 'warn']);
    } finally {
      if (running) await engine.stop();
    }
  });
});
