// Bench "accuracy": connect-time error (measured − injected netem delay) of the gateway's checks at 500 checks/s over a veth link.
import { sleep } from './lib/cleanup.js';
import { fleetDocument } from './lib/config-doc.js';
import { instrument, startInProcessGateway } from './lib/in-process.js';
import { LoopMonitor } from './lib/loop-stall.js';
import { startNamespace } from './lib/namespace.js';
import { loadAverage } from './lib/proc.js';
import { formatTable, log, row, writeReport } from './lib/results.js';
import { round, summarize } from './lib/stats.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const DELAY_MS = Number(process.env.BENCH_NETEM_DELAY_MS ?? 20);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 30_000);
const PORTS = [7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008];

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('accuracy needs root (ip netns, tc netem)');
  const startedAt = new Date();
  const namespace = await startNamespace(PORTS);
  const gateway = await startInProcessGateway();
  const recorder = instrument(gateway);
  try {
    const { ns, targets } = namespace;
    log(`namespace ${ns.name}: ${ns.hostAddress} -> ${ns.nsAddress}, ${targets.length} listeners; ${RATE} probes @ 1 s`);
    const response = await gateway.api.post('/api/v1/import', fleetDocument({ probes: RATE, intervalSeconds: 1, timeoutMs: 900, targets }));
    if (response.status !== 200) throw new Error(`import answered ${response.status}`);

    // The bare link first: what a connect costs with no delay (also warms ARP and the JIT).
    await sleep(5000);
    recorder.reset();
    await sleep(10_000);
    const bare = summarize(recorder.connectMs.values());
    log(`no netem: connect p50 ${round(bare.p50, 3)} ms, p99 ${round(bare.p99, 3)} ms`);

    await ns.netem(['delay', `${DELAY_MS}ms`]);
    await sleep(3000);
    recorder.reset();
    const load = loadAverage();
    const monitor = new LoopMonitor();
    monitor.start();
    await sleep(WINDOW_MS);
    const stall = monitor.stop();
    const connect = recorder.connectMs.values().slice();
    const outcomes = { ...recorder.outcomes };
    const lag = summarize(recorder.lag.values());
    const error = summarize(connect.map((ms) => ms - DELAY_MS));
    const rows = [
      row(`connect-time error vs injected ${DELAY_MS} ms, p99 (${RATE} checks/s)`, '≤ 1 ms', `${round(error.p99, 3)} ms`, error.p99 <= 1),
      row('connect-time error p50 / max', '', `${round(error.p50, 3)} / ${round(error.max, 3)} ms (min ${round(error.min, 3)}; ${error.n} checks)`, null),
      row('bare veth connect time (no netem) p50 / p99', '', `${round(bare.p50, 3)} / ${round(bare.p99, 3)} ms`, null),
      row('during the window: outcomes, scheduler lag p99, max loop stall', '', `${JSON.stringify(outcomes)}; lag p99 ${lag.p99} ms; stall ${round(stall.maxGapMs, 1)} ms`, Object.keys(outcomes).every((k) => k === 'success')),
    ];
    writeReport('accuracy', startedAt, rows, { rate: RATE, delayMs: DELAY_MS, windowMs: WINDOW_MS, ports: PORTS, error, bare, lag, stall, outcomes, loadAverage: [load, loadAverage()] });
    console.log(formatTable(rows));
  } finally {
    await gateway.dispose();
    await namespace.remove();
  }
}

await main();
process.exit(0);
