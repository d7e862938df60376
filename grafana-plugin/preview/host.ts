// The preview host: the app's pages in a browser against a real gateway. Starts (or uses) a gateway, optionally a
// Prometheus that scrapes it (for the probe charts and the alert rules' states, evaluated by the preview's ruler),
// bundles the page and serves it as the provisioned Grafana would.
//
//   npm run preview -w @probekit/grafana-plugin            # a fresh gateway on loopback, Prometheus when installed
//   PREVIEW_GATEWAY_URL=http://127.0.0.1:8080 PREVIEW_GATEWAY_TOKEN=... npm run preview -w @probekit/grafana-plugin
//   PREVIEW_ROLE=Viewer PREVIEW_PORT=3000 ...              # who is signed in, where to listen
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway } from '../../gateway/test/helpers/gateway-process';
import { PROMETHEUS_BIN, startPrometheus, type RunningPrometheus } from '../../gateway/test/helpers/prometheus';
import { buildPreview } from './build';
import { startRuler, type PreviewRuler } from './ruler';
import { startPreviewServer, type OrgRole, type PreviewServer } from './server';

export interface PreviewOptions {
  /** An existing gateway; without it a fresh one starts on loopback with its own SQLite file. */
  gateway?: { url: string; token: string };
  /** GATEWAY_* settings of the fresh gateway. */
  gatewayEnv?: Record<string, string>;
  /** Start Debian's Prometheus scraping the gateway every 2 s (default: when it is installed). */
  prometheus?: boolean;
  user?: { login: string; orgRole: OrgRole };
  port?: number;
}

export interface Preview {
  url: string;
  gateway: { url: string; token: string };
  prometheusUrl?: string;
  server: PreviewServer;
  /** Evaluates the stored alert rules against the Prometheus; absent without one (states then stay unevaluated). */
  ruler?: PreviewRuler;
  close(): Promise<void>;
}

export async function startPreview(options: PreviewOptions = {}): Promise<Preview> {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-preview-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const bundleDir = join(dir, 'bundle');
    const built = buildPreview(bundleDir);

    let gateway = options.gateway;
    if (!gateway) {
      const token = randomBytes(24).toString('hex');
      const process = await spawnGateway({
        GATEWAY_ID: 'preview',
        GATEWAY_DB: join(dir, 'gateway', 'gateway.db'),
        GATEWAY_API_TOKEN: token,
        ...options.gatewayEnv,
      });
      cleanups.push(() => process.stop());
      gateway = { url: process.url, token };
    }

    let prometheus: RunningPrometheus | undefined;
    if (options.prometheus ?? existsSync(PROMETHEUS_BIN)) {
      prometheus = await startPrometheus({ targets: [new URL(gateway.url).host], scrapeIntervalSeconds: 2 });
      cleanups.push(() => prometheus!.stop());
    }

    await built;
    const server = await startPreviewServer({
      bundleDir,
      gateway,
      prometheusUrl: prometheus?.url,
      user: { login: 'admin', orgRole: 'Admin', ...options.user },
      port: options.port,
    });
    cleanups.push(() => server.close());
    const ruler = prometheus && startRuler(server.alerting, prometheus.url);
    if (ruler) cleanups.push(() => ruler.stop());
    return { url: server.url, gateway, prometheusUrl: prometheus?.url, server, ruler, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function main(): Promise<void> {
  const env = process.env;
  const preview = await startPreview({
    gateway: env.PREVIEW_GATEWAY_URL ? { url: env.PREVIEW_GATEWAY_URL, token: env.PREVIEW_GATEWAY_TOKEN ?? '' } : undefined,
    user: { login: env.PREVIEW_USER ?? 'admin', orgRole: (env.PREVIEW_ROLE as OrgRole | undefined) ?? 'Admin' },
    port: env.PREVIEW_PORT ? Number(env.PREVIEW_PORT) : undefined,
  });
  console.log(`preview: ${preview.url}/a/probekit-tcpprobe-app/servers (configuration: ${preview.url}/plugins/probekit-tcpprobe-app)`);
  console.log(`gateway: ${preview.gateway.url}${preview.prometheusUrl ? `, prometheus: ${preview.prometheusUrl}` : ' (no Prometheus: charts stay empty)'}`);
  const stop = () => void preview.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
