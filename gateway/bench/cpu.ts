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
import { measureCpu, timeWaitCount, type CpuWindow } from './lib/proc.js';
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
  profile?: Frame[];
}

const perCheck = (c: Contender) => c.cpu.cpuMs / c.checks;
const perSecond = (c: Contender) => (c.cpu.cpuMs * 1000) / c.cpu.wallMs;

/** The gateway at RATE checks/s: `probes` probes every `intervalSeconds`; Prometheus-like scrapes every 15 s count too. */
async function gateway(targets: Target[], probes: number, intervalSeconds: number): Promise<Contender> {
  const name = `gateway (${probes} probes @ ${intervalSeconds} s)`;
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'probekit-prof-')) : undefined;
  const gw = await spawnGateway({ nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  try {
    log(`${name}: idle ${IDLE_MS / 1000} s with 0 probes`);
    const idle = await measureCpu(gw.pid, IDLE_MS, 1);
    const timeoutMs = Math.min(2000, intervalSeconds * 1000 - 100);
    const started = performance.now();
    await importDocument(gw.api, fleetDocument({ probes, intervalSeconds, timeoutMs, targets }));
    log(`${name}: imported in ${Math.round(performance.now() - started)} ms; warming ${WARM_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s`);
    await sleep(WARM_MS);
    const before = await scrapeText(gw.url);
    const scrapes = setInterval(() => void scrapeText(gw.url).catch(() => undefined), SCRAPE_EVERY_MS);
    const cpu = await measureCpu(gw.pid, WINDOW_MS, SLICES);
    clearInterval(scrapes);
    const after = await scrapeText(gw.url);
    const results = checksByResult(after);
    const { success: _ok, ...failures } = results;
    return { name, checks: totalChecks(after) - totalChecks(before), cpu, idleCpuMsPerSecond: idle.cpuMs * 1000 / idle.wallMs, failures, timeWaitAfter: timeWaitCount() };
  } finally {
    await gw.stop();
    if (profileDir) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) log(`profile: ${join(profileDir, file)}`);
    }
  }
}

/** The floor: a plain net.connect loop in its own process at the same rate. */
async function floor(targets: Target[]): Promise<Contender> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/floor-client.ts', String(RATE), String(WARM_MS + WINDOW_MS + 1000), JSON.stringify(targets)], {
    cwd: GATEWAY_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const unregister = killOnExit(child, 'floor client');
  const lines = createInterface({ input: child.stdout! });
  const output: string[] = [];
  lines.on('line', (line) => output.push(line));
  while (output.length === 0 && child.exitCode === null) await sleep(20);
  // Idle baseline: a node process that has loaded the same runtime (tsx) and does nothing; the client starts at once, so take it from a twin.
  log(`floor: warming ${WARM_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s`);
  await sleep(WARM_MS);
  const cpu = await measureCpu(child.pid!, WINDOW_MS, SLICES);
  await once(child, 'exit');
  unregister();
  const summary = JSON.parse(output.at(-1)!) as { failed: number };
  return { name: 'floor (plain net.connect loop)', checks: (RATE * cpu.wallMs) / 1000, cpu, idleCpuMsPerSecond: await idleNode(), failures: { failed: summary.failed }, timeWaitAfter: timeWaitCount() };
}

/** CPU of an idle node process with tsx loaded: the floor process's idle baseline. */
async function idleNode(): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', 'setTimeout(() => {}, 12_000)'], { cwd: GATEWAY_DIR, stdio: 'ignore' });
  const unregister = killOnExit(child, 'idle node');
  await sleep(1000);
  const idle = await measureCpu(child.pid!, 10_000, 1);
  child.kill();
  unregister();
  return (idle.cpuMs * 1000) / idle.wallMs;
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
    const cpu = await measureCpu(bb.pid, WINDOW_MS, SLICES);
    const windowEnd = windowStart + cpu.wallMs;
    const driven = await drive;
    const checks = driven.answeredAt.filter((t) => t >= windowStart && t < windowEnd).length;
    return { name: 'blackbox_exporter (tcp_connect via /probe)', checks, cpu, idleCpuMsPerSecond: (idle.cpuMs * 1000) / idle.wallMs, failures: { failed: driven.failed }, timeWaitAfter: timeWaitCount() };
  } finally {
    await bb.stop();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const listeners = await startListenerProcess(loopbackHosts(4), 4);
  const contenders: Contender[] = [];
  try {
    log(`${listeners.targets.length} listeners on ${loopbackHosts(4).join(', ')}; rate ${RATE} checks/s`);
    const only = process.env.BENCH_CPU_ONLY?.split(',');
    const want = (key: string) => !only || only.includes(key);
    if (want('gateway')) contenders.push(await gateway(listeners.targets, RATE, 1));
    if (want('floor')) contenders.push(await floor(listeners.targets));
    if (want('blackbox')) contenders.push(await blackbox(listeners.targets));
    if (want('gateway60')) contenders.push(await gateway(listeners.targets, RATE * 60, 60));
  } finally {
    await listeners.close();
  }

  const rows: Row[] = contenders.map((c) =>
    row(`CPU per check: ${c.name}`, '', `${round(perCheck(c), 3)} ms (${round(perSecond(c), 1)} ms/s over ${round(c.checks, 0)} checks; idle ${round(c.idleCpuMsPerSecond, 2)} ms/s)`, null));
  const [gw, fl, bb] = ['gateway (', 'floor', 'blackbox'].map((prefix) => contenders.find((c) => c.name.startsWith(prefix)));
  if (gw && fl) rows.push(row('gateway ÷ floor', '≤ 1.3×', `${round(perCheck(gw) / perCheck(fl), 2)}×`, perCheck(gw) / perCheck(fl) <= 1.3));
  if (gw && bb) rows.push(row('blackbox ÷ gateway', '≥ 4×', `${round(perCheck(bb) / perCheck(gw), 2)}×`, perCheck(bb) / perCheck(gw) >= 4));
  const failures = contenders.map((c) => `${c.name.split(' ')[0]}: ${JSON.stringify(c.failures)}`).join('; ');
  rows.push(row('failed checks / TIME_WAIT after each', 'none / no port exhaustion', `${failures}; TIME_WAIT ${contenders.map((c) => c.timeWaitAfter).join(', ')}`, contenders.every((c) => Object.values(c.failures).every((n) => n === 0))));

  writeReport('cpu', startedAt, rows, { rate: RATE, warmMs: WARM_MS, windowMs: WINDOW_MS, idleMs: IDLE_MS, scrapeEveryMs: SCRAPE_EVERY_MS, targets: listeners.targets.length, contenders });
  console.log(formatTable(rows));
}

await main();
process.exit(0);
