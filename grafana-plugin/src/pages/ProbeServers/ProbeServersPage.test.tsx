import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { closedPortUrl, startHttpStub, type HttpStub } from '../../test/httpStub';
import { renderApp } from '../../test/render';
import { windowOpeningIn2h } from '../../components/ProbeState/windowsForTests';

const SERVERS_URL = '/a/probekit-tcpprobe-app/servers';

let gateway: TestGateway;
let listener: HttpStub;
beforeEach(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
  // Something that accepts TCP connections, for a probe that is up.
  listener = await startHttpStub((_request, response) => response.end('ok'));
});
afterEach(async () => {
  await Promise.all([gateway.close(), listener.close()]);
});

function renderServers(orgRole: OrgRole = 'Admin') {
  const grafana = installFakeGrafana({ gateway, user: { login: 'carol', orgRole } });
  return { grafana, ...renderApp(App, grafana, SERVERS_URL) };
}

/** Three servers: erp-prod (1 up, 1 down), erp-qa (2 outside their window, 1 disabled), crm-prod (no probes). */
async function seedServers() {
  const { seed } = gateway;
  const erpProd = await seed.createServer({ name: 'erp-prod', description: 'SAP ERP production', role: 'production', site: 'fra', owner: 'alice' });
  const erpQa = await seed.createServer({ name: 'erp-qa', role: 'quality', site: 'ber', owner: 'bob' });
  await seed.createServer({ name: 'crm-prod', role: 'production', site: 'ber', organization: 'Sales' });
  const port = Number(new URL(listener.url).port);
  const up = await seed.createProbe(erpProd.id, { name: 'web', host: '127.0.0.1', port });
  const down = await seed.createProbe(erpProd.id, { name: 'closed', host: '127.0.0.1', port: Number(new URL(await closedPortUrl()).port) });
  await seed.createProbe(erpQa.id, { name: 'later', host: '127.0.0.1', port, ...windowOpeningIn2h() });
  await seed.createProbe(erpQa.id, { name: 'later-too', host: '127.0.0.1', port, ...windowOpeningIn2h() });
  await seed.createProbe(erpQa.id, { name: 'off', host: '127.0.0.1', port, enabled: false });
  await seed.runProbe(up.id);
  await seed.runProbe(down.id);
  return { erpProd, erpQa };
}

const rowOf = (name: string) => screen.getByRole('link', { name }).closest('tr')!;
const shownServers = () => screen.queryAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell')[0]!.textContent);

async function choose(label: string, option: string, user: ReturnType<typeof renderServers>['user']) {
  await user.click(screen.getByLabelText(label));
  await user.click(await screen.findByRole('option', { name: option }));
}

describe('probe servers page', () => {
  test('with no servers it says what to do next, and the button opens the create form', async () => {
    const { user, location } = renderServers('Editor');
    expect(await screen.findByText('No probe servers yet')).toBeInTheDocument();
    expect(screen.getByText(/create one: a probe server groups/i)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /create probe server/i }));
    expect(location()).toBe('/a/probekit-tcpprobe-app/servers/new');
  });

  test('a viewer with no servers is told who can create one', async () => {
    renderServers('Viewer');
    expect(await screen.findByText('No probe servers yet')).toBeInTheDocument();
    expect(screen.getByText(/an editor of this organization can create the first one/i)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /create probe server/i })).not.toBeInTheDocument();
  });

  test('lists every server with its details and probe health, and why probes have no data', async () => {
    await seedServers();
    const branch = await gateway.seed.createServer({ name: 'branch', gateway: 'gw-branch' });
    await gateway.seed.createServer({ name: 'erp-eu', gateways: ['gw-test', 'branch-fra', 'aws-eu'] });
    await gateway.seed.createProbe(branch.id, { name: 'till', host: '127.0.0.1', port: Number(new URL(listener.url).port) });
    renderServers();
    await screen.findByRole('link', { name: 'erp-prod' });
    expect(shownServers()).toEqual(['branch', 'crm-prod', 'erp-eu', 'erp-prod', 'erp-qa']);

    const erpProd = within(rowOf('erp-prod'));
    for (const text of ['SAP ERP production', 'production', 'fra', 'gw-test', 'alice', '1 up', '1 down']) {
      expect(erpProd.getByText(text)).toBeInTheDocument();
    }
    // No data, by why.
    expect(within(rowOf('erp-qa')).getByText('2 outside window')).toBeInTheDocument();
    expect(within(rowOf('erp-qa')).getByText('1 disabled')).toBeInTheDocument();
    expect(within(rowOf('branch')).getByText('1 gateway offline')).toBeInTheDocument();
    expect(within(rowOf('crm-prod')).getByText('No probes')).toBeInTheDocument();
    // Every location of a server, in its order; the shorthand `gateway` made a one-location server.
    const locations = (name: string) => within(rowOf(name)).getAllByRole('cell')[4]!.textContent;
    expect(locations('erp-eu')).toBe('gw-testbranch-fraaws-eu');
    expect(locations('branch')).toBe('gw-branch');
    expect(screen.getByRole('link', { name: 'erp-prod' })).toHaveAttribute('href', expect.stringMatching(/\/a\/probekit-tcpprobe-app\/servers\/\d+$/));
  });

  test('search and the role, site and gateway filters narrow the list', async () => {
    await seedServers();
    const { user } = renderServers();
    await screen.findByRole('link', { name: 'erp-prod' });

    await user.type(screen.getByLabelText('Search probe servers'), 'erp');
    expect(shownServers()).toEqual(['erp-prod', 'erp-qa']);
    await user.clear(screen.getByLabelText('Search probe servers'));
    await user.type(screen.getByLabelText('Search probe servers'), 'sales');
    expect(shownServers()).toEqual(['crm-prod']);
    await user.clear(screen.getByLabelText('Search probe servers'));

    await choose('Filter by role', 'production', user);
    expect(shownServers()).toEqual(['crm-prod', 'erp-prod']);
    await choose('Filter by site', 'fra', user);
    expect(shownServers()).toEqual(['erp-prod']);
    await choose('Filter by gateway', 'gw-test', user);
    expect(shownServers()).toEqual(['erp-prod']);

    await user.type(screen.getByLabelText('Search probe servers'), 'crm');
    expect(await screen.findByText('No probe servers match these filters')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /clear filters/i }));
    expect(shownServers()).toEqual(['crm-prod', 'erp-prod', 'erp-qa']);
  });

  test('delete asks first, naming how many probes go with the server', async () => {
    const { erpProd } = await seedServers();
    const { user } = renderServers('Admin');
    await screen.findByRole('link', { name: 'erp-prod' });

    await user.click(within(rowOf('erp-prod')).getByRole('button', { name: 'Delete erp-prod' }));
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Delete probe server erp-prod?')).toBeInTheDocument();
    expect(within(dialog).getByText(/its 2 probes will be deleted with it/i)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await gateway.seed.serverStatus(erpProd.id)).toBe(200);

    await user.click(within(rowOf('erp-prod')).getByRole('button', { name: 'Delete erp-prod' }));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByRole('link', { name: 'erp-prod' })).not.toBeInTheDocument());
    expect(shownServers()).toEqual(['crm-prod', 'erp-qa']);
    expect(await gateway.seed.serverStatus(erpProd.id)).toBe(404);
  });

  test('a delete that fails says why, and the list shows what is there now', async () => {
    const { erpProd } = await seedServers();
    const { user } = renderServers('Admin');
    await screen.findByRole('link', { name: 'erp-prod' });
    await gateway.seed.request('DELETE', `/api/v1/servers/${erpProd.id}`);

    await user.click(within(rowOf('erp-prod')).getByRole('button', { name: 'Delete erp-prod' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('The probe server was not deleted')).toBeInTheDocument();
    expect(screen.getByText(`server ${erpProd.id} does not exist`)).toBeInTheDocument();
    await waitFor(() => expect(shownServers()).toEqual(['crm-prod', 'erp-qa']));
  });

  test('the edit button opens the server in the form', async () => {
    const { erpProd } = await seedServers();
    const { user, location } = renderServers('Editor');
    await screen.findByRole('link', { name: 'erp-prod' });
    await user.click(within(rowOf('erp-prod')).getByRole('button', { name: 'Edit erp-prod' }));
    expect(location()).toBe(`/a/probekit-tcpprobe-app/servers/${erpProd.id}/edit`);
  });

  test('viewers see everything but no create, edit or delete; editors may not delete', async () => {
    await seedServers();
    renderServers('Viewer');
    await screen.findByRole('link', { name: 'erp-prod' });
    expect(within(rowOf('erp-prod')).getByText('1 down')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /create probe server/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^(edit|delete) /i })).not.toBeInTheDocument();
  });

  test('editors may create and edit but not delete', async () => {
    await seedServers();
    renderServers('Editor');
    await screen.findByRole('link', { name: 'erp-prod' });
    expect(screen.getByRole('button', { name: /create probe server/i })).toBeInTheDocument();
    expect(within(rowOf('erp-prod')).getByRole('button', { name: 'Edit erp-prod' })).toBeInTheDocument();
    expect(within(rowOf('erp-prod')).queryByRole('button', { name: 'Delete erp-prod' })).not.toBeInTheDocument();
  });

  test('an unreachable gateway is reported with a way to the configuration', async () => {
    const grafana = installFakeGrafana({ gateway: { url: await closedPortUrl(), token: gateway.token } });
    renderApp(App, grafana, SERVERS_URL);
    expect(await screen.findByText('Probe servers could not be loaded')).toBeInTheDocument();
    expect(screen.getByText(/grafana could not reach the gateway \(502 bad gateway\)/i)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /open the app configuration/i })).toHaveAttribute('href', '/plugins/probekit-tcpprobe-app');
  });
});
