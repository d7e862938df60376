import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import type { ProbeServer } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type FakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { expectWholeHelpTexts, fieldError, renderApp } from '../../test/render';

configure({ asyncUtilTimeout: 10_000 });

const NEW_URL = '/a/probekit-tcpprobe-app/servers/new';
const AGENT_TOKEN = 'agent-token-0123456789-0123456789';
const editUrl = (id: number) => `/a/probekit-tcpprobe-app/servers/${id}/edit`;

let gateway: TestGateway;
beforeEach(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
});
/** Agents a test started: closed together with the control plane (one after the other, the agent's poll holds it up). */
const agents: TestGateway[] = [];
afterEach(async () => {
  await Promise.all([gateway.close(), ...agents.splice(0).map((agent) => agent.close())]);
});

function renderAt(path: string, orgRole: OrgRole = 'Editor') {
  const grafana = installFakeGrafana({ gateway, user: { login: 'dave', orgRole } });
  return { grafana, ...renderApp(App, grafana, path) };
}

const writes = (grafana: FakeGrafana) => grafana.gatewayCalls().filter((call) => !call.startsWith('GET '));

async function allServers(): Promise<ProbeServer[]> {
  return (await gateway.seed.request<{ items: ProbeServer[] }>('GET', '/api/v1/servers')).items;
}

describe('create a probe server', () => {
  test('every field is sent; owner and gateways start as the signed-in user and this gateway', async () => {
    await gateway.seed.request('POST', '/api/v1/shared-accounts', { name: 'sap-monitor' });
    const { user, location } = renderAt(NEW_URL);
    expect(await screen.findByRole('heading', { name: 'New probe server' })).toBeInTheDocument();
    expect(await screen.findByLabelText(/owner/i)).toHaveValue('dave');
    expect(screen.getByLabelText(/connect timeout/i)).toHaveValue(2000);
    expect(screen.getByText('gw-test (online)')).toBeInTheDocument();

    await user.type(screen.getByLabelText(/^name/i), 'erp-prod');
    await user.type(screen.getByLabelText(/description/i), 'SAP ERP production');
    await user.type(screen.getByLabelText(/organization/i), 'Finance');
    await user.type(screen.getByLabelText(/^role/i), 'production');
    await user.type(screen.getByLabelText(/^site/i), 'fra');
    await user.type(screen.getByLabelText(/network interface/i), 'lo');
    await user.click(screen.getByLabelText(/shared account/i));
    await user.click(await screen.findByRole('option', { name: 'sap-monitor' }));
    await user.clear(screen.getByLabelText(/connect timeout/i));
    await user.type(screen.getByLabelText(/connect timeout/i), '1500');
    await user.click(screen.getByRole('button', { name: 'Create probe server' }));

    await waitFor(() => expect(location()).toBe('/a/probekit-tcpprobe-app/servers'));
    expect(await allServers()).toEqual([
      expect.objectContaining({
        name: 'erp-prod',
        description: 'SAP ERP production',
        organization: 'Finance',
        owner: 'dave',
        role: 'production',
        site: 'fra',
        gateways: ['gw-test'],
        sharedAccount: 'sap-monitor',
        networkInterface: 'lo',
        connectTimeoutMs: 1500,
        enabled: true,
        createdBy: 'dave',
      }),
    ]);
  });

  test('every value outside the rules is shown on its field at once, before anything is sent', async () => {
    const { grafana, user } = renderAt(NEW_URL);
    await screen.findByLabelText(/^name/i);
    await user.clear(screen.getByLabelText(/connect timeout/i));
    await user.type(screen.getByLabelText(/connect timeout/i), '50');
    await user.type(screen.getByLabelText(/^role/i), 'prod!');
    await user.click(screen.getByRole('button', { name: 'Create probe server' }));

    await screen.findByText('Must be between 100 and 60000');
    expect(fieldError(screen.getByLabelText(/connect timeout/i))).toBe('Must be between 100 and 60000');
    expect(fieldError(screen.getByLabelText(/^role/i))).toBe('Must be at most 64 letters, digits, spaces or _ . : / -');
    expect(fieldError(screen.getByLabelText(/^name/i))).toBe('Must not be empty');
    expect(writes(grafana)).toEqual([]);
  });

  test('help texts are whole: none trails off, none is cut by style', async () => {
    renderAt(NEW_URL);
    const role = await screen.findByText("The environment, e.g. production, quality or development: the `role` label of the probes' metrics and alerts.");
    expect(screen.getByLabelText(/^role/i)).toHaveAccessibleName(expect.stringContaining(role.textContent!));
    expect(expectWholeHelpTexts(screen.getByRole('form', { name: 'Probe server' }))).toContain(role);
  });

  test("the gateway's own refusal lands on the field it names: a name already used", async () => {
    await gateway.seed.createServer({ name: 'erp-prod' });
    const { grafana, user, location } = renderAt(NEW_URL);
    await user.type(await screen.findByLabelText(/^name/i), 'erp-prod');
    await user.click(screen.getByRole('button', { name: 'Create probe server' }));

    await screen.findByText('"erp-prod" is already used by another server');
    expect(fieldError(screen.getByLabelText(/^name/i))).toBe('"erp-prod" is already used by another server');
    expect(writes(grafana)).toEqual(['POST /api/v1/servers']);
    expect(location()).toBe(NEW_URL);
  });

  test('viewers cannot create', async () => {
    renderAt(NEW_URL, 'Viewer');
    expect(await screen.findByText('Creating probe servers needs the Editor role')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create probe server' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^name/i)).not.toBeInTheDocument();
  });
});

describe('the locations multi-select', () => {
  const gatewaysInput = () => screen.getByLabelText(/^gateways/i);
  /** Grafana names every chip's remove button "Remove": find it beside the chip's label. */
  const removeChip = (user: ReturnType<typeof renderAt>['user'], label: string) =>
    user.click(within(screen.getByText(label).parentElement!).getByRole('button', { name: 'Remove' }));

  test('offers every gateway with its state (online, never seen), takes a new name and sends the list in the order picked', async () => {
    // A control plane that takes agents, an agent that registered with it, and a name only a server uses so far.
    await gateway.close();
    gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8', GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN });
    agents.push(await startTestGateway({ GATEWAY_ID: 'branch-fra', GATEWAY_CONTROL_PLANE_URL: gateway.url, GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN }));
      await gateway.seed.createServer({ name: 'cloud', gateways: ['gw-test', 'aws-eu'] });
      await waitFor(async () => {
        const { items } = await gateway.seed.request<{ items: Array<{ id: string; state: string }> }>('GET', '/api/v1/gateways');
        expect(items.find((item) => item.id === 'branch-fra')?.state).toBe('online');
      });

      const { grafana, user, location } = renderAt(NEW_URL);
      await user.type(await screen.findByLabelText(/^name/i), 'erp-prod');
      expect(screen.getByText('gw-test (online)')).toBeInTheDocument();
      await user.click(gatewaysInput());
      expect(await screen.findByRole('option', { name: /branch-fra \(online\)/ })).toBeInTheDocument();
      expect(screen.getByRole('option', { name: /aws-eu \(never seen\)/ })).toHaveTextContent('1 server');
      await user.click(screen.getByRole('option', { name: /branch-fra \(online\)/ }));
      // A name no gateway has announced yet: typed in, it shows as never seen.
      await user.type(gatewaysInput(), 'branch-muc');
      await user.click(await screen.findByText('Add gateway "branch-muc" (never seen)'));
      expect(screen.getByText('branch-muc (never seen)')).toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'Create probe server' }));

      await waitFor(() => expect(location()).toBe('/a/probekit-tcpprobe-app/servers'));
      expect(grafana.requests.find((r) => r.method === 'POST')?.body).toMatchObject({ gateways: ['gw-test', 'branch-fra', 'branch-muc'] });
      expect((await allServers()).find((s) => s.name === 'erp-prod')?.gateways).toEqual(['gw-test', 'branch-fra', 'branch-muc']);
  });

  test('the list rules are checked on the field before sending: a malformed name, none at all', async () => {
    const { grafana, user } = renderAt(NEW_URL);
    await user.type(await screen.findByLabelText(/^name/i), 'erp-prod');
    await user.type(gatewaysInput(), 'bad name');
    await user.click(await screen.findByText('Add gateway "bad name" (never seen)'));
    await user.click(screen.getByRole('button', { name: 'Create probe server' }));
    expect(await screen.findByText('"bad name": Must start with a letter or digit and contain only letters, digits, _ . or -')).toBeInTheDocument();
    expect(fieldError(gatewaysInput())).toBe('"bad name": Must start with a letter or digit and contain only letters, digits, _ . or -');

    for (const label of ['gw-test (online)', 'bad name (never seen)']) await removeChip(user, label);
    await user.click(screen.getByRole('button', { name: 'Create probe server' }));
    await waitFor(() => expect(fieldError(gatewaysInput())).toBe('Must have at least 1 entries'));
    expect(writes(grafana)).toEqual([]);
  });

  test("the gateway's refusal lands on the field: fewer locations than a probe's quorum", async () => {
    const server = await gateway.seed.createServer({ name: 'erp-prod', gateways: ['gw-test', 'branch-fra', 'aws-eu'] });
    await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: 5432, thresholds: [{ kind: 'availability', level: 'critical', minFailingLocations: 3 }] });
    const { user } = renderAt(editUrl(server.id));
    expect(await screen.findByText('aws-eu (never seen)')).toBeInTheDocument();
    await removeChip(user, 'aws-eu (never seen)');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    const message = 'Must name at least 3 gateways: probe "db" alerts when 3 locations see it down (its minFailingLocations)';
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(fieldError(gatewaysInput())).toBe(message);
    expect((await gateway.seed.getServer(server.id)).gateways).toEqual(['gw-test', 'branch-fra', 'aws-eu']);
    expect(within(screen.getByRole('form', { name: 'Probe server' })).getByText('branch-fra (never seen)')).toBeInTheDocument();
  });
});

describe('edit a probe server', () => {
  test('loads the server, saves the change with its version and returns to the list', async () => {
    const server = await gateway.seed.createServer({ name: 'erp-prod', role: 'production', site: 'fra', connectTimeoutMs: 3000 });
    const { grafana, user, location } = renderAt(editUrl(server.id));
    expect(await screen.findByRole('heading', { name: 'Edit erp-prod' })).toBeInTheDocument();
    expect(await screen.findByLabelText(/^site/i)).toHaveValue('fra');
    expect(screen.getByLabelText(/connect timeout/i)).toHaveValue(3000);

    await user.clear(screen.getByLabelText(/^site/i));
    await user.type(screen.getByLabelText(/^site/i), 'muc');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(location()).toBe('/a/probekit-tcpprobe-app/servers'));
    expect(grafana.requests.find((r) => r.method === 'PATCH')?.body).toMatchObject({ site: 'muc', version: 1 });
    expect(await gateway.seed.getServer(server.id)).toMatchObject({ site: 'muc', role: 'production', version: 2, updatedBy: 'dave' });
  });

  test('a rule only the gateway knows lands on its field: the connect timeout must stay below probe intervals', async () => {
    const server = await gateway.seed.createServer({ name: 'fast', connectTimeoutMs: 500 });
    await gateway.seed.createProbe(server.id, { name: 'every-second', host: '127.0.0.1', port: 9, intervalSeconds: 1 });
    const { user } = renderAt(editUrl(server.id));
    const timeout = await screen.findByLabelText(/connect timeout/i);
    await waitFor(() => expect(timeout).toHaveValue(500));
    await user.clear(timeout);
    await user.type(timeout, '1500');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    await screen.findByText(/^Must be below 1000 ms/);
    expect(fieldError(timeout)).toBe('Must be below 1000 ms: probes of this server without their own timeout run every 1 s');
    expect((await gateway.seed.getServer(server.id)).connectTimeoutMs).toBe(500);
  });

  test('someone else saved first: 409, then reload shows their change and saving works again', async () => {
    const server = await gateway.seed.createServer({ name: 'erp-prod', site: 'fra' });
    const { user, location } = renderAt(editUrl(server.id));
    await screen.findByRole('heading', { name: 'Edit erp-prod' });
    await gateway.seed.updateServer(server.id, { description: 'changed elsewhere' });

    const site = await screen.findByLabelText(/^site/i);
    await waitFor(() => expect(site).toHaveValue('fra'));
    await user.clear(site);
    await user.type(site, 'muc');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Someone else changed this in the meantime')).toBeInTheDocument();
    expect(screen.getByText(/was changed by someone else \(you sent version 1, current is 2\)/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(screen.getByLabelText(/description/i)).toHaveValue('changed elsewhere'));
    expect(screen.getByLabelText(/^site/i)).toHaveValue('fra');
    expect(screen.queryByText('Someone else changed this in the meantime')).not.toBeInTheDocument();

    await user.clear(screen.getByLabelText(/^site/i));
    await user.type(screen.getByLabelText(/^site/i), 'muc');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(location()).toBe('/a/probekit-tcpprobe-app/servers'));
    expect(await gateway.seed.getServer(server.id)).toMatchObject({ site: 'muc', description: 'changed elsewhere', version: 3 });
  });

  test('viewers see the server read-only', async () => {
    const server = await gateway.seed.createServer({ name: 'erp-prod', site: 'fra' });
    const { grafana } = renderAt(editUrl(server.id), 'Viewer');
    expect(await screen.findByText('Read-only')).toBeInTheDocument();
    expect(await screen.findByLabelText(/^site/i)).toHaveValue('fra');
    expect(screen.getByLabelText(/^site/i)).toBeDisabled();
    expect(screen.getByLabelText(/^name/i)).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save changes' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back to probe servers' })).toBeInTheDocument();
    expect(writes(grafana)).toEqual([]);
  });

  test('a server that does not exist says so', async () => {
    renderAt(editUrl(4242));
    expect(await screen.findByText('The probe server could not be loaded')).toBeInTheDocument();
    expect(screen.getByText('server 4242 does not exist')).toBeInTheDocument();
  });
});
