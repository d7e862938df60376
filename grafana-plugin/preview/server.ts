// The preview's Grafana server: serves the page and its bundle, the app's settings as provisioned
// (provisioning/grafana/, with the preview's gateway and token), the app's `gateway/*` route proxy (plugin.json
// routes: the first route for the method, its reqRole checked against the preview user's org role, the API token and
// X-Grafana-User added on the server, as Grafana's route proxy does), a data source proxy to the Prometheus, and
// Grafana's folder and alerting APIs (src/test/grafanaAlertingApi.ts, shared with the jsdom tests) with rule states
// from the preview's ruler. The app's pages under /a/, its configuration page under /plugins/ and the provisioned
// dashboard's grid under /d/ are the single page.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pluginJson from '../src/plugin.json' with { type: 'json' };
import { DEFAULT_CONTACT_POINTS, GrafanaAlertingApi } from '../src/test/grafanaAlertingApi';
import { roleIncludes, servePluginSettings, type OrgRole, type PluginSettings, type RawResponse } from '../src/test/grafanaHttp';
import { matchRoute } from '../src/pluginRoutes';
import { provisionedAppJsonData, provisionedContactPoints, provisionedDataSource, type ProvisionedDataSource } from './provisioning';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const ICONS_DIR = join(dirname(require.resolve('@grafana/ui/package.json')), 'dist/public/img/icons');

export type { OrgRole };

export interface PreviewServerOptions {
  /** The bundle built by buildPreview. */
  bundleDir: string;
  gateway: { url: string; token: string };
  prometheusUrl?: string;
  user: { login: string; name?: string; orgRole: OrgRole };
  port?: number;
}

export interface PreviewServer {
  url: string;
  /** Requests the proxy forwarded to the gateway, as `METHOD /path` (the last ones first to go). */
  forwarded: string[];
  /** The app's settings as stored now (provisioned, then as saved on the Configuration page). */
  settings: PluginSettings;
  /** Grafana's folders and alerting: stored rule groups, every rule-group PUT and its schema problems, rule states. */
  alerting: GrafanaAlertingApi;
  /** The Prometheus data source the app's settings name. */
  prometheus: ProvisionedDataSource;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

function page(options: PreviewServerOptions, settings: PluginSettings, prometheusSource: ProvisionedDataSource): string {
  const { login, name, orgRole } = options.user;
  const bootData = {
    assets: { dark: '', light: '' },
    settings: { appSubUrl: '', appUrl: '/', featureToggles: {}, buildInfo: { version: '12.4.10', edition: 'Open Source' }, datasources: {}, panels: {} },
    navTree: [],
    user: { isSignedIn: true, id: 1, login, name: name ?? login, email: `${login}@example.org`, orgId: 1, orgName: 'Main Org.', orgRole, theme: 'dark', timezone: 'browser', locale: 'en-US', language: 'en-US' },
  };
  // Grafana lists a provisioned data source whether or not it answers; without a Prometheus its queries fail.
  const prometheus = { ...prometheusSource, access: 'proxy', readOnly: true, meta: { id: 'prometheus', name: 'Prometheus', type: 'datasource', metrics: true, info: { logos: {} } } };
  const previewBoot = { enabled: settings.enabled, jsonData: settings.jsonData, secureJsonFields: Object.fromEntries(Object.keys(settings.secureJsonData).map((key) => [key, true])), prometheus };
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>probekit · Grafana preview</title>
<link rel="stylesheet" href="/public/preview/app.css">
<style>html, body { margin: 0; }</style>
<script>
window.grafanaBootData = ${json(bootData)};
window.previewBoot = ${json(previewBoot)};
window.__grafana_public_path__ = '/public/';
</script>
</head>
<body class="theme-dark">
<div id="root"></div>
<script type="module" src="/public/preview/app.js"></script>
</body>
</html>
`;
}

function sendRaw(response: ServerResponse, raw: RawResponse): void {
  response.writeHead(raw.status, raw.statusText, Object.fromEntries(raw.headers.entries()));
  response.end(raw.text);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function sendFile(response: ServerResponse, root: string, relative: string): void {
  const path = normalize(join(root, relative));
  if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  createReadStream(path).pipe(response);
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : Buffer.concat(chunks);
}

/** Forwards to `target`, copying status and body; 502 when the target does not answer, as Grafana's proxy. */
async function forward(request: IncomingMessage, response: ServerResponse, target: string, headers: Record<string, string>): Promise<void> {
  const body = await readBody(request);
  try {
    const answer = await fetch(target, { method: request.method, headers, body: body && new Uint8Array(body), signal: AbortSignal.timeout(30_000) });
    const text = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
    response.end(text);
  } catch {
    response.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
  }
}

export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const forwarded: string[] = [];
  const proxyPrefix = `/api/plugin-proxy/${pluginJson.id}/`;
  const settings: PluginSettings = {
    enabled: true,
    pinned: true,
    // The provisioned gateway URL names the compose service; the preview's own gateway stands in for it.
    jsonData: { ...provisionedAppJsonData(), gatewayUrl: options.gateway.url },
    secureJsonData: { gatewayToken: options.gateway.token },
  };
  const prometheus = provisionedDataSource(settings.jsonData.prometheusUid ?? '');
  const alerting = new GrafanaAlertingApi({ user: options.user, folders: [], dataSources: [prometheus] });
  // Grafana's own default contact point, and the provisioned ones.
  alerting.contactPoints = [...DEFAULT_CONTACT_POINTS.filter((point) => point.name === 'grafana-default-email'), ...provisionedContactPoints()];

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://preview.invalid');
    const method = request.method ?? 'GET';
    void (async () => {
      if (url.pathname.startsWith('/public/preview/')) return sendFile(response, options.bundleDir, url.pathname.slice('/public/preview/'.length));
      if (url.pathname.startsWith('/public/build/img/icons/')) {
        // Grafana's build has a spinner icon that @grafana/ui's package does not ship; the rotating sync icon stands in.
        const icon = url.pathname.slice('/public/build/img/icons/'.length).replace(/^unicons\/spinner\.svg$/, 'unicons/sync.svg');
        return sendFile(response, ICONS_DIR, icon);
      }
      if (url.pathname === `/api/plugins/${pluginJson.id}/settings`) {
        const body = await readBody(request);
        return sendRaw(response, servePluginSettings(settings, options.user.orgRole, method, body?.toString('utf8')));
      }
      if (url.pathname.startsWith(proxyPrefix)) {
        const rest = url.pathname.slice(proxyPrefix.length);
        const matched = matchRoute(pluginJson.routes, method, rest);
        if (!matched) return sendJson(response, 404, { message: 'plugin route match not found' });
        if (!roleIncludes(options.user.orgRole, matched.route.reqRole ?? 'Viewer')) {
          return sendJson(response, 403, { message: 'plugin proxy route access denied' });
        }
        // As the route's url and header templates: the settings as stored now.
        const target = `${matched.route.url.replace('{{ .JsonData.gatewayUrl }}', settings.jsonData.gatewayUrl ?? '')}${matched.rest ? `/${matched.rest}` : ''}`;
        forwarded.push(`${method} ${new URL(target).pathname}`);
        const headers: Record<string, string> = { authorization: `Bearer ${settings.secureJsonData.gatewayToken ?? ''}`, 'x-grafana-user': options.user.login };
        if (request.headers['content-type']) headers['content-type'] = request.headers['content-type'];
        return forward(request, response, `${target}${url.search}`, headers);
      }
      const dsPrefix = `/api/datasources/proxy/uid/${prometheus.uid}/`;
      if (url.pathname.startsWith(dsPrefix)) {
        if (!options.prometheusUrl) return sendJson(response, 502, { message: 'the preview runs no Prometheus' });
        return forward(request, response, `${options.prometheusUrl}/${url.pathname.slice(dsPrefix.length)}${url.search}`, {});
      }
      if (url.pathname.startsWith('/api/')) {
        const body = await readBody(request);
        const headers = new Headers(Object.entries(request.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : [])));
        const answer = await alerting.serve(method, url.pathname, url.search, headers, body?.toString('utf8'));
        if (answer) return sendRaw(response, answer);
      }
      if (method === 'GET' && (url.pathname === '/' || /^\/(a|plugins|d)\//.test(url.pathname))) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return response.end(page(options, settings, prometheus));
      }
      return sendJson(response, 404, { message: 'Not found' });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    settings,
    alerting,
    prometheus,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
