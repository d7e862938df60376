// Benchmark of /metrics at 10k and 50k probes: scrape time, event-loop stall, bytes, memory per probe.
// Run: npx tsx bench/metrics-render.ts [probeCounts...]   (default: 10000 50000; each count in its own process)

import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createMetrics, type GatewayMetrics } from '../src/metrics/metrics.js';
import { metricsRoute } from '../src/metrics/route.js';
import type { CheckOutcome, CheckResult } from '../src/probing/types.js';

const RUNS = 5;
const CHECKS_PER_PROBE = 20;
const STALL_PROBE_INTERVAL_MS = 1;

// Memory per probe is only meaningful after a full collection; this exposes gc() without a node flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Measurement {
  medianMs: number;
  /** The fastest run: on a machine shared with other work, the best estimate of the unhindered time. */
  minMs: number;
  /** This process's CPU time (all threads, GC helpers included). */
  medianCpuMs: number;
  /** Each run's longest event-loop stall, median over the runs and the worst one. */
  medianStallMs: number;
  maxStallMs: number;
  bytes: number;
}

/** Deterministic pseudo-random numbers, so runs compare. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** 95% success with a long-tailed connect time, the rest spread over the failure reasons. */
function checkResult(next: () => number, host: string, startedAt: number, ipv4: string): CheckResult {
  const roll = next();
  const outcome: CheckOutcome = roll < 0.95 ? 'success' : roll < 0.97 ? 'timeout' : roll < 0.985 ? 'refused' : roll < 0.995 ? 'dns_error' : 'unreachable';
  const resolved = outcome !== 'dns_error';
  return {
    outcome,
    error: outcome === 'success' ? null : `connect failed: ${outcome}`,
    startedAt,
    dnsMs: resolved ? 0.2 + next() * 4 : null,
    connectMs: outcome === 'success' ? 0.3 + next() ** 3 * 400 : null,
    actualHost: resolved ? host : null,
    actualIpv4: resolved ? ipv4 : null,
    actualAddress: resolved ? ipv4 : null,
  };
}

/** Probes in servers of 25, labelled as the engine labels them (store ids, FQDN targets), 5% outside their window. */
function fill(metrics: GatewayMetrics, probes: number): void {
  const next = random(probes);
  const start = Date.now() - CHECKS_PER_PROBE * 300_000;
  for (let i = 0; i < probes; i++) {
    const server = Math.floor(i / 25);
    const host = `sap${server}-${i % 25}.prod.example.com`;
    const ipv4 = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const id = String(i + 1);
    metrics.probeMetrics.upsertProbe(id, {
      gateway: 'gw-frankfurt-1',
      server: `SAP ERP production ${server}`,
      server_id: String(server + 1),
      probe: `dispatcher ${server}-${i % 25}`,
      probe_id: id,
      target: `${host}:3200`,
      role: 'production',
      site: 'Frankfurt',
    });
    for (let c = 0; c < CHECKS_PER_PROBE; c++) metrics.probeMetrics.record(id, checkResult(next, host, start + c * 300_000 + i, ipv4));
    if (i % 20 === 0) metrics.probeMetrics.setActive(id, false);
  }
  metrics.probeMetrics.setInFlight(42);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The longest event-loop stall while `work` runs: the longest gap between ticks of a 1 ms
 * interval timer, less the interval. Unlike monitorEventLoopDelay this also catches work that
 * blocks from the very start.
 */
async function maxStallWhile(work: () => Promise<unknown>): Promise<number> {
  let lastTick = performance.now();
  let maxGapMs = 0;
  const tick = () => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - lastTick);
    lastTick = now;
  };
  const timer = setInterval(tick, STALL_PROBE_INTERVAL_MS);
  try {
    await work();
  } finally {
    tick();
    clearInterval(timer);
  }
  return Math.max(0, maxGapMs - STALL_PROBE_INTERVAL_MS);
}

/**
 * Runs `work` `runs` times back to back. No forced garbage collection between runs: that shrinks
 * the young generation and slows the next run, unlike a gateway scraped every 15-60 s.
 */
async function measure(work: () => Promise<number>, runs = RUNS): Promise<Measurement> {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const stalls: number[] = [];
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    stalls.push(await maxStallWhile(async () => (bytes = await work())));
    const cpu = process.cpuUsage(cpuStarted);
    times.push(performance.now() - started);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  return {
    medianMs: median(times),
    minMs: Math.min(...times),
    medianCpuMs: median(cpuTimes),
    medianStallMs: median(stalls),
    maxStallMs: Math.max(...stalls),
    bytes,
  };
}

/** The scrape as the route streams it, short of the socket. */
async function scrapeBytes(metrics: GatewayMetrics): Promise<number> {
  let bytes = 0;
  for await (const chunk of metrics.scrape()) bytes += chunk.length;
  return bytes;
}

/**
 * The whole path over loopback HTTP. One curl process fetches /metrics RUNS times in a row and
 * reports each transfer's time: curl does not load this event loop, and forking this large
 * process once per run would itself stall the loop and blur the figure.
 */
async function measureOverHttp(metrics: GatewayMetrics): Promise<Measurement> {
  const app = Fastify();
  await app.register(metricsRoute, { metrics });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const fetches = Array.from({ length: RUNS }, () => ['-o', '/dev/null', `${address}/metrics`]).flat();
    const curl = spawn('curl', ['-sS', '-w', '%{time_total} %{size_download}\n', ...fetches], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    curl.stdout.on('data', (data: Buffer) => (output += data.toString()));
    const cpuStarted = process.cpuUsage();
    const stallMs = await maxStallWhile(() => new Promise((resolve) => curl.on('close', resolve)));
    const cpu = process.cpuUsage(cpuStarted);
    const transfers = output.trim().split('\n').map((row) => row.split(' ').map(Number) as [number, number]);
    const times = transfers.map(([seconds]) => seconds * 1000);
    return {
      medianMs: median(times),
      minMs: Math.min(...times),
      medianCpuMs: (cpu.user + cpu.system) / 1000 / RUNS,
      // One window covers all runs here, so the median is not known; the worst is.
      medianStallMs: NaN,
      maxStallMs: stallMs,
      bytes: transfers[0]![1],
    };
  } finally {
    await app.close();
  }
}

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** One collection through a stock SDK reader, as the exporter's own serializer would get it. */
async function collectWithSdk(metrics: GatewayMetrics): Promise<ResourceMetrics> {
  const reader = new CollectingReader({ metricProducers: [metrics.probeMetrics] });
  const provider = new MeterProvider({ readers: [reader] });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

function dataPoints(resourceMetrics: ResourceMetrics): number {
  return resourceMetrics.scopeMetrics.reduce((n, scope) => n + scope.metrics.reduce((m, metric) => m + metric.dataPoints.length, 0), 0);
}

function line(label: string, m: Measurement, extra = ''): string {
  const ms = (value: number) => `${(Number.isNaN(value) ? '-' : value.toFixed(0)).padStart(5)} ms`;
  return `  ${label.padEnd(30)} median ${ms(m.medianMs)}, best ${ms(m.minMs)}, cpu ${ms(m.medianCpuMs)}; stall median ${ms(m.medianStallMs)}, worst ${ms(m.maxStallMs)}${extra}`;
}

async function bench(probes: number): Promise<void> {
  gc();
  const before = process.memoryUsage();
  const metrics = createMetrics({ gateway: 'gw-frankfurt-1' });
  fill(metrics, probes);
  gc();
  const after = process.memoryUsage();
  const first = await measure(() => scrapeBytes(metrics), 1);

  // The stall an idle event loop sees on this machine: on a shared machine it is not zero.
  const idle = await measure(() => new Promise((resolve) => setTimeout(() => resolve(0), 500)));
  const collect = await measure(async () => dataPoints(await collectWithSdk(metrics)));
  const scrape = await measure(() => scrapeBytes(metrics));
  const http = await measureOverHttp(metrics);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(`\n${probes} probes (${CHECKS_PER_PROBE} checks recorded each), median of ${RUNS} runs, node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(line('idle event loop, 500 ms', idle, '   (baseline stall: machine noise)'));
  console.log(line('producer collect()', collect, `   ${collect.bytes} data points`));
  console.log(line('first scrape in the process', first));
  console.log(line('scrape (collect + text)', scrape, `   ${mb(scrape.bytes)}, ${(scrape.bytes / probes).toFixed(0)} B/probe`));
  console.log(line('GET /metrics over HTTP (curl)', http, `   ${mb(http.bytes)}`));
  const heapPerProbe = (after.heapUsed + after.external - before.heapUsed - before.external) / probes;
  console.log(`  memory per probe               ${(heapPerProbe / 1024).toFixed(2)} KiB heap+external, ${((after.rss - before.rss) / probes / 1024).toFixed(2)} KiB RSS (state after the checks, before any scrape)`);

  if (probes <= 10_000) {
    const collected = await collectWithSdk(metrics);
    const serializer = new PrometheusSerializer('', false, undefined, true, true);
    const stock = await measure(async () => Buffer.byteLength(serializer.serialize(collected)));
    console.log(line('stock PrometheusSerializer', stock, `   ${mb(stock.bytes)} (same data, serialize only)`));
  }
  await metrics.shutdown();
}

const counts = process.argv.slice(2).map(Number);
if (counts.length === 1) {
  await bench(counts[0]!);
} else {
  // One process per size: RSS and heap figures would otherwise carry over from the previous size.
  for (const probes of counts.length > 0 ? counts : [10_000, 50_000]) {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, String(probes)], { stdio: 'inherit' });
    await new Promise((resolve) => child.on('close', resolve));
  }
}
