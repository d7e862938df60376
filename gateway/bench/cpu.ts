// Bench "cpu": CPU per TCP check of the gateway vs a plain net.connect loop (the floor) vs blackbox_exporter, same rate, one run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { driveBlackbox, startBlackbox } from './lib/blackbox.js';
import { killOnExit, sleep } from './lib/cleanup.js';
import { fleetDocument } from './lib/config-doc.js';
import { topFrames, type Frame } from './lib/cpuprofile.js';
import { GATEWAY_DIR, importDocument, scrapeText, spawnGateway } from './lib/gateway-process.js';
import { loopbackHosts, startListenerProcess, type Target } from './lib/listeners.js';
import { loadAverage, measureCpu, timeWaitCount, type CpuWindow } from './lib/proc.js';
import { checksByResult, totalChecks } from './lib/prom-text.js';
import { formatTable, log, row, writeReport, type Row } from './lib/results.js';
import { round } from './lib/stats.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const WARM_MS = 10_000;
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 30_000);
const SLICES = 3;
const IDLE_MS = 20_000;
const SCRAPE_EVERY_MS = 15_000;
/** Write a CPU profile of the gateway's measured run (BENCH_CPU_PROF=1) and list its top frames. */
const PROFILE = process.env.BENCH_CPU_PROF === '1';

interface Contender {
  name: string;
  checks: number;
  cpu: CpuWindow;
  idleCpuMsPerSecond: number;
  failures: Record<string, number>;
  timeWaitAfter: number;
  /** 1-minute load average of the host at the start and end of the window (others may share the machine). */
  loadAverage: [number, number];
  profile?: Frame[];
}

const perCheck = (c: Contender) => c.cpu.cpuMs / c.checks;
const perSecond = (c: Contender) => (c.cpu.cpuMs * 1000) / c.cpu.wallMs;

/** The gateway at RATE checks/s: `probes` probes every `intervalSeconds`; Prometheus-like scrapes every 15 s count too. */
async function gateway(targets: Target[], probes: number, intervalSeconds: number): Promise<Contender> {
  const name = `gateway (${probes} probes @ ${intervalSeconds} s)`;
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'probekit-prof-')) : undefined;
  const gw = await spawnGateway({ nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  let result: Contender;
  try {
    log(`${name}: idle ${IDLE_MS / 1000} s with 0 probes`);
    const idle = await measureCpu(gw.pid, IDLE_MS, 1);
    const timeoutMs = Math.min(2000, intervalSeconds * 1000 - 100);
    const started = performance.now();
    await importDocument(gw.api, fleetDocument({ probes, intervalSeconds, timeoutMs, targets }));
    log(`${name}: imported in ${Math.round(performance.now() - started)} ms; warming ${WARM_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s`);
    await sleep(WARM_MS);
    const before = await scrapeText(gw.url);
    const beforeAt = performance.now();
    // Scrapes at the middle of each 15 s slot, so a window always holds the same number of them (two in 30 s).
    const scrapes: NodeJS.Timeout[] = [];
    for (let at = SCRAPE_EVERY_MS / 2; at < WINDOW_MS; at += SCRAPE_EVERY_MS) {
      scrapes.push(setTimeout(() => void scrapeText(gw.url).catch(() => undefined), at));
    }
    const load = loadAverage();
    const cpu = await measureCpu(gw.pid, WINDOW_MS, SLICES);
    for (const timer of scrapes) clearTimeout(timer);
    const after = await scrapeText(gw.url);
    // The count is between the two scrapes, a little longer than the CPU window: scale it to the window.
    const checks = ((totalChecks(after) - totalChecks(before)) * cpu.wallMs) / (performance.now() - beforeAt);
    const { success: _ok, ...failures } = checksByResult(after);
    result = { name, checks, cpu, idleCpuMsPerSecond: (idle.cpuMs * 1000) / idle.wallMs, failures, timeWaitAfter: timeWaitCount(), loadAverage: [load, loadAverage()] };
  } finally {
    await gw.stop();
  }
  // The profile covers the whole life of the process (start-up and import too); it is written on exit.
  const file = profileDir && readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    log(`profile: ${join(profileDir, file)}`);
    result.profile = topFrames(join(profileDir, file), 20);
  }
  return result;
}

/** The floor: a plain net.connect loop in its own process at the same rate; it idles first, for its baseline. */
async function floor(targets: Target[]): Promise<Contender> {
  const idleMs = 10_000;
  const child = spawn(process.execPath, ['bench/lib/floor-client.mjs', String(RATE), String(WARM_MS + WINDOW_MS + 1000), JSON.stringify(targets), String(idleMs)], {
    cwd: GATEWAY_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const unregister = killOnExit(child, 'floor client');
  const lines = createInterface({ input: child.stdout! });
  const output: string[] = [];
  lines.on('line', (line) => output.push(line));
  while (output.length === 0 && child.exitCode === null) await sleep(20);
  log(`floor: idle ${idleMs / 1000} s, warming ${WARM_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s`);
  const idle = await measureCpu(child.pid!, idleMs - 500, 1);
  await sleep(500 + WARM_MS);
  const load = loadAverage();
  const cpu = await measureCpu(child.pid!, WINDOW_MS, SLICES);
  await once(child, 'exit');
  unregister();
  const summary = JSON.parse(output.at(-1)!) as { failed: number };
  return {
    name: 'floor (plain net.connect loop)',
    checks: (RATE * cpu.wallMs) / 1000,
    cpu,
    idleCpuMsPerSecond: (idle.cpuMs * 1000) / idle.wallMs,
    failures: { failed: summary.failed },
    timeWaitAfter: timeWaitCount(),
    loadAverage: [load, loadAverage()],
  };
}

/** blackbox_exporter driven by /probe requests at the same rate; only its own process's CPU is counted. */
async function blackbox(targets: Target[]): Promise<Contender> {
  const bb = await startBlackbox();
  try {
    log('blackbox_exporter: idle 10 s');
    const idle = await measureCpu(bb.pid, 10_000, 1);
    log(`blackbox_exporter: warming ${WARM_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s`);
    const drive = driveBlackbox(bb.url, targets, RATE, WARM_MS + WINDOW_MS + 1000);
    await sleep(WARM_MS);
    const windowStart = performance.now();
    const load = loadAverage();
    const cpu = await measureCpu(bb.pid, WINDOW_MS, SLICES);
    const windowEnd = windowStart + cpu.wallMs;
    const driven = await drive;
    const checks = driven.answeredAt.filter((t) => t >= windowStart && t < windowEnd).length;
    return { name: 'blackbox_exporter (tcp_connect via /probe)', checks, cpu, idleCpuMsPerSecond: (idle.cpuMs * 1000) / idle.wallMs, failures: { failed: driven.failed }, timeWaitAfter: timeWaitCount(), loadAverage: [load, loadAverage()] };
  } finally {
    await bb.stop();
  }
}

const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 2);

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const listeners = await startListenerProcess(loopbackHosts(4), 4);
  const runs: Contender[] = [];
  try {
    log(`${listeners.targets.length} listeners on ${loopbackHosts(4).join(', ')}; rate ${RATE} checks/s; ${ROUNDS} rounds`);
    const only = process.env.BENCH_CPU_ONLY?.split(',');
    const want = (key: string) => !only || only.includes(key);
    // Rounds alternate the contenders, so a neighbour's load on a shared machine hits them alike.
    for (let round = 0; round < ROUNDS; round++) {
      if (want('gateway')) runs.push(await gateway(listeners.targets, RATE, 1));
      if (want('floor')) runs.push(await floor(listeners.targets));
      if (want('blackbox')) runs.push(await blackbox(listeners.targets));
    }
    if (want('gateway60')) runs.push(await gateway(listeners.targets, RATE * 60, 60));
  } finally {
    await listeners.close();
  }

  const names = [...new Set(runs.map((c) => c.name))];
  const medianPerCheck = new Map(names.map((n) => [n, median(runs.filter((c) => c.name === n).map(perCheck))]));
  const rows: Row[] = names.map((name) => {
    const mine = runs.filter((c) => c.name === name);
    const detail = mine.map((c) => `${round(perCheck(c), 3)} (${round(perSecond(c), 0)} ms/s, idle ${round(c.idleCpuMsPerSecond, 1)} ms/s, load ${c.loadAverage[0]})`).join('; ');
    return row(`CPU ms per check: ${name}`, '', `**${round(medianPerCheck.get(name)!, 3)} ms** (median of ${mine.length}: ${detail})`, null);
  });
  const [gw, fl, bb] = ['gateway (', 'floor', 'blackbox'].map((prefix) => medianPerCheck.get(names.find((n) => n.startsWith(prefix)) ?? ''));
  if (gw && fl) rows.push(row('gateway ÷ floor', '≤ 1.3×', `${round(gw / fl, 2)}×`, gw / fl <= 1.3));
  if (gw && bb) rows.push(row('blackbox ÷ gateway', '≥ 4×', `${round(bb / gw, 2)}×`, bb / gw >= 4));
  const failures = runs.map((c) => Object.values(c.failures).reduce((a, b) => a + b, 0));
  rows.push(row('failed checks (all runs)', '0', `${failures.reduce((a, b) => a + b, 0)}; TIME_WAIT after each run: ${runs.map((c) => c.timeWaitAfter).join(', ')}`, failures.every((n) => n === 0)));

  writeReport('cpu', startedAt, rows, { rate: RATE, rounds: ROUNDS, warmMs: WARM_MS, windowMs: WINDOW_MS, idleMs: IDLE_MS, scrapeEveryMs: SCRAPE_EVERY_MS, targets: listeners.targets.length, runs });
  console.log(formatTable(rows));
  for (const run of runs) {
    if (run.profile) console.log(`\nTop self-time frames, ${run.name}:\n${run.profile.map((f) => `  ${f.selfPercent}%  ${f.frame}`).join('\n')}`);
  }
}

await main();
process.exit(0);
