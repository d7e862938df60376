// Benchmark: /metrics at 10k and 50k probes: scrape time, event-loop stall, bytes, memory per probe.
// Run: npx tsx bench/metrics-render.ts [probeCounts...]   (default: 10000 50000)

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
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
const STALL_RESOLUTION_MS = 2;

// Memory per probe is only meaningful after a full collection; this exposes gc() without a node flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Deterministic pseudo-random numbers, so runs compare. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `5f0c9a2e-7b1d-4c3e-9a8f-${hex}`;
}

/** 95% success with a long-tailed connect time, the rest spread over the failure reasons. */
function checkResult(next: () => number, host: string, startedAt: number): CheckResult {
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
    actualIpv4: resolved ? `10.${(startedAt >> 16) & 255}.${(startedAt >> 8) & 255}.${startedAt & 255}` : null,
    actualAddress: null,
  };
}

function fill(metrics: GatewayMetrics, probes: number): void {
  const next = random(probes);
  const start = Date.now() - CHECKS_PER_PROBE * 300_000;
  for (let i = 0; i < probes; i++) {
    const server = Math.floor(i / 25);
    const host = `sap${server}-${i % 25}.prod.example.com`;
    const id = uuid(i);
    metrics.probeMetrics.upsertProbe(id, {
      gateway: 'gw-frankfurt-1',
      server: `SAP ERP production ${server}`,
      server_id: uuid(1_000_000 + server),
      probe: `dispatcher ${server}-${i % 25}`,
      probe_id: id,
      target: `${host}:3200`,
      role: 'production',
      site: 'Frankfurt',
    });
    for (let c = 0; c < CHECKS_PER_PROBE; c++) metrics.probeMetrics.record(id, checkResult(next, host, start + c * 300_000 + i));
    // A few probes outside their window, as in a real fleet.
    if (i % 20 === 0) metrics.probeMetrics.setActive(id, false);
  }
  metrics.probeMetrics.setInFlight(42);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs `work` RUNS times; reports its median time and the longest event-loop stall seen during any run. */
function measureOnce(work: () => Promise<number>): ReturnType<typeof measure> {
  return measure(work, 1);
}

async function measure(work: () => Promise<number>, runs = RUNS): Promise<{ medianMs: number; maxStallMs: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  let maxStallMs = 0;
  for (let run = 0; run < runs; run++) {
    gc(); // outside the measurement: a forced full collection is itself a long stall
    const delay = monitorEventLoopDelay({ resolution: STALL_RESOLUTION_MS });
    delay.enable();
    const started = performance.now();
    bytes = await work();
    times.push(performance.now() - started);
    // One more turn, so a synchronous piece of work at the end is seen by the delay monitor.
    await new Promise((resolve) => setTimeout(resolve, 2 * STALL_RESOLUTION_MS));
    delay.disable();
    // The monitor's samples include its own interval; what is beyond that is the stall.
    maxStallMs = Math.max(maxStallMs, delay.max / 1e6 - STALL_RESOLUTION_MS);
  }
  return { medianMs: median(times), maxStallMs, bytes };
}

/** The scrape as the route streams it, without the socket. */
async function scrapeBytes(metrics: GatewayMetrics): Promise<number> {
  let bytes = 0;
  for await (const chunk of metrics.scrape()) bytes += chunk.length;
  return bytes;
}

/** The whole path over loopback HTTP; curl runs in its own process so it does not load this event loop. */
async function measureOverHttp(metrics: GatewayMetrics): ReturnType<typeof measure> {
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

/** The exporter's stock serializer on the same ResourceMetrics, for comparison. */
function stockSerialize(resourceMetrics: ResourceMetrics): number {
  const serializer = new PrometheusSerializer('', false, undefined, true, true);
  return Buffer.byteLength(serializer.serialize(resourceMetrics));
}

class CollectOnce extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

async function bench(probes: number): Promise<void> {
  gc();
  const before = process.memoryUsage();
  const metrics = createMetrics({ gateway: 'gw-frankfurt-1' });
  fill(metrics, probes);
  const first = await measureOnce(() => scrapeBytes(metrics)); // builds the label cache, which later scrapes find
  gc();
  const after = process.memoryUsage();
  const rssPerProbe = (after.rss - before.rss) / probes;
  const heapPerProbe = (after.heapUsed + after.external - before.heapUsed - before.external) / probes;

  const collect = await measure(async () => {
    const reader = new CollectOnce({ metricProducers: [metrics.probeMetrics] });
    const provider = new MeterProvider({ readers: [reader] });
    const { resourceMetrics } = await reader.collect();
    await provider.shutdown();
    return resourceMetrics.scopeMetrics.reduce((n, s) => n + s.metrics.reduce((m, d) => m + d.dataPoints.length, 0), 0);
  });
  const scrape = await measure(() => scrapeBytes(metrics));
  const http = await measureOverHttp(metrics);
  console.log(`\n${probes} probes`);
  console.log(`  producer collect():       median ${collect.medianMs.toFixed(0)} ms, ${collect.bytes} data points, max stall ${collect.maxStallMs.toFixed(1)} ms`);
  console.log(`  scrape (collect+text):    median ${scrape.medianMs.toFixed(0)} ms, max stall ${scrape.maxStallMs.toFixed(1)} ms, ${(scrape.bytes / 1e6).toFixed(1)} MB (${(scrape.bytes / probes).toFixed(0)} B/probe)`);
  console.log(`  GET /metrics over HTTP:   median ${http.medianMs.toFixed(0)} ms, max stall ${http.maxStallMs.toFixed(1)} ms, ${(http.bytes / 1e6).toFixed(1)} MB`);
  console.log(`  first scrape (cold cache): ${first.medianMs.toFixed(0)} ms, max stall ${first.maxStallMs.toFixed(1)} ms`);
  console.log(`  memory per probe:         ${(heapPerProbe / 1024).toFixed(2)} KiB heap+external, ${(rssPerProbe / 1024).toFixed(2)} KiB RSS (after one scrape and a full GC)`);

  if (probes <= 10_000) {
    const reader = new CollectOnce({ metricProducers: [metrics.probeMetrics] });
    const provider = new MeterProvider({ readers: [reader] });
    const { resourceMetrics } = await reader.collect();
    const stock = await measure(async () => stockSerialize(resourceMetrics));
    console.log(`  stock PrometheusSerializer (same data, serialize only): median ${stock.medianMs.toFixed(0)} ms, max stall ${stock.maxStallMs.toFixed(1)} ms, ${(stock.bytes / 1e6).toFixed(1)} MB`);
    await provider.shutdown();
  }
  await metrics.shutdown();
}

const counts = process.argv.slice(2).map(Number);
console.log(`node ${process.version}, ${CHECKS_PER_PROBE} checks recorded per probe, median of ${RUNS} runs`);
for (const probes of counts.length > 0 ? counts : [10_000, 50_000]) await bench(probes);
process.exit(0);
