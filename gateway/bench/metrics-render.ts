// Benchmark of /metrics at 10k and 50k probes: scrape time, event-loop stall, bytes, memory per probe.
// Run: npx tsx bench/metrics-render.ts [probeCounts...]   (default: 10000 50000; each count in its own process)

import { execFile, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
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
 * Runs `work` `runs` times. A run's stall is the longest gap between ticks of a 1 ms interval
 * timer while it runs, less the interval; unlike monitorEventLoopDelay this also catches work
 * that blocks from the very start.
 */
async function measure(work: () => Promise<number>, runs = RUNS): Promise<Measurement> {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const stalls: number[] = [];
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    gc(); // outside the measurement: a forced full collection is itself a long stall
    let lastTick = performance.now();
    let maxGapMs = 0;
    const tick = () => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - lastTick);
      lastTick = now;
    };
    const timer = setInterval(tick, STALL_PROBE_INTERVAL_MS);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    bytes = await work();
    const cpu = process.cpuUsage(cpuStarted);
    times.push(performance.now() - started);
    tick();
    clearInterval(timer);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    stalls.push(Math.max(0, maxGapMs - STALL_PROBE_INTERVAL_MS));
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

/** The whole path over loopback HTTP; curl runs in its own process so it does not load this event loop. */
async function measureOverHttp(metrics: GatewayMetrics): Promise<Measurement> {
  const app = Fastify();
  await app.register(metricsRoute, { metrics });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await measure(async () => {
      const { stdout } = await promisify(execFile)('curl', ['-sS', '-o', '/dev/null', '-w', '%{size_download}', `${address}/metrics`]);
      return Number(stdout);
    });
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
  const ms = (value: number) => `${value.toFixed(0).padStart(5)} ms`;
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

  const collect = await measure(async () => dataPoints(await collectWithSdk(metrics)));
  const scrape = await measure(() => scrapeBytes(metrics));
  const http = await measureOverHttp(metrics);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(`\n${probes} probes (${CHECKS_PER_PROBE} checks recorded each), median of ${RUNS} runs, node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`);
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
