// The ready stack's files as the tests see them: the compose file, where its mounts land, the plugin's ids, the
// dashboard's queries and the metric names a real gateway exports.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { TestGateway } from '../helpers/gateway.js';
import { testCertificates } from '../helpers/certs.js';
import { startListener, type TestListener } from '../helpers/listeners.js';
import { startTlsServer } from '../helpers/tls-servers.js';
import { freePort } from '../helpers/prometheus.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const repoPath = (...parts: string[]) => join(REPO, ...parts);
export const readText = (...parts: string[]) => readFileSync(repoPath(...parts), 'utf8');
export const readYaml = <T = any>(...parts: string[]): T => parseYaml(readText(...parts)) as T;
export const readJson = <T = any>(...parts: string[]): T => JSON.parse(readText(...parts)) as T;

/** DESIGN.md's id of the status-grid panel nested in the app; the overview dashboard uses it. */
export const GRID_PANEL_ID = 'probekit-probegrid-panel';
/** The Prometheus data source uid that the dashboard, the app's settings and its alert rules refer to. */
export const PROMETHEUS_UID = 'probekit-prometheus';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  user?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { environment?: string; file?: string }>;
  volumes: Record<string, unknown>;
}

export const composeText = () => readText('docker-compose.yml');
export const compose = (): ComposeFile => parseYaml(composeText()) as ComposeFile;

export interface Mount {
  /** A named volume, or a host path relative to the repository root. */
  source: string;
  named: boolean;
  target: string;
  readOnly: boolean;
}

/** A service's volumes in compose's short syntax (source:target[:ro]). */
export function mounts(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((spec) => {
    const [source, target, mode] = spec.split(':') as [string, string, string | undefined];
    const named = !source.startsWith('.') && !source.startsWith('/');
    return { source: named ? source : posix.normalize(source), named, target, readOnly: mode === 'ro' };
  });
}

/** Where a path inside a service's container comes from in the repository, through its bind mounts; null if it does not. */
export function hostPath(service: ComposeService, containerPath: string): string | null {
  const mount = mounts(service)
    .filter((m) => !m.named && (containerPath === m.target || containerPath.startsWith(`${m.target}/`)))
    .sort((a, b) => b.target.length - a.target.length)[0];
  return mount ? join(REPO, mount.source, relative(mount.target, containerPath)) : null;
}

/** `http://name:port` → the compose service `name`, and the port. */
export function serviceAddress(url: string): { service: string; port: number } {
  const parsed = new URL(url);
  return { service: parsed.hostname, port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)) };
}

/** The secret behind a /run/secrets/<name> path. */
export function secretName(path: string): string | null {
  return /^\/run\/secrets\/([A-Za-z0-9_.-]+)$/.exec(path)?.[1] ?? null;
}

/** Every `${VAR}` / `${VAR:-default}` / `${VAR:?message}` the compose file interpolates. */
export function interpolatedVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].sort();
}

/** KEY=value lines of an env file. */
export function envFileKeys(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** The app's plugin.json and the plugin.json of every plugin nested in it (e.g. the status-grid panel). */
export function pluginJsons(): { path: string; id: string; type: string }[] {
  const found: { path: string; id: string; type: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'test') walk(path);
      else if (entry.name === 'plugin.json') {
        const json = JSON.parse(readFileSync(path, 'utf8')) as { id: string; type: string };
        found.push({ path: relative(REPO, path), id: json.id, type: json.type });
      }
    }
  };
  walk(repoPath('grafana-plugin', 'src'));
  return found.sort((a, b) => a.path.length - b.path.length);
}

export const appPluginJson = () => readJson<{ id: string; type: string; dependencies: { grafanaDependency: string } }>('grafana-plugin', 'src', 'plugin.json');

export interface DashboardQuery {
  panel: string;
  refId: string;
  expr: string;
}

/** Every PromQL expression of a dashboard: panel targets and template variable queries. */
export function dashboardQueries(dashboard: any): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const panels = (list: any[]): any[] => list.flatMap((panel) => [panel, ...panels(panel.panels ?? [])]);
  for (const panel of panels(dashboard.panels ?? [])) {
    for (const target of panel.targets ?? []) {
      if (typeof target.expr === 'string') queries.push({ panel: panel.title, refId: target.refId, expr: target.expr });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const expr = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (typeof expr === 'string') queries.push({ panel: `variable ${variable.name}`, refId: variable.name, expr });
  }
  return queries;
}

/** Every datasource uid a dashboard names, in panels, targets and variables. */
export function dashboardDatasourceUids(node: unknown, uids = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => dashboardDatasourceUids(item, uids));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'datasource' && value && typeof value === 'object' && typeof (value as { uid?: unknown }).uid === 'string') {
        uids.add((value as { uid: string }).uid);
      } else if (key === 'datasource' && typeof value === 'string') {
        uids.add(value);
      } else dashboardDatasourceUids(value, uids);
    }
  }
  return uids;
}

export const metricNamesIn = (expr: string) => [...new Set(expr.match(/\btcpprobe_[A-Za-z0-9_:]*/g) ?? [])];

/** The metric names a /metrics text exposes: every family, and a histogram's _bucket, _sum and _count series. */
export function exportedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

export interface ProbedGateway {
  listener: TestListener;
  serverId: number;
  probeIds: { open: number; closed: number; tls: number };
  close(): Promise<void>;
}

/**
 * One probe server ("loopback", role production, site lab) with a probe of an open loopback port, one of a closed
 * port and one of a loopback TLS server (unverified: its certificate's expiry is recorded all the same), checked every
 * second, each run once at once: every per-probe family then has series (success, refused, TLS).
 */
export async function addLoopbackProbes(gw: TestGateway): Promise<ProbedGateway> {
  const listener = await startListener();
  const tlsServer = await startTlsServer({ certificate: (await testCertificates()).leaf });
  const closedPort = await freePort();
  const server = await gw.api.post('/api/v1/servers', { name: 'loopback', role: 'production', site: 'lab' });
  if (server.status !== 201) throw new Error(`creating the server failed: ${JSON.stringify(server.body)}`);
  const probeIds = { open: 0, closed: 0, tls: 0 };
  const probes = [
    ['open', { port: listener.port }],
    ['closed', { port: closedPort }],
    ['tls', { port: tlsServer.port, tls: { serverName: 'localhost', verify: false } }],
  ] as const;
  for (const [name, fields] of probes) {
    const probe = await gw.api.post(`/api/v1/servers/${server.body.id}/probes`, { name, host: '127.0.0.1', intervalSeconds: 1, timeoutMs: 500, ...fields });
    if (probe.status !== 201) throw new Error(`creating probe ${name} failed: ${JSON.stringify(probe.body)}`);
    probeIds[name] = probe.body.id;
    await gw.api.post(`/api/v1/probes/${probe.body.id}/run`);
  }
  return { listener, serverId: server.body.id, probeIds, close: async () => { await Promise.all([listener.close(), tlsServer.close()]); } };
}

export interface AlertInbox {
  url: string;
  /** What it printed, one line per alert. */
  lines: string[];
  /** The notifications it holds (GET /). */
  received(): Promise<{ path: string; receiver?: string; status?: string; alerts: { status: string; labels: Record<string, string> }[] }[]>;
  stop(): Promise<void>;
}

/** Runs provisioning/alert-inbox/alert-inbox.mjs, the stack's stand-in pager, on a free loopback port. */
export async function startAlertInbox(): Promise<AlertInbox> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [repoPath('provisioning', 'alert-inbox', 'alert-inbox.mjs')], {
    env: { ...process.env, ALERT_INBOX_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const deadline = Date.now() + 10_000;
  while (!lines.some((line) => line.startsWith('alert-inbox listening'))) {
    if (child.exitCode !== null) throw new Error(`alert-inbox exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`alert-inbox did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    lines,
    received: async () => (await fetch(`${url}/`)).json() as Promise<any>,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

export const exists = (...parts: string[]) => existsSync(repoPath(...parts));
