// The probe server page against a real gateway: probes with real up/down states from loopback listeners, why a probe
// has no data, the server's own thresholds, run now, delete with confirmation, empty states and what each role may do.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { closedPortUrl, startHttpStub, type HttpStub } from '../../test/httpStub';
import { renderApp } from '../../test/render';
import { STATUS_REFRESH_MS } from './ProbeServerPage';
import { OPENS_IN_2H, windowOpeningIn2h } from '../../components/ProbeState/windowsForTests';
import { slotHolder, statusWhen } from '../../components/ProbeState/missedSlotsForTests';

// The first render of a page in jsdom (Grafana's styles, the table) takes a second or two.
configure({ asyncUtilTimeout: 10_000 });

let gateway: TestGateway;
let listener: HttpStub;
let openPort: number;
let closedPort: number;
beforeEach(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
  // A loopback listener that accepts connections (probes to it are up) and a port nothing listens on (down).
  listener = await startHttpStub((_request, response) => response.end('ok'));
  openPort = Number(new URL(listener.url).port);
  closedPort = Number(new URL(await closedPortUrl()).port);
});
afterEach(async () => {
  await Promise.all([gateway.close(), listener.close()]);
});

async function seedServer() {
  return gateway.seed.createServer({
    name: 'erp-prod',
    description: 'SAP ERP production',
    role: 'production',
    site: 'fra',
    owner: 'alice',
    organization: 'Finance',
    connectTimeoutMs: 1500,
  });
}

/** up (run), down (run), outside its window (no data, never run), disabled. */
async function seedProbes(serverId: number) {
  const { seed } = gateway;
  const up = await seed.createProbe(serverId, { name: 'web', host: '127.0.0.1', port: openPort });
  const down = await seed.createProbe(serverId, { name: 'closed', host: '127.0.0.1', port: closedPort });
  const later = await seed.createProbe(serverId, { name: 'later', host: 'localhost', port: openPort, ...windowOpeningIn2h() });
  const off = await seed.createProbe(serverId, { name: 'off', host: '127.0.0.1', port: openPort, enabled: false });
  await seed.runProbe(up.id);
  await seed.runProbe(down.id);
  return { up, down, later, off };
}

function renderServer(serverId: number, orgRole: OrgRole = 'Admin') {
  const grafana = installFakeGrafana({ gateway, user: { login: 'carol', orgRole } });
  return { grafana, ...renderApp(App, grafana, `/a/probekit-tcpprobe-app/servers/${serverId}`) };
}

const rowOf = (probeName: string) => within(screen.getByRole('link', { name: probeName }).closest('tr')!);

describe('probe server page', () => {
  test('shows the server and every probe with its state, connect time, last check, failure reason and actual address', async () => {
    const server = await seedServer();
    await seedProbes(server.id);
    renderServer(server.id, 'Viewer');

    expect(await screen.findByRole('heading', { name: 'erp-prod' })).toBeInTheDocument();
    expect(screen.getByText('SAP ERP production')).toBeInTheDocument();
    const header = within(screen.getByRole('region', { name: 'Probe server' }));
    for (const text of ['production', 'fra', 'gw-test', 'alice', 'Finance', '1500 ms']) expect(header.getByText(text)).toBeInTheDocument();

    await screen.findByRole('link', { name: 'web' });
    await waitFor(() => expect(rowOf('web').getByText('Up')).toBeInTheDocument());
    expect(rowOf('web').getByText(`127.0.0.1:${openPort} every 5 min`)).toBeInTheDocument();
    expect(rowOf('web').getByText(/^\d+(\.\d+)? ms$/)).toBeInTheDocument();
    expect(rowOf('web').getAllByText('127.0.0.1').length).toBeGreaterThanOrEqual(2); // actual host and actual IPv4
    expect(rowOf('web').getByText(/seconds? ago|a few seconds ago/)).toBeInTheDocument();

    expect(rowOf('closed').getByText('Down')).toBeInTheDocument();
    expect(rowOf('closed').getByText(`Connection refused: connect ECONNREFUSED 127.0.0.1:${closedPort}`)).toBeInTheDocument();
    expect(rowOf('later').getByText('No data')).toBeInTheDocument();
    expect(rowOf('later').getByText(/^outside its window, opens at/)).toHaveTextContent(OPENS_IN_2H);
    expect(rowOf('later').getByText('never')).toBeInTheDocument();
    expect(rowOf('off').getByText('Disabled')).toBeInTheDocument();
    expect(rowOf('off').getByText('the probe does not run')).toBeInTheDocument();
    expect(screen.getByLabelText('Probe states summary')).toHaveTextContent('Up: 1 · Down: 1 · No data: 1 · Disabled: 1');
    expect(screen.getByRole('link', { name: 'web' })).toHaveAttribute('href', expect.stringMatching(/\/a\/probekit-tcpprobe-app\/probes\/\d+$/));
  });

  test('a server on several locations lists them, and each probe says how many see it up and down', async () => {
    const server = await gateway.seed.createServer({ name: 'erp-eu', gateways: ['gw-test', 'aws-eu'] });
    const probe = await gateway.seed.createProbe(server.id, { name: 'web', host: '127.0.0.1', port: openPort });
    await gateway.seed.runProbe(probe.id);
    renderServer(server.id, 'Viewer');

    const header = within(await screen.findByRole('region', { name: 'Probe server' }));
    expect(header.getByText('Locations (2)', { selector: 'dt' }).nextElementSibling).toHaveTextContent('gw-test, aws-eu');
    await screen.findByRole('link', { name: 'web' });
    // This gateway sees it up; aws-eu has never reported.
    await waitFor(() => expect(rowOf('web').getByText('up at 1 of 2 locations, no data from 1')).toBeInTheDocument());
  });

  test('a new probe gets its first result at once; run now checks it again and shows the result', async () => {
    const server = await seedServer();
    const probe = await gateway.seed.createProbe(server.id, { name: 'web', host: '127.0.0.1', port: openPort });
    const { user } = renderServer(server.id, 'Editor');
    await screen.findByRole('link', { name: 'web' });
    // The gateway checks a saved probe right away; the page's refresh picks the result up.
    await waitFor(() => expect(rowOf('web').getByText('Up')).toBeInTheDocument(), { timeout: STATUS_REFRESH_MS + 5000 });

    await user.click(rowOf('web').getByRole('button', { name: 'Run web now' }));
    const result = await screen.findByLabelText('Run of web');
    expect(within(result).getByText(/Run of web: connected in/)).toBeInTheDocument();
    expect(within(result).getByText('Connected')).toBeInTheDocument();
    expect(within(result).getByText('gw-test')).toBeInTheDocument();
    await waitFor(() => expect(rowOf('web').getByText('Up')).toBeInTheDocument());
    const results = await gateway.seed.request<{ items: unknown[] }>('GET', `/api/v1/probes/${probe.id}/results`);
    expect(results.items).toHaveLength(2);
  });

  test('a probe without data says why: outside its window and when it opens, its gateway offline, disabled, its server disabled', async () => {
    const server = await seedServer();
    await gateway.seed.createProbe(server.id, { name: 'night', host: '127.0.0.1', port: openPort, ...windowOpeningIn2h() });
    await gateway.seed.createProbe(server.id, { name: 'off', host: '127.0.0.1', port: openPort, enabled: false });
    renderServer(server.id, 'Viewer');
    await screen.findByRole('link', { name: 'night' });
    // The states come from /status, a moment after the probes.
    expect(await rowOf('night').findByText(/^outside its window, opens at/)).toHaveTextContent(OPENS_IN_2H);
    expect(rowOf('night').getByText('No data')).toBeInTheDocument();
    expect(rowOf('off').getByText('Disabled')).toBeInTheDocument();
    expect(rowOf('off').getByText('the probe does not run')).toBeInTheDocument();

    const far = await gateway.seed.createServer({ name: 'branch', gateway: 'gw-branch' });
    await gateway.seed.createProbe(far.id, { name: 'till', host: '127.0.0.1', port: openPort });
    renderServer(far.id, 'Viewer');
    await screen.findByRole('link', { name: 'till' });
    expect(await rowOf('till').findByText('its gateway is offline, so no results arrive')).toBeInTheDocument();
    expect(rowOf('till').getByText('No data')).toBeInTheDocument();

    const paused = await gateway.seed.createServer({ name: 'paused', enabled: false });
    await gateway.seed.createProbe(paused.id, { name: 'idle', host: '127.0.0.1', port: openPort });
    renderServer(paused.id, 'Viewer');
    await screen.findByRole('link', { name: 'idle' });
    expect(await rowOf('idle').findByText('its server is disabled, so none of its probes run')).toBeInTheDocument();
    expect(rowOf('idle').getByText('Disabled')).toBeInTheDocument();
  });

  test('a slot the busy gateway skipped shows as skipped, not as the old result', async () => {
    // One check at a time: while the holder's check waits out its timeout, the probe's slots queue and are skipped.
    await gateway.close();
    gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8', GATEWAY_MAX_IN_FLIGHT: '1' });
    const server = await seedServer();
    const holder = await slotHolder(gateway, server.id, 5000);
    try {
      const probe = await gateway.seed.createProbe(server.id, { name: 'web', host: '127.0.0.1', port: openPort, intervalSeconds: 1, timeoutMs: 500 });
      await statusWhen(gateway, probe.id, (status) => status.state === 'up');
      const { user } = renderServer(server.id, 'Viewer');
      await screen.findByRole('link', { name: 'web' });
      await waitFor(() => expect(rowOf('web').getByText('Up')).toBeInTheDocument());

      const held = holder.hold();
      // Its next slot waits for the held one; the slot after it is skipped.
      await statusWhen(gateway, probe.id, (status) => status.timeliness === 'skipped');
      await user.click(screen.getByRole('button', { name: 'Refresh' }));
      expect(await rowOf('web').findByText('Up, skipped')).toBeInTheDocument();
      expect(
        rowOf('web').getByText(/^the check due at \d\d:\d\d:\d\d did not run because the previous one was still waiting for a free check slot; the gateway is busy$/),
      ).toBeInTheDocument();
      await held;
    } finally {
      await holder.close();
    }
  });

  test('the server’s own thresholds are shown: what applies to all its probes, and which probes override it', async () => {
    const server = await gateway.seed.createServer({
      name: 'erp-prod',
      thresholds: [{ kind: 'connectTime', level: 'warning', value: 250, for: '10m', team: 'network' }],
    });
    await gateway.seed.createProbe(server.id, { name: 'web', host: '127.0.0.1', port: openPort });
    await gateway.seed.createProbe(server.id, {
      name: 'db', host: '127.0.0.1', port: openPort,
      thresholds: [{ kind: 'connectTime', level: 'warning', value: 800, for: '5m' }],
    });
    renderServer(server.id, 'Viewer');
    const section = within(await screen.findByRole('region', { name: 'Thresholds and alerts' }));
    const table = within(await section.findByRole('table', { name: 'Effective thresholds' }));
    const connect = table.getByText('Connect time, warning').closest('tr')!;
    expect([...connect.querySelectorAll('td')].map((cell) => cell.textContent)).toEqual(['Connect time, warning', 'slower than 250 ms for 10m', 'network', 'policies', '–', 'This server', 'db']);
    expect(table.getByText('Built-in default')).toBeInTheDocument();
  });

  test('run now on a closed port shows the failure', async () => {
    const server = await seedServer();
    await gateway.seed.createProbe(server.id, { name: 'closed', host: '127.0.0.1', port: closedPort });
    const { user } = renderServer(server.id, 'Editor');
    await screen.findByRole('link', { name: 'closed' });
    await user.click(rowOf('closed').getByRole('button', { name: 'Run closed now' }));
    const result = await screen.findByLabelText('Run of closed');
    expect(within(result).getByText('Run of closed: connection refused')).toBeInTheDocument();
    expect(within(result).getByText(`connect ECONNREFUSED 127.0.0.1:${closedPort}`)).toBeInTheDocument();
    await waitFor(() => expect(rowOf('closed').getByText('Down')).toBeInTheDocument());
  });

  test('delete asks for confirmation first', async () => {
    const server = await seedServer();
    const { up, down } = await seedProbes(server.id);
    const { user } = renderServer(server.id, 'Admin');
    await screen.findByRole('link', { name: 'web' });

    await user.click(rowOf('web').getByRole('button', { name: 'Delete web' }));
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Delete probe web?')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect((await gateway.seed.request<{ id: number }>('GET', `/api/v1/probes/${up.id}`)).id).toBe(up.id);

    await user.click(rowOf('web').getByRole('button', { name: 'Delete web' }));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete probe' }));
    await waitFor(() => expect(screen.queryByRole('link', { name: 'web' })).not.toBeInTheDocument());
    expect(screen.getByText('Probe web deleted.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'closed' })).toBeInTheDocument();
    await expect(gateway.seed.request('GET', `/api/v1/probes/${up.id}`)).rejects.toThrow(/404/);
    expect((await gateway.seed.request<{ id: number }>('GET', `/api/v1/probes/${down.id}`)).id).toBe(down.id);
  });

  test('an empty server says what to do next, and Add probe opens the form', async () => {
    const server = await seedServer();
    const { user, location } = renderServer(server.id, 'Editor');
    expect(await screen.findByText('This server has no probes yet')).toBeInTheDocument();
    expect(screen.getByText(/a probe checks one host:port/i)).toBeInTheDocument();
    const [inHeader, inEmptyState] = screen.getAllByRole('link', { name: 'Add probe' });
    expect(inHeader).toHaveAttribute('href', `/a/probekit-tcpprobe-app/servers/${server.id}/probes/new`);
    await user.click(inEmptyState!);
    expect(location()).toBe(`/a/probekit-tcpprobe-app/servers/${server.id}/probes/new`);
    expect(await screen.findByRole('form', { name: 'New probe' })).toBeInTheDocument();
  });

  test('viewers see the probes read-only: no add, run, edit or delete, and the empty state says whom to ask', async () => {
    const server = await seedServer();
    const empty = await gateway.seed.createServer({ name: 'empty' });
    await seedProbes(server.id);
    renderServer(server.id, 'Viewer');
    await screen.findByRole('link', { name: 'web' });
    await waitFor(() => expect(rowOf('closed').getByText('Down')).toBeInTheDocument());
    expect(screen.queryByRole('link', { name: 'Add probe' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Edit server' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^(Run|Delete) / })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^Edit / })).not.toBeInTheDocument();

    renderServer(empty.id, 'Viewer');
    expect(await screen.findByText('This server has no probes yet')).toBeInTheDocument();
    expect(screen.getByText(/ask a grafana editor or admin/i)).toBeInTheDocument();
  });

  test('editors may add, run and edit but not delete; the server links to its edit form', async () => {
    const server = await seedServer();
    await seedProbes(server.id);
    renderServer(server.id, 'Editor');
    await screen.findByRole('link', { name: 'web' });
    expect(screen.getByRole('link', { name: 'Edit server' })).toHaveAttribute('href', `/a/probekit-tcpprobe-app/servers/${server.id}/edit`);
    expect(rowOf('web').getByRole('button', { name: 'Run web now' })).toBeInTheDocument();
    expect(rowOf('web').getByRole('link', { name: 'Edit web' })).toHaveAttribute('href', expect.stringMatching(/\/probes\/\d+\/edit$/));
    expect(rowOf('web').queryByRole('button', { name: 'Delete web' })).not.toBeInTheDocument();
  });

  test('a server that does not exist says so', async () => {
    renderServer(999_999, 'Viewer');
    expect(await screen.findByText('Probe server 999999 does not exist')).toBeInTheDocument();
  });
});
