// The probe form against a real gateway: create with every field, every wrong field flagged at once in the gateway's
// words, the gateway's own field errors in place, which timeout applies, Test connection to real loopback ports, edit,
// a stale version with reload, and viewers kept out.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import type { Probe, ProbeServer } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { closedPortUrl, startHttpStub, type HttpStub } from '../../test/httpStub';
import { expectWholeHelpTexts, renderApp } from '../../test/render';

// The first render of a page in jsdom (Grafana's styles, selects) takes a second or two.
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
  server = await gateway.seed.createServer({ name: 'erp-prod', connectTimeoutMs: 1500 });
});
afterEach(async () => {
  await Promise.all([gateway.close(), listener.close()]);
});

function renderAt(path: string, orgRole: OrgRole = 'Editor') {
  const grafana = installFakeGrafana({ gateway, user: { login: 'carol', orgRole } });
  return { grafana, ...renderApp(App, grafana, path) };
}

const newProbePath = () => `/a/probekit-tcpprobe-app/servers/${server.id}/probes/new`;
const getProbe = (id: number) => gateway.seed.request<Probe>('GET', `/api/v1/probes/${id}`);
const listProbes = async () => (await gateway.seed.request<{ items: Probe[] }>('GET', `/api/v1/servers/${server.id}/probes`)).items;

type User = ReturnType<typeof renderAt>['user'];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The input of a Grafana Field: its label also holds the description, so the name only starts with the label. */
const field = (label: string) => screen.getByLabelText(new RegExp(`^${escape(label)}`));

async function choose(user: User, label: string, option: RegExp) {
  await user.click(field(label));
  await user.click(await screen.findByRole('option', { name: option }));
}

async function fill(user: User, label: string, text: string) {
  const input = field(label);
  await user.clear(input);
  if (text !== '') await user.type(input, text);
}

/** The error Grafana's Field shows for the input labelled `label`, or null. */
function fieldError(label: string): string | null {
  const input = field(label);
  let node = input.parentElement;
  while (node && !node.querySelector(`label[for="${input.id}"]`)) node = node.parentElement;
  return node?.querySelector('[role="alert"]')?.textContent ?? null;
}

describe('new probe', () => {
  test("starts from the API's defaults: the signed-in owner, every 5 minutes, the server's connect timeout", async () => {
    renderAt(newProbePath());
    expect(await screen.findByRole('form', { name: 'New probe' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'New probe' })).toBeInTheDocument();
    expect(screen.getByText('A new probe of server erp-prod, run from gateway gw-test')).toBeInTheDocument();
    expect(field('Owner')).toHaveValue('carol');
    expect(screen.getByText('Every 5 minutes')).toBeInTheDocument();
    expect(screen.getByLabelText('Server default (1500 ms)')).toBeChecked();
    expect(screen.getByLabelText('Own timeout')).not.toBeChecked();
    expect(field('Timeout')).toHaveValue('1500');
    expect(screen.getByText("Uses the server's connect timeout: 1500 ms.")).toBeInTheDocument();
    expect(screen.getByText(/may wrap past midnight: 22:00 to 06:00 checks overnight/)).toBeInTheDocument();
    expect(field('Enabled')).toBeChecked();
    expect(screen.queryByLabelText(/^Actual host/)).not.toBeInTheDocument();
  });

  test('creates a probe with every field and returns to its server', async () => {
    const schedule = await gateway.seed.createSchedule({ name: 'office-hours', timeZone: 'Europe/Berlin', windows: [{ days: ['mon'], begin: '08:00', end: '18:00' }] });
    const { user, location } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });

    await fill(user, 'Name', 'erp-db');
    await fill(user, 'Description', 'primary database');
    await fill(user, 'Host', '127.0.0.1');
    await fill(user, 'Port', String(openPort));
    await fill(user, 'Owner', 'dba-team');
    await fill(user, 'Time window begin', '22:00');
    await fill(user, 'Time window end', '06:00');
    await choose(user, 'Repeat interval', /^Every 10 seconds/);
    await choose(user, 'Schedule', /^office-hours/);
    await user.click(screen.getByLabelText('Own timeout'));
    expect(field('Timeout')).toHaveValue(1500); // starts from the server's
    await fill(user, 'Timeout', '2500');
    expect(screen.getByText("Uses its own timeout: 2500 ms, not the server's connect timeout (1500 ms).")).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create probe' }));

    await waitFor(() => expect(location()).toBe(`/a/probekit-tcpprobe-app/servers/${server.id}`));
    const [created] = await listProbes();
    expect(created).toMatchObject({
      name: 'erp-db',
      description: 'primary database',
      owner: 'dba-team',
      scheduleId: schedule.id,
      windowBegin: '22:00',
      windowEnd: '06:00',
      intervalSeconds: 10,
      host: '127.0.0.1',
      port: openPort,
      timeoutMs: 2500,
      enabled: true,
      createdBy: 'carol',
    });
    expect(await screen.findByRole('link', { name: 'erp-db' })).toBeInTheDocument();
  });

  test('a custom interval and the server default timeout', async () => {
    const { user } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });
    await fill(user, 'Name', 'custom');
    await fill(user, 'Host', 'localhost');
    await fill(user, 'Port', String(openPort));
    await choose(user, 'Repeat interval', /^Custom/);
    await fill(user, 'Interval in seconds', '90');
    await user.click(screen.getByLabelText('Server default (1500 ms)'));
    expect(field('Timeout')).toHaveValue('1500');
    expect(field('Timeout')).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    await waitFor(async () => expect(await listProbes()).toHaveLength(1));
    expect((await listProbes())[0]).toMatchObject({ intervalSeconds: 90, timeoutMs: null, effectiveTimeoutMs: 1500 });
  });

  test('every wrong field is flagged at once, in the gateway\'s words, before anything is sent', async () => {
    const { user, grafana } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });
    await fill(user, 'Host', 'bad_host!');
    await fill(user, 'Port', '99999');
    await user.click(screen.getByRole('button', { name: 'Create probe' }));

    expect(await screen.findByText('Must be between 1 and 65535')).toBeInTheDocument();
    expect(fieldError('Name')).toBe('Must not be empty');
    expect(fieldError('Host')).toBe('Must be a DNS name (RFC 1123) or an IPv4/IPv6 address');
    expect(fieldError('Port')).toBe('Must be between 1 and 65535');
    expect(grafana.gatewayCalls().filter((call) => call.startsWith('POST'))).toEqual([]);

    // The gateway says the same to the same input.
    const answer = await gateway.seed.send('POST', `/api/v1/servers/${server.id}/probes`, { name: '', host: 'bad_host!', port: 99999 });
    expect(answer.body.problems).toEqual([
      { field: 'name', message: 'must not be empty' },
      { field: 'host', message: 'must be a DNS name (RFC 1123) or an IPv4/IPv6 address' },
      { field: 'port', message: 'must be between 1 and 65535' },
    ]);

    // Fixing the fields saves.
    await fill(user, 'Name', 'fixed');
    await fill(user, 'Host', '127.0.0.1');
    await fill(user, 'Port', String(openPort));
    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    await waitFor(async () => expect(await listProbes()).toHaveLength(1));
  });

  test("what only the gateway knows lands on the field it names: a host outside GATEWAY_ALLOWED_TARGETS", async () => {
    const { user, grafana } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });
    await fill(user, 'Name', 'outside');
    await fill(user, 'Host', '10.1.2.3');
    await fill(user, 'Port', '80');
    await user.click(screen.getByRole('button', { name: 'Create probe' }));

    const message = 'is outside the targets this gateway may probe (GATEWAY_ALLOWED_TARGETS=127.0.0.0/8)';
    await waitFor(() => expect(fieldError('Host')).toBe(`"10.1.2.3" ${message}`));
    expect(grafana.gatewayCalls().filter((call) => call.startsWith('POST'))).toEqual([`POST /api/v1/servers/${server.id}/probes`]);
    expect(fieldError('Port')).toBeNull();
    expect(await listProbes()).toEqual([]);
  });

  test('a rule across fields is checked in the form too, on the field the gateway names: a timeout not below the interval', async () => {
    const { user, grafana } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });
    await fill(user, 'Name', 'too-slow');
    await fill(user, 'Host', '127.0.0.1');
    await fill(user, 'Port', String(openPort));
    await choose(user, 'Repeat interval', /^Custom/);
    await fill(user, 'Interval in seconds', '5');
    await user.click(screen.getByLabelText('Own timeout'));
    await fill(user, 'Timeout', '5000');
    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    expect(await screen.findByText('Must be below the interval (5000 ms)')).toBeInTheDocument();
    expect(fieldError('Timeout')).toBe('Must be below the interval (5000 ms)');
    expect(grafana.gatewayCalls().filter((call) => call.startsWith('POST'))).toEqual([]);
  });

  test('help texts are whole: none trails off, none is cut by style', async () => {
    renderAt(newProbePath());
    const form = await screen.findByRole('form', { name: 'New probe' });
    const helpTexts = expectWholeHelpTexts(form);
    expect(helpTexts.map((help) => help.textContent)).toContain('TCP port, 1-65535');
  });

  test('Test connection checks the typed target from the server, before saving', async () => {
    const { user, grafana } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });
    await fill(user, 'Host', '127.0.0.1');
    await fill(user, 'Port', String(openPort));
    await user.click(screen.getByRole('button', { name: 'Test connection' }));

    let result = await screen.findByLabelText('Connection test');
    expect(within(result).getByText(/^Connection test: connected in \d/)).toBeInTheDocument();
    expect(within(result).getByText('Connected')).toBeInTheDocument();
    expect(within(result).getByText('no lookup (IP address)')).toBeInTheDocument();
    expect(within(result).getAllByText('127.0.0.1')).toHaveLength(2); // actual host and actual IPv4
    expect(within(result).getByText('gw-test')).toBeInTheDocument();
    // Without an own timeout the check uses the server's, as the probe would.
    expect(grafana.requests.find((r) => r.url.endsWith('/api/v1/check'))?.body).toEqual({ host: '127.0.0.1', port: openPort, serverId: server.id, ipVersion: 'auto', tls: null, dialogue: null });

    await fill(user, 'Host', 'localhost');
    await fill(user, 'Port', String(closedPort));
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(screen.getByLabelText('Connection test')).toHaveTextContent('Connection test: connection refused'));
    result = screen.getByLabelText('Connection test');
    expect(within(result).getByText('Connection refused')).toBeInTheDocument();
    expect(within(result).getByText(/ECONNREFUSED/)).toBeInTheDocument();
    expect(within(result).getByText(/^\d+(\.\d+)? ms$/)).toBeInTheDocument(); // the DNS lookup of localhost
    expect(await listProbes()).toEqual([]);
  });

  test("Test connection puts the gateway's refusal of the host next to the host field", async () => {
    const { user, grafana } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });
    await fill(user, 'Host', 'bad_host'); // the form's pattern lets it through; RFC 1123 in full is the gateway's
    await fill(user, 'Port', '80');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(fieldError('Host')).toBe('Must be a DNS name (RFC 1123) or an IPv4/IPv6 address'));
    expect(grafana.gatewayCalls()).toContain('POST /api/v1/check');
    expect(screen.queryByLabelText('Connection test')).not.toBeInTheDocument();
  });
});

describe('edit probe', () => {
  async function storedProbe() {
    const probe = await gateway.seed.createProbe(server.id, { name: 'web', host: 'localhost', port: openPort, description: 'front door', owner: 'alice', timeoutMs: 3000, intervalSeconds: 60 });
    await gateway.seed.runProbe(probe.id);
    return getProbe(probe.id);
  }

  test('shows the stored values and where the last check connected, read-only', async () => {
    const probe = await storedProbe();
    renderAt(`/a/probekit-tcpprobe-app/probes/${probe.id}/edit`);
    expect(await screen.findByRole('form', { name: 'Edit probe web' })).toBeInTheDocument();
    expect(field('Name')).toHaveValue('web');
    expect(field('Description')).toHaveValue('front door');
    expect(field('Host')).toHaveValue('localhost');
    expect(field('Port')).toHaveValue(openPort);
    expect(field('Owner')).toHaveValue('alice');
    expect(field('Timeout')).toHaveValue(3000);
    expect(screen.getByText("Uses its own timeout: 3000 ms, not the server's connect timeout (1500 ms).")).toBeInTheDocument();
    expect(screen.getByText('Every minute')).toBeInTheDocument();
    expect(field('Actual host')).toHaveValue('localhost');
    expect(field('Actual host')).toHaveAttribute('readonly');
    // Straight after the run, from the gateway's latest result (the stored probe catches up in batches).
    expect(field('Actual IPv4')).toHaveValue('127.0.0.1');
  });

  test('saves the changes with the loaded version and opens the probe', async () => {
    const probe = await storedProbe();
    const { user, location } = renderAt(`/a/probekit-tcpprobe-app/probes/${probe.id}/edit`);
    await screen.findByRole('form', { name: 'Edit probe web' });
    await fill(user, 'Port', String(closedPort));
    await user.click(screen.getByLabelText('Server default (1500 ms)'));
    await user.click(field('Enabled'));
    await user.click(screen.getByRole('button', { name: 'Save probe' }));

    await waitFor(() => expect(location()).toBe(`/a/probekit-tcpprobe-app/probes/${probe.id}`));
    expect(await getProbe(probe.id)).toMatchObject({ port: closedPort, timeoutMs: null, enabled: false, version: probe.version + 1, updatedBy: 'carol', description: 'front door' });
  });

  test('a change by someone else in the meantime gets 409: the form says so and reloads their version', async () => {
    const probe = await storedProbe();
    const { user } = renderAt(`/a/probekit-tcpprobe-app/probes/${probe.id}/edit`);
    await screen.findByRole('form', { name: 'Edit probe web' });

    await gateway.seed.request('PATCH', `/api/v1/probes/${probe.id}`, { description: 'changed elsewhere', version: probe.version });
    await fill(user, 'Name', 'web-renamed');
    await user.click(screen.getByRole('button', { name: 'Save probe' }));

    expect(await screen.findByText('Someone else changed this in the meantime')).toBeInTheDocument();
    expect(screen.getByText(/someone else changed this probe after you opened it/i)).toBeInTheDocument();
    expect((await getProbe(probe.id)).name).toBe('web');

    await user.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(field('Description')).toHaveValue('changed elsewhere'));
    expect(field('Name')).toHaveValue('web');
    expect(screen.queryByText('Someone else changed this in the meantime')).not.toBeInTheDocument();

    await fill(user, 'Name', 'web-renamed');
    await user.click(screen.getByRole('button', { name: 'Save probe' }));
    await waitFor(async () => expect((await getProbe(probe.id)).name).toBe('web-renamed'));
    expect((await getProbe(probe.id)).description).toBe('changed elsewhere');
  });

  test('viewers get no form', async () => {
    const probe = await storedProbe();
    renderAt(`/a/probekit-tcpprobe-app/probes/${probe.id}/edit`, 'Viewer');
    expect(await screen.findByText('Read-only for your role')).toBeInTheDocument();
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
  });

  test('a probe that does not exist says so', async () => {
    renderAt('/a/probekit-tcpprobe-app/probes/999999/edit');
    expect(await screen.findByText('Probe 999999 does not exist')).toBeInTheDocument();
  });
});
