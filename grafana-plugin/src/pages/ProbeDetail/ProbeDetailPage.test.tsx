// The probe page against a real gateway: summary and state (why no data, when the next check is), recent results with
// failure reasons, run now, the charts' place (their Prometheus cannot run in jsdom; probeScene.test.ts checks the
// queries, probeMetrics.prometheus.test.ts runs them), delete and roles.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import type { Probe, ProbeServer } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { closedPortUrl, startHttpStub, type HttpStub } from '../../test/httpStub';
import { renderApp } from '../../test/render';
import { formatWindow } from '../../components/CheckResult/format';
import { OPENS_IN_2H, windowOpeningIn2h } from '../../components/ProbeState/windowsForTests';
import { slotHolder, statusWhen } from '../../components/ProbeState/missedSlotsForTests';

// The first render of a page in jsdom (Grafana's styles, the scene) takes a second or two.
configure({ asyncUtilTimeout: 10_000 });

let gateway: TestGateway;
let listener: HttpStub;
let openPort: number;
let closedPort: number;
let server: ProbeServer;
beforeEach(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
  listener = await startHttpStub((_request, response) => response.end('ok'));
  openPort = Number(new URL(listener.url).port);
  closedPort = Number(new URL(await closedPortUrl()).port);
  server = await gateway.seed.createServer({ name: 'erp-prod', site: 'fra' });
});
afterEach(async () => {
  await Promise.all([gateway.close(), listener.close()]);
});

function renderProbe(probe: Pick<Probe, 'id'>, orgRole: OrgRole = 'Admin', jsonData: { prometheusUid?: string } = { prometheusUid: 'prom-main' }) {
  const grafana = installFakeGrafana({ gateway, user: { login: 'carol', orgRole }, jsonData });
  return { grafana, ...renderApp(App, grafana, `/a/probekit-tcpprobe-app/probes/${probe.id}`) };
}

const summary = () => within(screen.getByRole('region', { name: 'Probe summary' }));
/** The value of one field of the summary, by its label. */
const summaryField = (label: string) => summary().getByText(label, { selector: 'dt' }).nextElementSibling!;
const resultRows = () => within(screen.getByRole('region', { name: 'Recent results' })).queryAllByRole('row').slice(1);

describe('probe page', () => {
  test('shows the probe, its state, and its recent results newest first with their failure reasons', async () => {
    // Closed now: the gateway leaves it alone, so the results are the two runs below.
    const window = windowOpeningIn2h();
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort, description: 'primary', ...window, intervalSeconds: 3600 });
    await gateway.seed.runProbe(probe.id);
    // The same probe pointed at a closed port: a failed check on top.
    await gateway.seed.request('PATCH', `/api/v1/probes/${probe.id}`, { port: closedPort, version: probe.version });
    await gateway.seed.runProbe(probe.id);

    renderProbe(probe, 'Viewer');
    expect(await screen.findByRole('heading', { name: 'db' })).toBeInTheDocument();
    expect(screen.getByText(`127.0.0.1:${closedPort}, every 1 h`)).toBeInTheDocument();
    await screen.findByRole('region', { name: 'Probe summary' });
    expect(summary().getByText('primary')).toBeInTheDocument();
    expect(summary().getByText(formatWindow(window.windowBegin, window.windowEnd))).toBeInTheDocument();
    expect(summary().getByText('erp-prod, run from gateway gw-test')).toBeInTheDocument();
    expect(summary().getByText(/^Connection refused: connect ECONNREFUSED/)).toBeInTheDocument();
    // Outside its window the probe reports no data, whatever its last result, and says why and until when.
    expect(summary().getByText('No data')).toBeInTheDocument();
    expect(summary().getByText(/^outside its window, opens at/)).toHaveTextContent(OPENS_IN_2H);

    await waitFor(() => expect(resultRows()).toHaveLength(2));
    const [newest, oldest] = resultRows();
    expect(within(newest!).getByText('Connection refused')).toBeInTheDocument();
    expect(within(newest!).getByText(`connect ECONNREFUSED 127.0.0.1:${closedPort}`)).toBeInTheDocument();
    expect(within(oldest!).getByText('Connected')).toBeInTheDocument();
    expect(within(oldest!).getAllByText('127.0.0.1')).toHaveLength(2);
    expect(within(oldest!).getByText('gw-test')).toBeInTheDocument();
  });

  test('the charts come from the configured Prometheus: availability and connect time over the picked range', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort });
    renderProbe(probe, 'Viewer');
    const charts = await screen.findByRole('region', { name: 'Charts' });
    for (const title of ['Availability', 'Up or down', 'Connect time']) expect(await within(charts).findByText(title)).toBeInTheDocument();
    expect(within(charts).getByText(/Last 6 hours/)).toBeInTheDocument();
  });

  test('without a Prometheus data source the page says where to choose one', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort });
    renderProbe(probe, 'Viewer', {});
    expect(await screen.findByText('Charts need a Prometheus data source')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /open the app configuration/i })).toHaveAttribute('href', '/plugins/probekit-tcpprobe-app');
    expect(screen.queryByRole('region', { name: 'Charts' })).not.toBeInTheDocument();
  });

  test('a probe never run says why and when it will be: outside its window, opening in 2 h', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort, intervalSeconds: 600, ...windowOpeningIn2h() });
    renderProbe(probe, 'Editor');
    expect(await screen.findByText('No results yet')).toBeInTheDocument();
    const empty = screen.getByText(/checks this probe every 10 min inside its window; use Run now to check at once/);
    expect(empty).toHaveTextContent(/^No data: outside its window, opens at \d\d:\d\d \(in 2 h( 1 min)?\)\. The gateway checks/);
    expect(summary().getByText('No data')).toBeInTheDocument();
    // The first slot of its 10 min grid once the window is open.
    expect(summaryField('Next check')).toHaveTextContent(/^in 2 h( \d+ min)? \(\d\d:\d\d\)$/);
  });

  test('a new probe has its first result at once and says when the next check is due', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort });
    renderProbe(probe, 'Viewer');
    await screen.findByRole('region', { name: 'Probe summary' });
    await waitFor(() => expect(summary().getByText('Up')).toBeInTheDocument());
    // Every 5 min on its own slot: due within 5 min, at a clock time.
    expect(summaryField('Next check')).toHaveTextContent(/^in (\d+ s|[1-5] min) \(\d\d:\d\d\)$/);
    expect(summaryField('Last check')).not.toHaveTextContent('never');
  });

  test('a check due within a minute is waited for: the page shows its result without a refresh', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort, intervalSeconds: 3 });
    renderProbe(probe, 'Viewer');
    await screen.findByRole('region', { name: 'Probe summary' });
    await waitFor(() => expect(summary().getByText('Up')).toBeInTheDocument());
    // The listener goes away; the next scheduled check fails and the page follows it.
    await listener.close();
    await waitFor(() => expect(summary().getByText('Down')).toBeInTheDocument(), { timeout: 15_000 });
    expect(summary().getByText(/^Connection refused/)).toBeInTheDocument();
  });

  test('a check the busy gateway started late says so, and how late', async () => {
    // One check at a time: a slot that comes while the holder's check waits out its timeout starts when it ends.
    await gateway.close();
    gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8', GATEWAY_MAX_IN_FLIGHT: '1' });
    server = await gateway.seed.createServer({ name: 'erp-prod', site: 'fra' });
    const holder = await slotHolder(gateway, server.id, 2500);
    try {
      const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort, intervalSeconds: 6, timeoutMs: 500 });
      await statusWhen(gateway, probe.id, (status) => status.state === 'up');
      const { user } = renderProbe(probe, 'Viewer');
      await screen.findByRole('region', { name: 'Probe summary' });
      await waitFor(() => expect(summary().getByText('Up')).toBeInTheDocument());

      // Hold the slot from just before the probe's next slot, for 2.5 s: that check starts about 2.2 s late.
      const { nextCheckAt } = await statusWhen(gateway, probe.id, (status) => Date.parse(status.nextCheckAt!) - Date.now() > 400);
      await new Promise((resolve) => setTimeout(resolve, Date.parse(nextCheckAt!) - Date.now() - 300));
      await holder.hold();
      const late = await statusWhen(gateway, probe.id, (status) => status.timeliness === 'late' && status.lastResult!.checkedAt >= status.missedSlotAt!);
      expect(late).toMatchObject({ missedSlotAt: nextCheckAt, missedSlotReason: 'late', state: 'up' });
      const lateS = (Date.parse(late.lastResult!.checkedAt) - Date.parse(nextCheckAt!)) / 1000;

      await user.click(screen.getByRole('button', { name: 'Refresh' }));
      expect(await summary().findByText('Up, late')).toBeInTheDocument();
      // The slot in the viewer's time zone: its seconds are those of the gateway's UTC.
      const lateness = lateS.toFixed(1).replace('.', '\\.');
      const words = new RegExp(`^the last check started ${lateness} s after it was due \\(at \\d\\d:\\d\\d:${nextCheckAt!.slice(17, 19)}\\); the gateway is busy$`);
      expect(summary().getByText(words)).toBeInTheDocument();
    } finally {
      await holder.close();
    }
  });

  test('run now shows the result and adds it to the recent results', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort, ...windowOpeningIn2h() });
    const { user } = renderProbe(probe, 'Editor');
    await screen.findByText('No results yet');
    await user.click(screen.getByRole('button', { name: 'Run db now' }));
    const result = await screen.findByLabelText('Run of db');
    expect(within(result).getByText(/^Run of db: connected in/)).toBeInTheDocument();
    await waitFor(() => expect(resultRows()).toHaveLength(1));
    // The summary comes from /status, reloaded beside the results: it may land a moment later.
    await waitFor(() => expect(summaryField('Last check')).not.toHaveTextContent('never'));
    expect(summary().getAllByText('127.0.0.1').length).toBeGreaterThanOrEqual(1);
  });

  test('delete asks first and returns to the server', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort });
    const { user, location } = renderProbe(probe, 'Admin');
    await screen.findByRole('heading', { name: 'db' });
    await user.click(screen.getByRole('button', { name: 'Delete db' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete probe' }));
    await waitFor(() => expect(location()).toBe(`/a/probekit-tcpprobe-app/servers/${server.id}`));
    await expect(gateway.seed.request('GET', `/api/v1/probes/${probe.id}`)).rejects.toThrow(/404/);
  });

  test('viewers see it read-only; editors run and edit but do not delete', async () => {
    const probe = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: openPort, ...windowOpeningIn2h() });
    renderProbe(probe, 'Viewer');
    await screen.findByRole('heading', { name: 'db' });
    expect(screen.queryByRole('button', { name: 'Run db now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Edit' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete db' })).not.toBeInTheDocument();
    expect(screen.getByText(/The gateway checks this probe every 5 min inside its window\. Results/)).toBeInTheDocument();

    renderProbe(probe, 'Editor');
    expect(await screen.findByRole('button', { name: 'Run db now' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Edit' })).toHaveAttribute('href', `/a/probekit-tcpprobe-app/probes/${probe.id}/edit`);
    expect(screen.queryByRole('button', { name: 'Delete db' })).not.toBeInTheDocument();
  });

  test('a probe that does not exist says so', async () => {
    renderProbe({ id: 999_999 }, 'Viewer');
    expect(await screen.findByText('Probe 999999 does not exist')).toBeInTheDocument();
  });
});
