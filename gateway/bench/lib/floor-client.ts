// The CPU floor: a plain net.connect loop at a fixed rate (connect, time it, close with FIN), run as its own process.
// Usage: node --import tsx bench/lib/floor-client.ts RATE DURATION_MS 'TARGETS_JSON'
import net from 'node:net';
import { pace } from './rate.js';
import type { Target } from './listeners.js';

const [rate, durationMs] = [Number(process.argv[2]), Number(process.argv[3])];
const targets = JSON.parse(process.argv[4]!) as Target[];
let completed = 0;
let failed = 0;
let connectMsSum = 0;

function connectOnce(i: number): void {
  const target = targets[i % targets.length]!;
  const started = performance.now();
  const socket = net.connect(target.port, target.host);
  socket.once('connect', () => {
    connectMsSum += performance.now() - started;
    completed++;
    socket.destroy();
  });
  socket.once('error', () => {
    failed++;
    socket.destroy();
  });
}

console.log('started');
const { issued, elapsedMs } = await pace(rate, durationMs, connectOnce);
// Let the last connects finish (bounded), then report.
const until = performance.now() + 2000;
while (completed + failed < issued && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
console.log(JSON.stringify({ issued, completed, failed, elapsedMs, meanConnectMs: connectMsSum / Math.max(1, completed) }));
