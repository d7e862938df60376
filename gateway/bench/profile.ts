// Bench "profile": CPU profile of an in-process gateway over one phase (an import, or a steady window), top frames printed.
// Usage: BENCH_PROBES=30000 BENCH_INTERVAL_S=60 npx tsx bench/profile.ts [import|steady|scrape]
// Steady: BENCH_STEADY_AFTER_MS (15000), BENCH_WINDOW_MS (30000), BENCH_SCRAPE_EVERY_MS (0: none).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { sleep } from './lib/cleanup.js';
import { fleetDocument } from './lib/config-doc.js';
import { curlScrape } from './lib/curl.js';
import { framesDuring, topFrames } from './lib/cpuprofile.js';
import { instrument, startInProcessGateway } from './lib/in-process.js';
import { loopbackHosts, startListenerProcess } from './lib/listeners.js';
import { LoopMonitor, type StallReport } from './lib/loop-stall.js';
import { log, RESULTS_DIR } from './lib/results.js';
import { summarize } from './lib/stats.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 30_000);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 60);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 30_000);
/** Steady phase: how long after the import the window starts (one interval: every probe has run), and scrapes in it. */
const STEADY_AFTER_MS = Number(process.env.BENCH_STEADY_AFTER_MS ?? 15_000);
const SCRAPE_EVERY_MS = Number(process.env.BENCH_SCRAPE_EVERY_MS ?? 0);
const phase = process.argv[2] ?? 'steady';

async function main(): Promise<void> {
  const listeners = await startListenerProcess(loopbackHosts(4), 8);
  const gateway = await startInProcessGateway();
  const recorder = instrument(gateway);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const document = fleetDocument({ probes: PROBES, intervalSeconds: INTERVAL_S, timeoutMs: Math.min(2000, INTERVAL_S * 1000 - 100), targets: listeners.targets });
  let stall: StallReport | undefined;
  try {
    if (phase === 'import') await session.post('Profiler.start');
    const started = performance.now();
    const response = await gateway.api.post('/api/v1/import', document);
    log(`import of ${PROBES} probes: ${response.status} in ${Math.round(performance.now() - started)} ms`);
    if (phase === 'scrape') {
      // Every probe has run once, so the scrape has all its series; then five scrapes by curl, as in the scale bench.
      await sleep(INTERVAL_S * 1000 + 5000);
      await session.post('Profiler.start');
      const times = [];
      for (let i = 0; i < 5; i++) times.push(Math.round((await curlScrape(gateway.url)).ms));
      log(`scrapes of ${PROBES} probes: ${times.join(', ')} ms`);
    }
    if (phase === 'steady') {
      await sleep(STEADY_AFTER_MS);
      recorder.reset();
      const monitor = new LoopMonitor();
      monitor.start();
      await session.post('Profiler.start');
      // Scrapes as Prometheus makes them, when asked for: a stall during one then shows up in the profile too.
      const scrapes = SCRAPE_EVERY_MS > 0 ? setInterval(() => void curlScrape(gateway.url), SCRAPE_EVERY_MS) : undefined;
      await sleep(WINDOW_MS);
      clearInterval(scrapes);
      stall = monitor.stop();
      log(`steady ${WINDOW_MS / 1000} s: ${JSON.stringify(recorder.outcomes)}, lag ${JSON.stringify(summarize(recorder.lag.values()))}, stall ${JSON.stringify({ ...stall, stalls: stall.stalls.length })}`);
    }
    const { profile } = await session.post('Profiler.stop');
    const file = join(RESULTS_DIR, `profile-${phase}-${PROBES}.cpuprofile.tmp`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`Top self-time frames (${phase}, ${PROBES} probes @ ${INTERVAL_S} s); profile in ${file}:`);
    for (const frame of topFrames(file, 25)) console.log(`  ${frame.selfPercent.toFixed(1).padStart(5)}%  ${frame.frame}`);
    if (stall) {
      console.log(`Event-loop stalls of 40 ms or more in the window: ${stall.stalls.length}`);
      for (const during of framesDuring(file, stall.stalls)) {
        console.log(`  ${during.ms.toFixed(0)} ms: ${during.outer.map((f) => `${f.selfPercent}% under ${f.frame}`).join('; ')}`);
        console.log(`      self: ${during.self.map((f) => `${f.selfPercent}% ${f.frame}`).join('; ')}`);
      }
    }
  } finally {
    session.disconnect();
    await gateway.dispose();
    await listeners.close();
  }
}

await main();
process.exit(0);
