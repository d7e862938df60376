// Runs Debian's prometheus-blackbox-exporter on loopback with a tcp_connect module, its config in a temp folder.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/prometheus.js';
import { killOnExit, sleep } from './cleanup.js';

export const BLACKBOX_BIN = process.env.BLACKBOX_BIN ?? '/usr/bin/prometheus-blackbox-exporter';

export interface Blackbox {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

const CONFIG = `modules:
  tcp_connect:
    prober: tcp
    timeout: 2s
    tcp:
      preferred_ip_protocol: ip4
`;

/** `config`: the blackbox.yml text (default: the tcp_connect module above). */
export async function startBlackbox(config = CONFIG): Promise<Blackbox> {
  if (!existsSync(BLACKBOX_BIN)) throw new Error(`${BLACKBOX_BIN} is missing: apt-get install -y prometheus-blackbox-exporter`);
  const dir = mkdtempSync(join(tmpdir(), 'probekit-blackbox-'));
  writeFileSync(join(dir, 'blackbox.yml'), config);
  const port = await freePort();
  const child = spawn(BLACKBOX_BIN, [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const unregister = killOnExit(child, 'blackbox');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`blackbox_exporter exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/-/healthy`)).ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error('blackbox_exporter did not start within 15 s');
    await sleep(100);
  }
  return {
    pid: child.pid!,
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface DriveResult {
  issued: number;
  /** performance.now() of every answered /probe, for counting the probes inside a window. */
  answeredAt: number[];
  succeeded: number;
  failed: number;
}

/**
 * Sends GET /probe?module=tcp_connect&target=... at `rate` for `durationMs`, as Prometheus would, over kept-alive
 * connections (so blackbox is not charged for accepting a new HTTP connection per probe).
 */
export async function driveBlackbox(url: string, targets: { host: string; port: number }[], rate: number, durationMs: number, module = 'tcp_connect'): Promise<DriveResult> {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const result: DriveResult = { issued: 0, answeredAt: [], succeeded: 0, failed: 0 };
  let open = 0;
  const probe = (i: number) => {
    const target = targets[i % targets.length]!;
    open++;
    const req = request(`${url}/probe?module=${module}&target=${target.host}:${target.port}`, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => {
        open--;
        result.answeredAt.push(performance.now());
        if (res.statusCode === 200 && /^probe_success 1$/m.test(body)) result.succeeded++;
        else result.failed++;
      });
    });
    req.on('error', () => { open--; result.failed++; });
    req.end();
  };
  const { pace } = await import('./rate.mjs');
  result.issued = (await pace(rate, durationMs, probe)).issued;
  const until = performance.now() + 5000;
  while (open > 0 && performance.now() < until) await sleep(10);
  agent.destroy();
  return result;
}
