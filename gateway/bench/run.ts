// Runs the benchmarks (all, or those named), each in its own process, then prints every verdict row as one table.
// Usage: npm run bench -w @probekit/gateway -- [cpu] [scale] [accuracy] [capacity] [blackhole] [deep-checks] [ha] [metrics-render]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, readReport, RESULTS_DIR, type Row } from './lib/results.js';

const GATEWAY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

const BENCHES: Record<string, { file: string; what: string; inAll: boolean }> = {
  cpu: { file: 'bench/cpu.ts', what: 'CPU per check: gateway vs a plain net.connect loop vs blackbox_exporter (~8 min)', inAll: true },
  scale: { file: 'bench/scale.ts', what: '50k probes @ 60 s: scheduler lag, RSS per probe, /metrics time and stalls (~5 min)', inAll: true },
  accuracy: { file: 'bench/accuracy.ts', what: 'connect-time error over a link delaying 20 ms (netns + TUN relay), 500 checks/s (~1 min, root)', inAll: true },
  capacity: { file: 'bench/capacity.ts', what: 'checks/s one gateway keeps up with on this machine (~2 min)', inAll: true },
  blackhole: { file: 'bench/blackhole.ts', what: '10k blackholed + 1k healthy probes: healthy slots kept, lag p50/p99, fds, RSS (~1.5 min)', inAll: true },
  'deep-checks': { file: 'bench/deep-checks.ts', what: 'CPU per check: plain check function vs the bare loop; TLS checks vs blackbox_exporter tcp+tls (~7 min)', inAll: true },
  ha: { file: 'bench/ha.ts', what: 'API writes/s and change-to-agent latency: SQLite vs PostgreSQL with two replicas (~2 min)', inAll: true },
  'metrics-render': { file: 'bench/metrics-render.ts', what: "/metrics rendering in isolation (owned by the metrics code's author; prints only)", inAll: false },
};

async function runOne(name: string): Promise<number> {
  const bench = BENCHES[name]!;
  process.stderr.write(`\n=== ${name}: ${bench.what}\n`);
  // Each bench in a fresh process: memory figures start clean and one bench's leftovers cannot skew the next.
  const child = spawn(process.execPath, ['--import', 'tsx', bench.file], { cwd: GATEWAY_DIR, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code ?? 1;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('--list')) {
    for (const [name, bench] of Object.entries(BENCHES)) console.log(`${name.padEnd(15)} ${bench.what}${bench.inAll ? '' : ' [only by name]'}`);
    return;
  }
  const unknown = args.filter((a) => !(a in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  const names = args.length > 0 ? args : Object.keys(BENCHES).filter((n) => BENCHES[n]!.inAll);

  const runStartedAt = new Date().toISOString();
  const failed: string[] = [];
  for (const name of names) if ((await runOne(name)) !== 0) failed.push(name);

  const rows: Row[] = [];
  for (const name of names) {
    const report = readReport(name);
    // A report older than this run is a previous run's, left there because this one failed: not shown.
    if (report && report.startedAt >= runStartedAt) rows.push(...report.rows.map((r) => ({ ...r, metric: `[${name}] ${r.metric}` })));
  }
  if (rows.length > 0) console.log(`\n${formatTable(rows)}\n\nRaw results: ${RESULTS_DIR}/<bench>.json`);
  if (failed.length > 0) {
    console.error(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
