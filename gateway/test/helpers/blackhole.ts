// A site gone dark beside healthy targets, on a gateway in this process: many probes against a port that drops SYNs,
// some against a listener that answers; measures whether the healthy ones keep their slots, and the fds and RSS.
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fleetDocument } from '../../bench/lib/config-doc.js';
import { phaseOffsetMs } from '../../src/probing/scheduler.js';
import type { TestGateway } from './gateway.js';

export interface BlackholeOptions {
  /** Probes against `darkPort` (SYNs dropped), at `darkIntervalSeconds` with `darkTimeoutMs`. */
  dark: number;
  darkPort: number;
  darkIntervalSeconds: number;
  darkTimeoutMs: number;
  /** Probes against listeners that accept (spread over `healthyTargets`), every second. */
  healthy: number;
  healthyTargets: { host: string; port: number }[];
  /** Time before measuring: the dark probes' first checks time out and the queue learns they are silent. */
  warmupMs: number;
  measureMs: number;
}

export interface BlackholeReport {
  /** Slots of the healthy probes due in the window, and how many of them started. */
  healthySlots: number;
  healthyStarted: number;
  /** Start minus due time of every healthy check due in the window, sorted, ms. */
  healthyLagsMs: number[];
  darkStarted: number;
  darkLagsMs: number[];
  /** The gateway's missed-slot counters over the window (tcpprobe_scheduler_skipped_total by reason). */
  missed: Record<string, number>;
  fdsBefore: number;
  fdsMax: number;
  rssBeforeBytes: number;
  rssMaxBytes: number;
  /** Most checks in flight seen (sampled every 250 ms). */
  inFlightMax: number;
  /**
   * The event loop's own delay over the window, p99 in ms (perf_hooks, 10 ms resolution): a floor under every lag,
   * as high as it is when other processes keep this one off the CPU.
   */
  loopDelayP99Ms: number;
  /** Its longest delay, ms. */
  loopDelayMaxMs: number;
}

export const openFds = (): number => readdirSync('/proc/self/fd').length;

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Slots of a probe (phase on its interval) due in [fromMs, toMs). */
function slotsIn(probeId: number, intervalMs: number, fromMs: number, toMs: number): number {
  const phase = phaseOffsetMs(String(probeId), intervalMs);
  return Math.ceil((toMs - phase) / intervalMs) - Math.ceil((fromMs - phase) / intervalMs);
}

async function missedSlots(gateway: TestGateway): Promise<Record<string, number>> {
  const text = await gateway.metrics.render();
  const missed: Record<string, number> = {};
  for (const match of text.matchAll(/^tcpprobe_scheduler_skipped_total\{[^}]*reason="(\w+)"[^}]*\} (\S+)$/gm)) missed[match[1]!] = Number(match[2]);
  return missed;
}

export async function runBlackhole(gateway: TestGateway, options: BlackholeOptions): Promise<BlackholeReport> {
  const fdsBefore = openFds();
  const rssBeforeBytes = process.memoryUsage.rss();
  const document = fleetDocument({
    probes: options.dark, intervalSeconds: options.darkIntervalSeconds, timeoutMs: options.darkTimeoutMs,
    targets: [{ host: '127.0.0.1', port: options.darkPort }], prefix: 'dark',
  });
  const healthy = fleetDocument({ probes: options.healthy, intervalSeconds: 1, timeoutMs: 500, targets: options.healthyTargets, prefix: 'healthy' });
  document.servers!.push(...healthy.servers!);
  const imported = await gateway.api.post('/api/v1/import', document);
  if (imported.status !== 200) throw new Error(`import answered ${imported.status}: ${JSON.stringify(imported.body).slice(0, 300)}`);
  const healthyTargets = new Set(options.healthyTargets.map((t) => `${t.host}:${t.port}`));
  const healthyIds = new Set((await gateway.engine.status()).filter((s) => healthyTargets.has(s.target)).map((s) => s.probeId));
  if (healthyIds.size !== options.healthy) throw new Error(`expected ${options.healthy} healthy probes, found ${healthyIds.size}`);

  await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
  const from = Date.now();
  const to = from + options.measureMs;
  const healthyLagsMs: number[] = [];
  const darkLagsMs: number[] = [];
  let healthyStarted = 0;
  let darkStarted = 0;
  gateway.engine.observeCheckStarts((probeId, lagMs) => {
    const dueAt = Date.now() - lagMs;
    if (dueAt < from || dueAt >= to) return;
    if (healthyIds.has(probeId)) {
      healthyStarted++;
      healthyLagsMs.push(lagMs);
    } else {
      darkStarted++;
      darkLagsMs.push(lagMs);
    }
  });
  const missedBefore = await missedSlots(gateway);
  let fdsMax = openFds();
  let rssMaxBytes = process.memoryUsage.rss();
  let inFlightMax = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const sampler = setInterval(() => {
    fdsMax = Math.max(fdsMax, openFds());
    rssMaxBytes = Math.max(rssMaxBytes, process.memoryUsage.rss());
    inFlightMax = Math.max(inFlightMax, gateway.engine.checksInFlight);
  }, 250);
  // Checks due just before `to` start a little later: wait for them before counting.
  await new Promise((resolve) => setTimeout(resolve, options.measureMs + 1000));
  clearInterval(sampler);
  loopDelay.disable();
  gateway.engine.observeCheckStarts(null);
  const missedAfter = await missedSlots(gateway);
  const missed = Object.fromEntries(Object.entries(missedAfter).map(([reason, n]) => [reason, n - (missedBefore[reason] ?? 0)]));
  let healthySlots = 0;
  for (const id of healthyIds) healthySlots += slotsIn(id, 1000, from, to);
  return {
    healthySlots,
    healthyStarted,
    healthyLagsMs: healthyLagsMs.sort((a, b) => a - b),
    darkStarted,
    darkLagsMs: darkLagsMs.sort((a, b) => a - b),
    missed,
    fdsBefore,
    fdsMax,
    rssBeforeBytes,
    rssMaxBytes,
    inFlightMax,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  };
}
