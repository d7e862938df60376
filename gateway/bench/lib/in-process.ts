// The gateway started in this process (test helper startTestGateway), with hooks that record every check and lag exactly.
import { rmSync } from 'node:fs';
import type { CheckResult } from '../../src/probing/types.js';
import { startTestGateway, type TestGateway } from '../../test/helpers/gateway.js';
import { onCleanup } from './cleanup.js';
import { Samples } from './stats.js';

export interface Recorder {
  /** Every scheduler lag (start minus due time, queue wait included), ms; the scheduler's clock is Date.now, so whole ms. */
  lag: Samples;
  /** Connect time of every successful check, ms. */
  connectMs: Samples;
  outcomes: Record<string, number>;
  /** Slots skipped because the probe's previous run had not finished or had not started (the scheduler could not keep up). */
  skipped: number;
  /** Each write of the latest results to SQLite (ProbeEngine.persist: every 30 s, in slices): its wall time and rows. */
  saves: { ms: number; rows: number }[];
  /** Probes that have finished at least one check. */
  ran: Set<string>;
  /** Forget what was recorded so far (start of a measuring window). */
  reset(): void;
}

/**
 * Wraps the gateway's ProbeMetrics instance methods: the engine calls `metrics.observeSchedulerLag(lagMs)` and
 * `metrics.record(id, result)` (and countMissedSlot) on that object for every check, so this sees exactly what /metrics aggregates.
 */
export function instrument(gateway: TestGateway): Recorder {
  const metrics = gateway.metrics.probeMetrics;
  const recorder: Recorder = {
    lag: new Samples(),
    connectMs: new Samples(),
    outcomes: {},
    skipped: 0,
    saves: [],
    ran: new Set(),
    reset() {
      recorder.lag.reset();
      recorder.connectMs.reset();
      recorder.outcomes = {};
      recorder.skipped = 0;
      recorder.saves = [];
    },
  };
  // The engine persists through the store's public saveResults; on SQLite the write itself runs on the event loop.
  const probes = gateway.service.store.probes;
  const saveResults = probes.saveResults.bind(probes);
  probes.saveResults = async (results) => {
    const batch = [...results];
    const started = performance.now();
    await saveResults(batch);
    if (recorder.saves.length < 100_000) recorder.saves.push({ ms: performance.now() - started, rows: batch.length });
  };
  const countMissedSlot = metrics.countMissedSlot.bind(metrics);
  metrics.countMissedSlot = (reason) => {
    if (reason !== 'late') recorder.skipped++;
    countMissedSlot(reason);
  };
  const observeSchedulerLag = metrics.observeSchedulerLag.bind(metrics);
  metrics.observeSchedulerLag = (lagMs: number) => {
    recorder.lag.push(lagMs);
    observeSchedulerLag(lagMs);
  };
  const record = metrics.record.bind(metrics);
  metrics.record = (probeId: string, result: CheckResult) => {
    recorder.ran.add(probeId);
    recorder.outcomes[result.outcome] = (recorder.outcomes[result.outcome] ?? 0) + 1;
    if (result.connectMs !== null) recorder.connectMs.push(result.connectMs);
    record(probeId, result);
  };
  return recorder;
}

/** A gateway in this process on a fresh SQLite file in a temp folder, disposed on exit whatever happens. */
export async function startInProcessGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const gateway = await startTestGateway({ GATEWAY_ID: 'bench-gw', ...env });
  // On a failed run the process exits without dispose(): the temp folder with its SQLite file still goes.
  const unregister = onCleanup('in-process gateway folder', () => rmSync(gateway.dir, { recursive: true, force: true }));
  return {
    ...gateway,
    async dispose() {
      unregister();
      await gateway.dispose();
    },
  };
}
