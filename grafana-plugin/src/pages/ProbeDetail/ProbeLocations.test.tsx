// A probe of a server on three locations, against real gateways: this control plane (which may reach the target), an
// agent registered with it whose GATEWAY_ALLOWED_TARGETS keeps it from the target, and a name no gateway has announced.
// The probe page shows each location's own state, connect time, failure reason, actual host/IPv4 and last check, and
// its thresholds section the quorum over the locations; the threshold editor asks for one only on such a server.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { App } from '../../App';
import type { Probe, ProbeServer, ProbeStatus } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana } from '../../test/grafanaRuntime';
import { startHttpStub, type HttpStub } from '../../test/httpStub';
import { fieldError, renderApp } from '../../test/render';

configure({ asyncUtilTimeout: 10_000 });

const AGENT_TOKEN = 'agent-token-0123456789-0123456789';

let controlPlane: TestGateway;
let agent: TestGateway;
let listener: HttpStub;
let server: ProbeServer;
let probe: Probe;
beforeEach(async () => {
  listener = await startHttpStub((_request, response) => response.end('ok'));
  controlPlane = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8', GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN });
  agent = await startTestGateway({
    GATEWAY_ID: 'branch-fra',
    GATEWAY_CONTROL_PLANE_URL: controlPlane.url,
    GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
    GATEWAY_ALLOWED_TARGETS: '10.0.0.0/8',
  });
  server = await controlPlane.seed.createServer({ name: 'erp-prod', gateways: ['gw-test', 'branch-fra', 'aws-eu'] });
  probe = await controlPlane.seed.createProbe(server.id, { name: 'web', host: 'localhost', port: Number(new URL(listener.url).port), intervalSeconds: 1, timeoutMs: 500 });
});
afterEach(async () => {
  // Together: the control plane closed first would wait for the agent's open config poll.
  await Promise.all([controlPlane.close(), agent.close(), listener.close()]);
});

/** The probe's status once every reporting location has reported. */
async function statusWhenLocationsReport(): Promise<ProbeStatus> {
  let status: ProbeStatus | undefined;
  await waitFor(
    async () => {
      const { items } = await controlPlane.seed.request<{ items: ProbeStatus[] }>('GET', `/api/v1/status?probeId=${probe.id}`);
      status = items[0];
      expect(status?.locations.map((location) => [location.gateway, location.state])).toEqual([
        ['gw-test', 'up'],
        ['branch-fra', 'down'],
        ['aws-eu', 'nodata'],
      ]);
    },
    { timeout: 30_000, interval: 500 },
  );
  return status!;
}

const cells = (row: HTMLElement) => within(row).getAllByRole('cell').map((cell) => cell.textContent ?? '');

test('each location with its own state, connect time, failure reason, where it connected and when', async () => {
  await statusWhenLocationsReport();
  const grafana = installFakeGrafana({ gateway: controlPlane, user: { login: 'carol', orgRole: 'Viewer' }, jsonData: { prometheusUid: 'prom-main' } });
  renderApp(App, grafana, `/a/probekit-tcpprobe-app/probes/${probe.id}`);

  const table = within(await screen.findByRole('table', { name: 'Locations' }));
  const [here, branch, never] = table.getAllByRole('row').slice(1);
  expect(cells(here!)).toEqual([
    'gw-testthis gateway',
    expect.stringMatching(/^Up/),
    expect.stringMatching(/^\d+(\.\d+)? ms$/),
    '–',
    'localhost',
    '127.0.0.1',
    expect.stringMatching(/ago|now/),
  ]);
  expect(cells(branch!)).toEqual([
    'branch-fra',
    expect.stringMatching(/^Down/),
    '–',
    expect.stringContaining('outside GATEWAY_ALLOWED_TARGETS'),
    expect.any(String),
    expect.any(String),
    expect.stringMatching(/ago|now/),
  ]);
  expect(cells(never!)).toEqual(['aws-eu', expect.stringMatching(/^No data/), '–', '–', '–', '–', 'never']);

  const summary = within(screen.getByRole('region', { name: 'Probe summary' }));
  expect(summary.getByText('Locations', { selector: 'dt' }).nextElementSibling).toHaveTextContent('down at 1 of 3 locations, up at 1, no data from 1');
  expect(summary.getByText(/run from 3 gateways: gw-test, branch-fra and aws-eu/)).toBeInTheDocument();
  expect(grafana.gatewayCalls()).toContain(`GET /api/v1/status?probeId=${probe.id}`);
});

test('the thresholds say the quorum and what it becomes; the editor takes one for availability, at most the locations', async () => {
  const grafana = installFakeGrafana({ gateway: controlPlane, user: { login: 'carol', orgRole: 'Editor' }, jsonData: { prometheusUid: 'prom-main' } });
  const { user } = renderApp(App, grafana, `/a/probekit-tcpprobe-app/probes/${probe.id}`);
  const section = within(await screen.findByRole('region', { name: 'Thresholds and alerts' }));
  const thresholds = within(await section.findByRole('table', { name: 'Effective thresholds' }));
  const [down] = thresholds.getAllByRole('row').slice(1);
  expect(within(down!).getByText('2 of 3 locations (a majority, the default)')).toBeInTheDocument();
  expect(within(down!).getByText('alerts when 2 of 3 locations see it down; a location alone raises a path alert to its team')).toBeInTheDocument();

  await user.click(section.getByRole('button', { name: 'Override Availability (down), critical' }));
  const editor = within(await screen.findByRole('form', { name: 'Edit probe thresholds' }));
  const quorum = editor.getByLabelText(/^locations down/i);
  expect(quorum).toHaveAttribute('placeholder', '2');
  await user.type(quorum, '4');
  await user.click(editor.getByRole('button', { name: 'Save thresholds' }));
  await waitFor(() => expect(fieldError(quorum)).toBe('Must be at most 3: the server runs from 3 gateways'));

  await user.clear(quorum);
  await user.type(quorum, '3');
  await user.click(editor.getByRole('button', { name: 'Save thresholds' }));
  await waitFor(async () => expect((await controlPlane.seed.request<Probe>('GET', `/api/v1/probes/${probe.id}`)).thresholds).toEqual([
    expect.objectContaining({ kind: 'availability', level: 'critical', minFailingLocations: 3 }),
  ]));
  await waitFor(() => expect(section.getByText('alerts when 3 of 3 locations see it down; up to 2 locations alone raise a path alert each, to their own teams')).toBeInTheDocument());
  expect(section.getByText('3 of 3 locations')).toBeInTheDocument();
});
