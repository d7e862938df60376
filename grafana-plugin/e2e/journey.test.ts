// One user's journey in a real Chromium through the preview host (preview/): the app's pages with real @grafana/ui,
// against a real gateway, a real Prometheus (charts, and the alert rules' states the preview's ruler evaluates) and
// Grafana's alerting API as provisioned. Check the configuration, create a probe server, add a probe to a loopback
// listener, watch it turn up, point it at a closed port and see its alert go pending, compare the alert rules, add a
// probe outside its window, delete; then a server on several locations (this gateway, an agent registered with it that
// may not reach the target, and a name not seen yet) and its probe's state at each; last a shared account with a CA
// and a TLS probe verified through it. A screenshot of each page lands in e2e/screenshots/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { testCertificates, type TestCertificates } from '../../gateway/test/helpers/certs';
import { spawnGateway, type GatewayProcess } from '../../gateway/test/helpers/gateway-process';
import { startTlsServer, type TestTlsServer } from '../../gateway/test/helpers/tls-servers';
import { OVERVIEW_PATH } from '../preview/paths';
import { startPreview, type Preview } from '../preview/host';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from '../src/test/chromium';
import { eventually } from './eventually';

const SCREENSHOTS = join(import.meta.dirname, 'screenshots');
const APP = '/a/probekit-tcpprobe-app';
const AGENT_TOKEN = randomBytes(24).toString('hex');

let preview: Preview;
let context: BrowserContext;
let page: Page;
let profileDir: string;
let agentDir: string;
/** A second location: an agent of the preview's gateway whose GATEWAY_ALLOWED_TARGETS keeps it from loopback targets. */
let agent: GatewayProcess;
let listener: Server;
/** A TLS service on loopback whose certificate the test CA signed; a shared account makes it trusted. */
let tlsServer: TestTlsServer;
let certificates: TestCertificates;
let listenerPort: number;
let closedPort: number;
const pageErrors: string[] = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  requireChromium('the journey');
  // A TCP service on loopback for the probe to find up, and a port that was free a moment ago for it to find down.
  listener = createServer((socket) => socket.end());
  listenerPort = await listen(listener);
  const probeClosed = createServer();
  closedPort = await listen(probeClosed);
  await new Promise<void>((resolve) => probeClosed.close(() => resolve()));

  certificates = await testCertificates();
  tlsServer = await startTlsServer({ certificate: certificates.leaf, banner: '* OK ready\r\n' });
  preview = await startPreview({ user: { login: 'alice', orgRole: 'Admin' }, gatewayEnv: { GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN } });
  agentDir = mkdtempSync(join(tmpdir(), 'probekit-agent-'));
  agent = await spawnGateway({
    GATEWAY_ID: 'branch-fra',
    GATEWAY_DB: join(agentDir, 'gateway.db'),
    GATEWAY_API_TOKEN: randomBytes(24).toString('hex'),
    GATEWAY_CONTROL_PLANE_URL: preview.gateway.url,
    GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
    GATEWAY_ALLOWED_TARGETS: '10.0.0.0/8',
  });
  profileDir = mkdtempSync(join(tmpdir(), 'probekit-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: false, // --headless is in the flags, so Chromium runs exactly with them
    args: ['--headless', ...CHROMIUM_ARGS],
    viewport: { width: 1280, height: 860 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await agent?.stop();
  await tlsServer?.close();
  await preview?.close();
  if (agentDir) rmSync(agentDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});


const visible = (locator: Locator, timeout?: number) => locator.first().waitFor({ state: 'visible', timeout });
const containsText = (locator: Locator, text: string | RegExp) =>
  eventually(async () => {
    const shown = await locator.innerText({ timeout: 1_000 });
    if (typeof text === 'string' ? !shown.includes(text) : !text.test(shown)) throw new Error(`expected ${String(text)} in: ${shown}`);
  });

/** The viewport, or with `fullPage` the whole page (for sections below the fold, such as the alert states). */
const shot = (name: string, options: { fullPage?: boolean } = {}) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), ...options });
const field = (label: string) => page.getByLabel(new RegExp(`^${label}`));
const rowOf = (name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

test('configure, create a server, add a probe, see it up, see it down and its alert pending, compare the rules, delete it', async () => {
  try {
    await journey();
  } catch (error) {
    const path = join(tmpdir(), 'probekit-journey-failure.png');
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n(the page at the failure: ${path}; page errors: ${JSON.stringify(pageErrors)})`, { cause: error });
  }
}, 300_000);

/** Clicks "Refresh states" in the page's thresholds section until its rule states show `text`. */
async function ruleStatesShow(text: string): Promise<void> {
  const section = page.getByRole('region', { name: 'Thresholds and alerts' });
  await eventually(async () => {
    await section.getByRole('button', { name: 'Refresh states' }).click({ timeout: 2_000 });
    await visible(section.getByRole('table').last().getByText(text, { exact: true }), 2_000);
  }, 90_000);
}

/** HH:MM in UTC (the preview gateway's time zone), `hours` from now. */
const utcHhMm = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(11, 16);

async function journey(): Promise<void> {
  // The configuration page, as provisioned: the gateway, a stored token, the Prometheus data source; its test passes.
  await page.goto(`${preview.url}/plugins/probekit-tcpprobe-app`);
  const config = page.getByRole('form', { name: 'App configuration' });
  await eventually(async () => {
    const shown = await config.getByLabel(/^Gateway URL/).inputValue();
    if (shown !== preview.gateway.url) throw new Error(`Gateway URL shows "${shown}"`);
  });
  await containsText(config, preview.server.prometheus.name);
  await config.getByRole('button', { name: 'Test connection' }).click();
  await visible(page.getByLabel('Connection test result'));
  await shot('00-configuration', { fullPage: true });

  // The list of servers, empty.
  await page.goto(`${preview.url}${APP}/servers`);
  await visible(page.getByText('No probe servers yet'));
  await shot('01-servers-empty');

  // A new probe server.
  await page.getByRole('button', { name: /create probe server/i }).first().click();
  await field('Name').fill('erp-prod');
  await field('Description').fill('SAP ERP production, Frankfurt');
  await field('Role').fill('production');
  await field('Site').fill('fra');
  await shot('02-server-form');
  await page.getByRole('button', { name: 'Create probe server' }).click();
  await page.getByRole('link', { name: 'erp-prod', exact: true }).click();

  // Its page, with no probes yet.
  await visible(page.getByText('This server has no probes yet'));
  await containsText(page.getByRole('region', { name: 'Probe server' }), 'production');
  await shot('03-server-empty');

  // A probe to the loopback listener, tested before it is saved.
  await page.getByRole('link', { name: 'Add probe' }).first().click();
  await field('Name').fill('erp-web');
  await field('Description').fill('The ERP web dispatcher users log in through');
  await field('Host').fill('127.0.0.1');
  await field('Port').fill(String(listenerPort));
  await field('Repeat interval').click();
  await page.getByRole('option', { name: /^Every 10 seconds/ }).click();
  await page.getByRole('button', { name: 'Test connection' }).click();
  await containsText(page.getByLabel('Connection test'), 'Connection test: connected in');
  await shot('04-probe-form-tested');
  await page.getByRole('button', { name: 'Create probe' }).click();

  // The new probe's page at once: its first check runs right after saving (or says when it is due).
  await visible(rowOf('erp-web'));
  await rowOf('erp-web').getByRole('link', { name: 'erp-web', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'erp-web' }));
  await visible(page.getByRole('region', { name: 'Probe summary' }));
  const probeUrl = page.url();
  await shot('04a-probe-just-created', { fullPage: true });
  await page.goBack();

  // Back on the server: run it now and see it up.
  await visible(rowOf('erp-web'));
  await page.getByRole('button', { name: 'Run erp-web now' }).click();
  await containsText(page.getByLabel('Run of erp-web'), 'connected in');
  await visible(rowOf('erp-web').getByText('Up', { exact: true }));
  await containsText(rowOf('erp-web'), '127.0.0.1');
  await shot('05-server-probe-up');

  // The probe's page: state, charts from Prometheus, recent results.
  await page.getByRole('link', { name: 'erp-web', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'erp-web' }));
  await visible(page.getByRole('region', { name: 'Probe summary' }).getByText('Up', { exact: true }));
  await visible(page.getByRole('region', { name: 'Recent results' }).getByText('Connected').first());
  if (preview.prometheusUrl) {
    // The last 5 minutes from the time picker; Prometheus scrapes every 2 s, so the first samples are soon in.
    const charts = page.getByRole('region', { name: 'Charts' });
    await visible(charts.getByText('Up or down'));
    await charts.getByRole('button', { name: /Last 6 hours/ }).click();
    await page.getByText('Last 5 minutes', { exact: true }).click();
    await containsText(charts, 'Last 5 minutes');
    // The scene's own refresh button runs its queries again.
    const rerun = () => charts.getByTestId('data-testid RefreshPicker run button').click();
    await eventually(async () => {
      await rerun();
      await visible(charts.getByText('100.00'), 2_000);
    }, 60_000);
    // A few more samples, so that the charts show lines rather than single points.
    await page.waitForTimeout(10_000);
    await rerun();
    await visible(charts.getByText('100.00'));
  }
  await shot('06-probe-detail');

  // Edit: point it at the closed port with a timeout of its own.
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  // Where the last check connected, read-only.
  await eventually(async () => {
    const shown = await field('Actual IPv4').inputValue();
    if (shown !== '127.0.0.1') throw new Error(`Actual IPv4 shows "${shown}"`);
  });
  await field('Port').fill(String(closedPort));
  await page.getByRole('radio', { name: 'Own timeout' }).check();
  await field('Timeout').fill('1500');
  await shot('07-probe-edit');
  await page.getByRole('button', { name: 'Save probe' }).click();
  await visible(page.getByText(`127.0.0.1:${closedPort}, every 10 s`));
  await page.getByRole('button', { name: 'Run erp-web now' }).click();
  await containsText(page.getByLabel('Run of erp-web'), 'connection refused');
  await visible(page.getByRole('region', { name: 'Probe summary' }).getByText('Down', { exact: true }));
  await shot('08-probe-down');

  // Its alert, as the ruler evaluates the synced rule against Prometheus: two failed checks in a row make it pending
  // (firing only after the rule's `for`). The page's charts show the short up-then-down history at the default range.
  await ruleStatesShow('Pending');
  await shot('08a-probe-alert-pending', { fullPage: true });

  // The server's page: its rules and their states (the page's own thresholds section, when it has one).
  await page.getByRole('link', { name: 'erp-prod', exact: true }).first().click();
  await visible(rowOf('erp-web'));
  const serverThresholds = visible(page.getByRole('region', { name: 'Thresholds and alerts' }), 10_000).then(() => true, () => false);
  if (await serverThresholds) await ruleStatesShow('Pending');
  await shot('08b-server-alert-states', { fullPage: true });

  // The Alert rules page: the synced rules, all in sync with what the configuration asks for.
  await page.getByRole('link', { name: 'Alert rules', exact: true }).first().click();
  await visible(page.getByText(/In sync/).first());
  await shot('08c-alert-rules', { fullPage: true });
  // What the page compared: the groups the pages wrote to Grafana, the server's and the gateway-down one.
  expect(preview.server.alerting.groups.map((group) => group.title).sort()).toEqual(['gateways', 'server-1']);

  // The provisioned dashboard's status grid with its own queries against the real Prometheus: the down probe's tile
  // says why it is down and where it connected, without opening the probe.
  await page.goto(`${preview.url}${OVERVIEW_PATH}`);
  const downTile = page.getByRole('gridcell', { name: /erp-web/ });
  await eventually(async () => {
    const label = (await downTile.first().getAttribute('aria-label', { timeout: 1_000 })) ?? '';
    if (!/down/i.test(label) || !/refused/.test(label)) throw new Error(`the erp-web tile says: ${label}`);
  }, 30_000);
  await downTile.first().hover();
  await containsText(page.getByRole('tooltip'), '127.0.0.1');
  await shot('08d-dashboard-grid');
  await page.goBack();

  await page.goto(probeUrl);
  await visible(page.getByRole('region', { name: 'Probe summary' }).getByText('Down', { exact: true }));

  // Delete, after confirming.
  await page.getByRole('button', { name: 'Delete erp-web' }).click();
  const dialog = page.getByRole('dialog');
  await containsText(dialog, 'Delete probe erp-web?');
  await shot('09-delete-confirm');
  await dialog.getByRole('button', { name: 'Delete probe' }).click();
  await visible(page.getByText('This server has no probes yet'));
  await shot('10-server-after-delete');

  // The gateways.
  await page.getByRole('link', { name: 'Gateways' }).click();
  await containsText(page.getByRole('row').filter({ hasText: 'preview' }), 'Online');
  await shot('11-gateways');

  // A probe whose daily window opens in two hours: its page says it is outside its window, not down.
  await page.getByRole('link', { name: 'Probe servers', exact: true }).first().click();
  await page.getByRole('link', { name: 'erp-prod', exact: true }).click();
  await page.getByRole('link', { name: 'Add probe' }).first().click();
  await field('Name').fill('erp-batch');
  await field('Host').fill('127.0.0.1');
  await field('Port').fill(String(listenerPort));
  await field('Time window begin').fill(utcHhMm(2));
  await field('Time window end').fill(utcHhMm(3));
  await page.getByRole('button', { name: 'Create probe' }).click();
  await visible(rowOf('erp-batch'));
  await rowOf('erp-batch').getByRole('link', { name: 'erp-batch', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'erp-batch' }));
  await visible(page.getByRole('region', { name: 'Probe summary' }));
  await shot('12-probe-outside-window', { fullPage: true });

  // A server on several locations: the multi-select offers every gateway with its state and takes a name no gateway
  // has announced yet.
  await page.getByRole('link', { name: 'Probe servers', exact: true }).first().click();
  await page.getByRole('button', { name: /create probe server/i }).first().click();
  await field('Name').fill('erp-eu');
  await field('Role').fill('production');
  await field('Gateways').click();
  await visible(page.getByRole('option', { name: /branch-fra \(online\)/ }));
  await shot('13-server-form-locations');
  await page.getByRole('option', { name: /branch-fra \(online\)/ }).click();
  await field('Gateways').fill('aws-eu');
  await page.getByText('Add gateway "aws-eu" (never seen)').click();
  await visible(page.getByText('aws-eu (never seen)'));
  await page.keyboard.press('Escape');
  await shot('13a-server-form-locations-picked');
  await page.getByRole('button', { name: 'Create probe server' }).click();
  await visible(rowOf('erp-eu'));
  await containsText(rowOf('erp-eu'), 'branch-fra');
  await containsText(rowOf('erp-eu'), 'aws-eu');

  // Its probe at each location: up from here, down from the agent that may not reach loopback, no data from aws-eu.
  await rowOf('erp-eu').getByRole('link', { name: 'erp-eu', exact: true }).click();
  await containsText(page.getByRole('region', { name: 'Probe server' }), 'preview, branch-fra, aws-eu');
  await page.getByRole('link', { name: 'Add probe' }).first().click();
  await field('Name').fill('erp-eu-web');
  await field('Host').fill('127.0.0.1');
  await field('Port').fill(String(listenerPort));
  await field('Repeat interval').click();
  await page.getByRole('option', { name: /^Every 10 seconds/ }).click();
  await page.getByRole('button', { name: 'Create probe' }).click();
  await visible(rowOf('erp-eu-web'));
  await rowOf('erp-eu-web').getByRole('link', { name: 'erp-eu-web', exact: true }).click();
  const locations = page.getByRole('table', { name: 'Locations' });
  await eventually(async () => {
    await page.getByRole('button', { name: 'Refresh', exact: true }).click({ timeout: 2_000 });
    await visible(locations.getByRole('row').filter({ hasText: 'preview' }).getByText('Up', { exact: true }), 2_000);
    await visible(locations.getByRole('row').filter({ hasText: 'branch-fra' }).getByText('Down', { exact: true }), 2_000);
  }, 60_000);
  await containsText(locations.getByRole('row').filter({ hasText: 'branch-fra' }), 'outside GATEWAY_ALLOWED_TARGETS');
  await containsText(page.getByRole('region', { name: 'Probe summary' }), 'down at 1 of 3 locations, up at 1, no data from 1');
  await containsText(page.getByRole('region', { name: 'Thresholds and alerts' }), 'alerts when 2 of 3 locations see it down');
  await shot('14-probe-locations', { fullPage: true });

  // Shared accounts (admins): one holding the test CA, a server that uses it, and a TLS probe to a loopback TLS
  // server verified through it, tested before saving: the handshake and the certificate's expiry in days.
  await page.getByRole('link', { name: 'Shared accounts', exact: true }).first().click();
  await visible(page.getByText('No shared accounts yet'));
  await page.getByRole('button', { name: 'Create shared account' }).first().click();
  await field('Name').fill('test-ca');
  await field('CA bundle').fill(certificates.ca.cert);
  await page.getByRole('button', { name: 'Create shared account' }).click();
  await containsText(page.getByRole('table', { name: 'Shared accounts' }), 'CN=probekit test CA (self-signed), expires in');
  await shot('15-shared-accounts');
  await page.goto(`${preview.url}${APP}/servers/new`);
  await field('Name').fill('mail');
  await field('Shared account').click();
  await page.getByRole('option', { name: 'test-ca' }).click();
  await page.getByRole('button', { name: 'Create probe server' }).click();
  await rowOf('mail').getByRole('link', { name: 'mail', exact: true }).click();
  await page.getByRole('link', { name: 'Add probe' }).first().click();
  await field('Name').fill('mail-tls');
  await field('Host').fill('127.0.0.1');
  await field('Port').fill(String(tlsServer.port));
  await field('Use TLS').check({ force: true });
  await field('Server name').fill('localhost');
  await field('Preset').click();
  await page.getByRole('option', { name: /^Generic banner/ }).click();
  await page.getByRole('button', { name: 'Test connection' }).click();
  const tested = page.getByLabel('Connection test');
  await containsText(tested, /Certificate expires\s*in 36[45]/);
  await containsText(tested, 'CN=probekit test CA');
  await containsText(page.getByRole('table', { name: 'Transcript' }), 'ready');
  await shot('16-probe-form-tls-tested', { fullPage: true });

  // Everything went through the Grafana-style proxy to the real gateway.
  expect(preview.server.forwarded).toEqual(
    expect.arrayContaining(['POST /api/v1/servers', 'POST /api/v1/check', 'PATCH /api/v1/probes/1', 'DELETE /api/v1/probes/1']),
  );
  // Every rule group the pages wrote was valid for Grafana's schema and accepted.
  const { alerting } = preview.server;
  expect(alerting.puts.length).toBeGreaterThan(0);
  expect(alerting.schemaViolations.map((put) => put.schemaProblems)).toEqual([]);
  expect(alerting.puts.map((put) => `${put.group}: ${put.status}`).filter((line) => !line.endsWith(': 200'))).toEqual([]);
  expect(pageErrors).toEqual([]);
}
