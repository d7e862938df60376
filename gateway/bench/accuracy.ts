// Bench "accuracy": connect-time error (measured − injected delay) of the gateway's checks at 500 checks/s over a delaying link.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { killOnExit, sleep } from './lib/cleanup.js';
import { fleetDocument } from './lib/config-doc.js';
import { instrument, startInProcessGateway } from './lib/in-process.js';
import { LoopMonitor } from './lib/loop-stall.js';
import { startDelayLink, type DelayLink } from './lib/delay-link.js';
import { connectTiming } from '../src/probing/kernel-timing.js';
import { GATEWAY_DIR } from './lib/gateway-process.js';
import { loadAverage } from './lib/proc.js';
import { formatTable, log, row, writeReport } from './lib/results.js';
import { round, summarize } from './lib/stats.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 20);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 30_000);
const LISTENERS = 8;

/**
 * A plain net.connect loop on bare node, alone in its process, at the same rate over the same link, timing each
 * connect in JavaScript: the best a prober timing on its event loop measures on this machine. The gateway takes the
 * kernel's timing (TCP_INFO) where it has it, and should be well below this.
 */
async function floorOverLink(link: DelayLink): Promise<{ connectMs: number[]; failed: number; rtts: number[] }> {
  const warmMs = 3000;
  const child = spawn(process.execPath, ['bench/lib/floor-client.mjs', String(RATE), String(warmMs + WINDOW_MS), JSON.stringify(link.targets), '0', String(warmMs)], {
    cwd: GATEWAY_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const unregister = killOnExit(child, 'floor client');
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  await sleep(warmMs);
  link.resetTruth();
  await once(child, 'exit');
  unregister();
  const truth = await link.truth();
  const summary = JSON.parse(output.trim().split('\n').at(-1)!) as { connectMs: number[]; failed: number };
  return { connectMs: summary.connectMs, failed: summary.failed, rtts: truth.rtts };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('accuracy needs root (ip netns, /dev/net/tun)');
  const startedAt = new Date();
  const link = await startDelayLink(LISTENERS);
  const gateway = await startInProcessGateway();
  const recorder = instrument(gateway);
  let stopped: Promise<void> | undefined;
  const stopGateway = () => (stopped ??= gateway.dispose());
  try {
    const { targets } = link;
    log(`namespace ${link.namespace}: ${link.hostAddress} -> ${link.nsAddress}, ${targets.length} listeners; ${RATE} probes @ 1 s`);
    const response = await gateway.api.post('/api/v1/import', fleetDocument({ probes: RATE, intervalSeconds: 1, timeoutMs: 900, targets }));
    if (response.status !== 200) throw new Error(`import answered ${response.status}`);

    // The bare link first: what a connect costs with no delay (also warms ARP and the JIT).
    await sleep(5000);
    recorder.reset();
    link.resetTruth();
    await sleep(10_000);
    const bare = summarize(recorder.connectMs.values());
    const bareTruth = summarize((await link.truth()).rtts);
    log(`no delay: connect p50 ${round(bare.p50, 3)} ms, p99 ${round(bare.p99, 3)} ms (at the link: p50 ${round(bareTruth.p50, 3)} ms)`);

    link.setDelay(DELAY_MS);
    await sleep(3000);
    recorder.reset();
    link.resetTruth();
    const load = loadAverage();
    const monitor = new LoopMonitor();
    monitor.start();
    await sleep(WINDOW_MS);
    const stall = monitor.stop();
    const connect = recorder.connectMs.values().slice();
    const truth = await link.truth();
    const atLink = summarize(truth.rtts);
    const late = truth.lateUs;
    const outcomes = { ...recorder.outcomes };
    const lag = summarize(recorder.lag.values());
    const error = summarize(connect.map((ms) => ms - DELAY_MS));
    const measured = summarize(connect);
    // The gateway stops probing first: the floor runs alone.
    await stopGateway();
    const floor = await floorOverLink(link);
    const floorError = summarize(floor.connectMs.map((ms) => ms - DELAY_MS));
    const timing = connectTiming.source === 'kernel' ? 'the kernel\'s (TCP_INFO)' : `JavaScript's (${connectTiming.reason})`;
    const floorAtLink = summarize(floor.rtts);
    const rows = [
      row(`connect-time error vs injected ${DELAY_MS} ms, p99 (${RATE} checks/s)`, '≤ 1 ms', `${round(error.p99, 3)} ms (connect times: ${timing})`, error.p99 <= 1),
      row('connect-time error p50 / max', '', `${round(error.p50, 3)} / ${round(error.max, 3)} ms (min ${round(error.min, 3)}; ${error.n} checks)`, null),
      row('measured − true round trip at the link (distributions), p50 / p99', '', `${round(measured.p50 - atLink.p50, 3)} / ${round(measured.p99 - atLink.p99, 3)} ms (link p50 ${round(atLink.p50, 3)}, p99 ${round(atLink.p99, 3)} ms; the line held packets ${DELAY_MS} ms +${round((late.p50 ?? NaN) / 1000, 3)} p50, +${round((late.p99 ?? NaN) / 1000, 3)} p99)`, null),
      row(`timed in JavaScript: a plain net.connect loop on the same link (bare node, alone), error p50 / p99`, '', `${round(floorError.p50, 3)} / ${round(floorError.p99, 3)} ms (${floorError.n} connects, ${floor.failed} failed; measured − link p99 ${round(summarize(floor.connectMs).p99 - floorAtLink.p99, 3)} ms)`, null),
      row('connect time with no delay, gateway / at the link, p50 / p99', '', `${round(bare.p50, 3)} / ${round(bare.p99, 3)} ms; ${round(bareTruth.p50, 3)} / ${round(bareTruth.p99, 3)} ms`, null),
      row('during the window: outcomes, scheduler lag p99, max loop stall', '', `${JSON.stringify(outcomes)}; lag p99 ${lag.p99} ms; stall ${round(stall.maxGapMs, 1)} ms (longest GC ${round(stall.gcMaxMs, 1)} ms, slowest SQLite write ${round(Math.max(0, ...recorder.saves.map((x) => x.ms)), 0)} ms)`, Object.keys(outcomes).every((k) => k === 'success')),
    ];
    writeReport('accuracy', startedAt, rows, { rate: RATE, delayMs: DELAY_MS, windowMs: WINDOW_MS, listeners: LISTENERS, connectTiming, error, measured, atLink, lineLateUs: late, floor: { error: floorError, atLink: floorAtLink, failed: floor.failed }, bare, bareTruth, lag, stall, outcomes, loadAverage: [load, loadAverage()] });
    console.log(formatTable(rows));
  } finally {
    await stopGateway();
    await link.remove();
  }
}

await main();
process.exit(0);
