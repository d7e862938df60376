// Runs the gateway as a child process (built from src into bench/dist, run on bare node), so /proc shows its CPU and memory alone.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../test/helpers/gateway.js';
import { freePort } from '../../test/helpers/prometheus.js';
import { killOnExit, onCleanup, sleep } from './cleanup.js';

export const GATEWAY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

const BUILD_DIR = join(GATEWAY_DIR, 'bench', 'dist');
let built = false;

/**
 * Compiles src/ into bench/dist/gateway/ (git-ignored) once per bench process, so the figures are those of the current source
 * run as in production (node dist/main.js). Not dist/ itself: others may be building or testing from it. tsx is
 * avoided for the measured process because its loader alone costs an idle process 7-12 ms of CPU a second.
 * BENCH_GATEWAY_TSX=1 runs src/main.ts through tsx instead.
 */
export function buildGateway(): string[] {
  if (process.env.BENCH_GATEWAY_TSX === '1') return ['--import', 'tsx', 'src/main.ts'];
  if (!built) {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    try {
      execFileSync(join(GATEWAY_DIR, '..', 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', join(BUILD_DIR, 'gateway')], { cwd: GATEWAY_DIR, stdio: 'inherit' });
    } catch (error) {
      // tsc still emits on type errors (someone else's edit in progress, say); only a missing output is fatal.
      if (!existsSync(join(BUILD_DIR, 'gateway', 'main.js'))) throw error;
      process.stderr.write('warning: tsc reported type errors (above); measuring the JavaScript it emitted anyway\n');
    }
    // src/version.ts reads ../package.json, and the compiled ESM needs "type": "module" from it.
    copyFileSync(join(GATEWAY_DIR, 'package.json'), join(BUILD_DIR, 'package.json'));
    built = true;
  }
  return [join(BUILD_DIR, 'gateway', 'main.js')];
}

export interface GatewayProcess {
  pid: number;
  url: string;
  api: ApiClient;
  dir: string;
  /** SIGTERM, wait for the clean stop (in-flight checks finish, results are written), remove the folder. */
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=...']. */
  nodeFlags?: string[];
}

export async function spawnGateway(options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const entry = buildGateway();
  const dir = mkdtempSync(join(tmpdir(), 'probekit-bench-'));
  const unregisterDir = onCleanup('gateway folder', () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const log = openSync(join(dir, 'gateway.log'), 'w');
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...entry], {
    cwd: GATEWAY_DIR,
    env: {
      PATH: process.env.PATH,
      GATEWAY_DB: join(dir, 'gateway.db'),
      GATEWAY_PORT: String(port),
      GATEWAY_ID: 'bench-gw',
      GATEWAY_API_TOKEN: BENCH_TOKEN,
      GATEWAY_TIME_ZONE: 'UTC',
      GATEWAY_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', log, log],
  });
  const unregister = killOnExit(child, 'gateway');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    // The folder goes at exit, so the log's end goes into the error.
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}:\n${readFileSync(join(dir, 'gateway.log'), 'utf8').slice(-2000)}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('the gateway did not become ready within 30 s');
    await sleep(100);
  }
  return {
    pid: child.pid!,
    url,
    api: new ApiClient(url, BENCH_TOKEN),
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      unregister();
      rmSync(dir, { recursive: true, force: true });
      unregisterDir();
    },
  };
}

/** POST /api/v1/import and fail loudly on anything but 200. */
export async function importDocument(api: ApiClient, document: unknown): Promise<unknown> {
  const response = await api.post('/api/v1/import', document);
  if (response.status !== 200) throw new Error(`import failed with ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
  return response.body;
}

export async function scrapeText(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}
