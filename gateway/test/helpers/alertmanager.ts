// Runs Debian's Alertmanager on loopback with a given config, and webhook receivers that record what it sends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireBinary, runTool, waitUntilReady } from './prometheus.js';

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
export const AMTOOL_BIN = process.env.AMTOOL_BIN ?? '/usr/bin/amtool';

/** `amtool check-config`: resolves with its output when the config is valid, rejects with it when not. */
export async function checkAlertmanagerConfig(path: string): Promise<string> {
  requireBinary(AMTOOL_BIN, 'prometheus-alertmanager');
  return runTool(AMTOOL_BIN, ['check-config', path]);
}

export interface RunningAlertmanager {
  url: string;
  /** host:port, as Prometheus' alerting config wants it. */
  hostPort: string;
  dir: string;
  configFile: string;
  stop(): Promise<void>;
}

/** Starts Alertmanager with `config` (YAML), clustering off, and waits until it is ready. */
export async function startAlertmanager(config: string): Promise<RunningAlertmanager> {
  requireBinary(ALERTMANAGER_BIN, 'prometheus-alertmanager');
  const dir = mkdtempSync(join(tmpdir(), 'probekit-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const hostPort = `127.0.0.1:${port}`;
  const child: ChildProcess = spawn(ALERTMANAGER_BIN, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=${hostPort}`,
    // Empty disables clustering: no gossip port, no waiting for peers before the first notification.
    '--cluster.listen-address=',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const url = `http://${hostPort}`;

  await waitUntilReady(child, 'alertmanager', url, () => stderr);

  return {
    url,
    hostPort,
    dir,
    configFile,
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

/** One alert of an Alertmanager webhook notification. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface WebhookReceiver {
  url: string;
  /** Every alert of every notification received, in arrival order. */
  alerts: WebhookAlert[];
  close(): Promise<void>;
}

/** A webhook endpoint on loopback that records the alerts Alertmanager posts to it. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const alerts: WebhookAlert[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => {
      alerts.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    alerts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * An Alertmanager config that sends the alerts of each team to the receiver of that name and the rest to
 * `fallback` (one of them): notified at once (no group wait), grouped by alert name and team, never repeated within a test.
 */
export function teamRoutingConfig(receivers: Record<string, WebhookReceiver>, fallback: string): string {
  if (!(fallback in receivers)) throw new Error(`the fallback receiver ${fallback} is not one of ${Object.keys(receivers).join(', ')}`);
  const teams = Object.keys(receivers).filter((name) => name !== fallback);
  return [
    'route:',
    `  receiver: ${fallback}`,
    '  group_by: [alertname, team]',
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    '  routes:',
    ...teams.flatMap((team) => [`    - matchers: [${JSON.stringify(`team="${team}"`)}]`, `      receiver: ${team}`]),
    'receivers:',
    ...Object.entries(receivers).flatMap(([name, receiver]) => [`  - name: ${name}`, '    webhook_configs:', `      - url: ${JSON.stringify(receiver.url)}`]),
    '',
  ].join('\n');
}
