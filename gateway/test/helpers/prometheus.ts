// Runs Debian's Prometheus on loopback with a temporary config, for tests that need the real engine.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

export function requireBinary(path: string, aptPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: this test runs the real ${aptPackage}. Install it with: apt-get install -y ${aptPackage}`);
  }
}

/** `promtool check rules`: resolves with its output when the file is valid, rejects with it when not. */
export async function checkRules(path: string): Promise<string> {
  requireBinary(PROMTOOL_BIN, 'prometheus');
  return runTool(PROMTOOL_BIN, ['check', 'rules', path]);
}

/** Runs a command line tool to its end; rejects with its output when it exits non-zero. */
export function runTool(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error) reject(new Error(`${bin} ${args.join(' ')} failed: ${output || error.message}`));
      else resolve(output);
    });
  });
}

/** Polls `${url}/-/ready` (Prometheus and Alertmanager both answer it) until 200, failing if the process exits. */
export async function waitUntilReady(child: ChildProcess, name: string, url: string, stderr: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PrometheusOptions {
  /** host:port targets whose /metrics are scraped. */
  targets: string[];
  scrapeIntervalSeconds?: number;
  ruleFiles?: string[];
  evaluationIntervalSeconds?: number;
  /** host:port of an Alertmanager to send alerts to. */
  alertmanager?: string;
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  /** An instant query; returns the result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Polls until `check` returns true for the query result, or fails after `timeoutMs`. */
  waitFor(promql: string, check: (result: Awaited<ReturnType<RunningPrometheus['query']>>) => boolean, timeoutMs?: number): Promise<Awaited<ReturnType<RunningPrometheus['query']>>>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  requireBinary(PROMETHEUS_BIN, 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'probekit-prom-'));
  const port = await freePort();
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${options.evaluationIntervalSeconds ?? 1}s`,
    ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
    ...(options.alertmanager ? ['alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: [${JSON.stringify(options.alertmanager)}]`] : []),
    'scrape_configs:',
    '  - job_name: probekit',
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const child: ChildProcess = spawn(PROMETHEUS_BIN, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const url = `http://127.0.0.1:${port}`;

  await waitUntilReady(child, 'prometheus', url, () => stderr);

  const query: RunningPrometheus['query'] = async (promql) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: any[] } };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data.result;
  };

  return {
    url,
    dir,
    query,
    async waitFor(promql, check, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let last: Awaited<ReturnType<typeof query>> = [];
      while (Date.now() < until) {
        last = await query(promql);
        if (check(last)) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`timed out waiting on ${promql}; last result: ${JSON.stringify(last)}`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
