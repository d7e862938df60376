// Bench "deep-checks": (a) CPU per plain check through the gateway's check function beside the bare net.connect loop
// (the cpu bench's floor), to show deeper checks left the plain path's cost alone; (b) CPU per TLS check (checkProbe
// with tls, verify on, the CA from the account's caBundle) beside blackbox_exporter's tcp module with tls: true, on the
// same loopback TLS servers. Fixed rates; each contender runs alone in its own process, its CPU read from /proc.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AccountMaterial, CheckRequest } from '../src/probing/types.js';
import { testCertificates } from '../test/helpers/certs.js';
import { driveBlackbox, startBlackbox } from './lib/blackbox.js';
import { killOnExit, onCleanup, sleep } from './lib/cleanup.js';
import { buildGateway, GATEWAY_DIR } from './lib/gateway-process.js';
import { loopbackHosts, startListenerProcess, type ListenerProcess, type Target } from './lib/listeners.js';
import { loadAverage, measureCpu, type CpuWindow } from './lib/proc.js';
import { formatTable, log, row, writeReport, type Row } from './lib/results.js';
import { round } from './lib/stats.js';
import { startTlsListenerProcess } from './lib/tls-listeners.js';

const env = process.env;
const RATE = Number(env.BENCH_RATE ?? 500);
/** TLS checks cost the targets a handshake each too (on the same two cores): a lower rate keeps the servers unsaturated. */
const TLS_RATE = Number(env.BENCH_TLS_RATE ?? 100);
const WARM_MS = Number(env.BENCH_WARM_MS ?? 10_000);
const WINDOW_MS = Number(env.BENCH_WINDOW_MS ?? 30_000);
const IDLE_MS = Number(env.BENCH_IDLE_MS ?? 10_000);
const ROUNDS = Number(env.BENCH_DEEP_ROUNDS ?? 2);
/** plain, tls (default both) */
const ONLY = env.BENCH_DEEP_ONLY?.split(',');
const SLICES = 3;
const TIMEOUT_MS = 2000;
/** The leaf of test/helpers/certs.ts is for localhost (and 127.0.0.1, ::1): both checkers verify that name. */
const SERVER_NAME = 'localhost';

// The contenders, as their rows name them.
const PLAIN_CHECK = 'gateway check function, plain (checkProbe → checkTcp)';
const BARE = 'bare net.connect loop';
const TLS_CHECK = 'gateway check function, TLS (checkProbe, verify on, CA from the account)';
const BLACKBOX = 'blackbox_exporter (tcp prober, tls: true, via /probe)';

interface Run {
  name: string;
  kind: 'plain' | 'tls';
  checks: number;
  cpu: CpuWindow;
  idleCpuMsPerSecond: number;
  /** Checks that did not succeed; for the gateway's TLS checks also those that returned without a handshake. */
  failures: number;
  /** The TLS servers' CPU per check in the same window (TLS runs): what each checker's handshakes cost the targets. */
  serverCpuMsPerCheck: number | null;
  /** 1-minute load average of the host at the start and end of the window (others may share the machine). */
  loadAverage: [number, number];
  detail: Record<string, unknown>;
}

const perCheck = (r: Run) => r.cpu.cpuMs / r.checks;
const perSecond = (r: Run) => (r.cpu.cpuMs * 1000) / r.cpu.wallMs;
/** Per check with the process's idle CPU (timers, GC of an idle heap) taken out: for the JSON, the rows keep the raw figure. */
const perCheckNetOfIdle = (r: Run) => (r.cpu.cpuMs - (r.idleCpuMsPerSecond * r.cpu.wallMs) / 1000) / r.checks;

/**
 * A paced client in its own process (floor-client.mjs or check-driver.mjs: both print "ready", idle IDLE_MS, run
 * for the warm-up and the window at `rate`, then print a JSON summary): its idle baseline, then its CPU over the window.
 */
async function pacedChild(name: string, kind: Run['kind'], args: string[], rate: number, server: ListenerProcess | null): Promise<Run & { summary: Record<string, unknown> }> {
  const child = spawn(process.execPath, args, { cwd: GATEWAY_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
  const unregister = killOnExit(child, name);
  const lines = createInterface({ input: child.stdout! });
  const output: string[] = [];
  lines.on('line', (line) => output.push(line));
  while (output.length === 0 && child.exitCode === null) await sleep(20);
  if (output[0] !== 'ready') throw new Error(`${name} did not start (${child.exitCode ?? output[0]})`);
  log(`${name}: idle ${IDLE_MS / 1000} s, warming ${WARM_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s at ${rate}/s`);
  const idle = await measureCpu(child.pid!, Math.max(100, IDLE_MS - 500), 1);
  await sleep(Math.min(500, IDLE_MS) + WARM_MS);
  const load = loadAverage();
  const [cpu, serverCpu] = await Promise.all([
    measureCpu(child.pid!, WINDOW_MS, SLICES),
    server ? measureCpu(server.pid, WINDOW_MS, 1) : Promise.resolve(null),
  ]);
  const loadAfter = loadAverage();
  await once(child, 'exit');
  unregister();
  const summary = JSON.parse(output.at(-1)!) as Record<string, unknown>;
  const checks = (rate * cpu.wallMs) / 1000;
  return {
    name, kind, checks, cpu, summary,
    idleCpuMsPerSecond: (idle.cpuMs * 1000) / idle.wallMs,
    failures: Number(summary.failed ?? 0),
    serverCpuMsPerCheck: serverCpu ? serverCpu.cpuMs / checks : null,
    loadAverage: [load, loadAfter],
    detail: summary,
  };
}

const childDuration = () => String(WARM_MS + WINDOW_MS + 1000);

/** The bare loop: connect, time, destroy on connect, paced as everything else (the cpu bench's "floor"). */
function bareLoop(targets: Target[]): Promise<Run> {
  return pacedChild(BARE, 'plain', ['bench/lib/floor-client.mjs', String(RATE), childDuration(), JSON.stringify(targets), String(IDLE_MS)], RATE, null);
}

/** The gateway's check function (compiled, bare node) at `rate`, every request merged with `request`. */
async function checkFunction(name: string, kind: Run['kind'], distDir: string, targets: Target[], rate: number, request: Partial<CheckRequest>, server: ListenerProcess | null): Promise<Run> {
  const run = await pacedChild(name, kind, ['bench/lib/check-driver.mjs', distDir, String(rate), childDuration(), JSON.stringify(targets), String(IDLE_MS), JSON.stringify(request)], rate, server);
  if (kind === 'tls') {
    // A check that "succeeded" without a handshake did not do what is measured (a dispatcher that ignores tls).
    const completed = Number(run.summary.completed ?? 0);
    run.failures = Math.max(run.failures, completed - Number(run.summary.withTls ?? 0));
    if (Number(run.summary.withTls ?? 0) === 0) log(`warning: ${name}: no result had a handshake (${String(run.summary.checkFunction)} does not do TLS?)`);
  }
  return run;
}

function blackboxTlsConfig(caFile: string): string {
  return `modules:
  tcp_tls:
    prober: tcp
    timeout: ${TIMEOUT_MS / 1000}s
    tcp:
      preferred_ip_protocol: ip4
      tls: true
      tls_config:
        ca_file: ${caFile}
        server_name: ${SERVER_NAME}
        insecure_skip_verify: false
`;
}

/** blackbox_exporter's tcp prober with tls: true, driven by /probe at TLS_RATE; only its own process's CPU counts. */
async function blackboxTls(caFile: string, server: ListenerProcess): Promise<Run> {
  const bb = await startBlackbox(blackboxTlsConfig(caFile));
  try {
    log(`blackbox_exporter (tcp, tls: true): idle ${IDLE_MS / 1000} s, warming ${WARM_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s at ${TLS_RATE}/s`);
    const idle = await measureCpu(bb.pid, IDLE_MS, 1);
    const drive = driveBlackbox(bb.url, server.targets, TLS_RATE, WARM_MS + WINDOW_MS + 1000, 'tcp_tls');
    await sleep(WARM_MS);
    const windowStart = performance.now();
    const load = loadAverage();
    const [cpu, serverCpu] = await Promise.all([measureCpu(bb.pid, WINDOW_MS, SLICES), measureCpu(server.pid, WINDOW_MS, 1)]);
    const windowEnd = windowStart + cpu.wallMs;
    const loadAfter = loadAverage();
    const driven = await drive;
    const checks = driven.answeredAt.filter((t) => t >= windowStart && t < windowEnd).length;
    return {
      name: BLACKBOX, kind: 'tls', checks, cpu,
      idleCpuMsPerSecond: (idle.cpuMs * 1000) / idle.wallMs,
      failures: driven.failed,
      serverCpuMsPerCheck: serverCpu.cpuMs / Math.max(1, checks),
      loadAverage: [load, loadAfter],
      detail: { issued: driven.issued, succeeded: driven.succeeded, failed: driven.failed },
    };
  } finally {
    await bb.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const want = (key: string) => !ONLY || ONLY.includes(key);
  const entry = buildGateway().at(-1)!;
  if (!entry.endsWith('.js')) throw new Error('deep-checks measures the compiled check function: unset BENCH_GATEWAY_TSX');
  const distDir = dirname(entry);

  const certs = await testCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'probekit-deep-checks-'));
  const unregisterDir = onCleanup('deep-checks folder', () => rmSync(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, certs.ca.cert);
  const account: AccountMaterial = { caBundle: certs.ca.cert, clientCert: null, clientKey: null, username: null, password: null };
  const tlsRequest: Partial<CheckRequest> = { timeoutMs: TIMEOUT_MS, tls: { serverName: SERVER_NAME, verify: true, minVersion: null }, account };

  const plainServers = want('plain') ? await startListenerProcess(loopbackHosts(4), 4) : null;
  const tlsServers = want('tls') ? await startTlsListenerProcess(loopbackHosts(4), 4, certs.leaf) : null;
  const runs: Run[] = [];
  try {
    log(`plain rate ${RATE}/s, TLS rate ${TLS_RATE}/s, ${ROUNDS} rounds, window ${WINDOW_MS / 1000} s; check function from ${distDir}`);
    // Rounds alternate the contenders, so a neighbour's load on a shared machine hits them alike.
    for (let i = 0; i < ROUNDS; i++) {
      if (plainServers) {
        runs.push(await checkFunction(PLAIN_CHECK, 'plain', distDir, plainServers.targets, RATE, { timeoutMs: TIMEOUT_MS }, null));
        runs.push(await bareLoop(plainServers.targets));
      }
      if (tlsServers) {
        runs.push(await checkFunction(TLS_CHECK, 'tls', distDir, tlsServers.targets, TLS_RATE, tlsRequest, tlsServers));
        runs.push(await blackboxTls(caFile, tlsServers));
      }
    }
  } finally {
    await plainServers?.close();
    await tlsServers?.close();
    rmSync(dir, { recursive: true, force: true });
    unregisterDir();
  }

  const names = [...new Set(runs.map((r) => r.name))];
  const medianPerCheck = new Map(names.map((n) => [n, median(runs.filter((r) => r.name === n).map(perCheck))]));
  const rows: Row[] = names.map((name) => {
    const mine = runs.filter((r) => r.name === name);
    const detail = mine.map((r) => {
      const server = r.serverCpuMsPerCheck === null ? '' : `, TLS servers ${round(r.serverCpuMsPerCheck, 3)} ms/check`;
      return `${round(perCheck(r), 3)} (${round(perSecond(r), 0)} ms/s, idle ${round(r.idleCpuMsPerSecond, 1)} ms/s${server}, load ${r.loadAverage[0]})`;
    }).join('; ');
    const rate = mine[0]!.kind === 'tls' ? TLS_RATE : RATE;
    return row(`CPU ms per check @ ${rate}/s: ${name}`, '', `**${round(medianPerCheck.get(name)!, 3)} ms** (median of ${mine.length}: ${detail})`, null);
  });
  const [plain, bare, tls, blackbox] = [PLAIN_CHECK, BARE, TLS_CHECK, BLACKBOX].map((n) => medianPerCheck.get(n));
  if (plain && bare) rows.push(row('plain check function ÷ bare loop', '≤ 1.3×', `${round(plain / bare, 2)}×`, plain / bare <= 1.3));
  if (tls && blackbox) rows.push(row('blackbox_exporter ÷ gateway, per TLS check', '', `${round(blackbox / tls, 2)}×`, null));
  if (tls && plain) rows.push(row('TLS check ÷ plain check (gateway)', '', `${round(tls / plain, 1)}×`, null));
  rows.push(row('failed checks (all runs)', '0', `${runs.reduce((sum, r) => sum + r.failures, 0)} (${runs.map((r) => r.failures).join(', ')})`, runs.every((r) => r.failures === 0)));

  const checkFunctionUsed = runs.find((r) => r.name === PLAIN_CHECK || r.name === TLS_CHECK)?.detail.checkFunction ?? null;
  writeReport('deep-checks', startedAt, rows, {
    rate: RATE, tlsRate: TLS_RATE, rounds: ROUNDS, warmMs: WARM_MS, windowMs: WINDOW_MS, idleMs: IDLE_MS, timeoutMs: TIMEOUT_MS,
    targets: 16, serverName: SERVER_NAME, checkFunction: checkFunctionUsed,
    runs: runs.map((r) => ({ ...r, cpuMsPerCheck: perCheck(r), cpuMsPerCheckNetOfIdle: perCheckNetOfIdle(r) })),
  });
  console.log(formatTable(rows));
}

await main();
process.exit(0);
