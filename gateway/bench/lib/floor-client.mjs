// The CPU floor: a plain net.connect loop at a fixed rate (connect, time it, close with FIN), on bare node in its own process.
// Usage: node bench/lib/floor-client.mjs RATE DURATION_MS 'TARGETS_JSON' IDLE_MS [SKIP_MS]   (idles IDLE_MS first, for the
// baseline; with SKIP_MS, also reports every connect time after the first SKIP_MS of the run, as `connectMs`)
import net from 'node:net';
import { pace } from './rate.mjs';

const [rate, durationMs, idleMs] = [Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[5] ?? 0)];
const skipMs = process.argv[6] === undefined ? null : Number(process.argv[6]);
/** @type {number[]} */
const samples = [];
let samplesFrom = Infinity;
/** @type {{ host: string, port: number }[]} */
const targets = JSON.parse(process.argv[4]);
let completed = 0;
let failed = 0;
let connectMsSum = 0;

/** @param {number} i */
function connectOnce(i) {
  const target = targets[i % targets.length];
  const started = performance.now();
  const socket = net.connect(target.port, target.host);
  socket.once('connect', () => {
    const connectMs = performance.now() - started;
    connectMsSum += connectMs;
    if (started >= samplesFrom) samples.push(connectMs);
    completed++;
    socket.destroy();
  });
  socket.once('error', () => {
    failed++;
    socket.destroy();
  });
}

console.log('ready');
await new Promise((resolve) => setTimeout(resolve, idleMs));
if (skipMs !== null) samplesFrom = performance.now() + skipMs;
const { issued, elapsedMs } = await pace(rate, durationMs, connectOnce);
// Let the last connects finish (bounded), then report.
const until = performance.now() + 2000;
while (completed + failed < issued && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
console.log(JSON.stringify({ issued, completed, failed, elapsedMs, meanConnectMs: connectMsSum / Math.max(1, completed), ...(skipMs === null ? {} : { connectMs: samples }) }));
