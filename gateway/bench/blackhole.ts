// Bench "blackhole": a site goes dark. 10,000 probes (5 s, 4 s timeout) against a port that drops SYNs beside 1,000
// healthy probes every second: do the healthy ones keep their slots, and what do fds and RSS do?
// Alone: cd gateway && node --import tsx bench/blackhole.ts   (or npm run bench -w @probekit/gateway -- blackhole)
// Smaller: BENCH_BLACKHOLE_DARK=200 BENCH_BLACKHOLE_HEALTHY=20 BENCH_BLACKHOLE_MEASURE_MS=5000 BENCH_BLACKHOLE_WARMUP_MS=3000
import { loadavg } from 'node:os';
import { quantile, runBlackhole } from '../test/helpers/blackhole.js';
import { startUnansweredListener } from '../test/helpers/listeners.js';
import { startInProcessGateway } from './lib/in-process.js';
import { loopbackHosts, startListenerProcess } from './lib/listeners.js';
import { formatTable, log, row, writeReport } from './lib/results.js';
import { round } from './lib/stats.js';

const DARK = Number(process.env.BENCH_BLACKHOLE_DARK ?? 10_000);
const HEALTHY = Number(process.env.BENCH_BLACKHOLE_HEALTHY ?? 1_000);
const MEASURE_MS = Number(process.env.BENCH_BLACKHOLE_MEASURE_MS ?? 60_000);
/** Two dark intervals: every dark probe has timed out once, so the queue knows it for silent. */
const WARMUP_MS = Number(process.env.BENCH_BLACKHOLE_WARMUP_MS ?? 15_000);
const DARK_INTERVAL_S = 5;
const DARK_TIMEOUT_MS = 4000;
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const startedAt = new Date();
  // 1,000 checks a second to one ip:port would run out of local ports (TIME_WAIT): spread over 4 addresses × 8 ports,
  // served by another process so that accepting costs this one nothing.
  const listeners = await startListenerProcess(loopbackHosts(4), 8);
  const dark = await startUnansweredListener();
  const gateway = await startInProcessGateway();
  try {
    const load = [loadavg()[0]!];
    log(`${DARK} dark + ${HEALTHY} healthy probes; warm-up ${WARMUP_MS / 1000} s, measuring ${MEASURE_MS / 1000} s`);
    const report = await runBlackhole(gateway, {
      dark: DARK, darkPort: dark.port, darkIntervalSeconds: DARK_INTERVAL_S, darkTimeoutMs: DARK_TIMEOUT_MS,
      healthy: HEALTHY, healthyTargets: listeners.targets, warmupMs: WARMUP_MS, measureMs: MEASURE_MS,
    });
    load.push(loadavg()[0]!);
    const ratio = report.healthyStarted / report.healthySlots;
    const p50 = quantile(report.healthyLagsMs, 0.5);
    const p99 = quantile(report.healthyLagsMs, 0.99);
    const label = `${DARK / 1000}k blackholed + ${HEALTHY / 1000}k healthy`;
    const rows = [
      row(`healthy slots kept, ${label}`, '≥ 95 %', `${round(100 * ratio, 2)} % (${report.healthyStarted} of ${report.healthySlots})`, ratio >= 0.95),
      row(`healthy lag p50 / p99, ${label}`, 'p99 ≤ 50 ms', `${p50} / ${p99} ms (max ${report.healthyLagsMs.at(-1)} ms; loop delay p99 ${round(report.loopDelayP99Ms, 1)}, max ${round(report.loopDelayMaxMs, 1)} ms)`, p99 <= 50),
      row(`dark checks started / lag p99, ${label}`, '', `${report.darkStarted} / ${quantile(report.darkLagsMs, 0.99)} ms; missed slots ${JSON.stringify(report.missed)}; most in flight ${report.inFlightMax}`, null),
      row(`open fds, ${label}`, '', `${report.fdsBefore} before, at most ${report.fdsMax}`, null),
      row(`RSS, ${label}`, '', `${round(report.rssBeforeBytes / MiB, 0)} MiB before, at most ${round(report.rssMaxBytes / MiB, 0)} MiB`, null),
    ];
    writeReport('blackhole', startedAt, rows, {
      dark: DARK, healthy: HEALTHY, measureMs: MEASURE_MS, warmupMs: WARMUP_MS, loadAverage: load,
      ...report, healthyLagsMs: undefined, darkLagsMs: undefined,
      healthyLag: { p50, p99, max: report.healthyLagsMs.at(-1) }, darkLag: { p50: quantile(report.darkLagsMs, 0.5), p99: quantile(report.darkLagsMs, 0.99) },
    });
    console.log(formatTable(rows));
  } finally {
    await gateway.dispose();
    await dark.close();
    await listeners.close();
  }
}

await main();
process.exit(0);
