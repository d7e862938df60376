// The gateways page against real gateways: a control plane with an agent that registers with it, a name only servers
// use (never seen), and the team an admin sets for a location's path alerts. A gateway goes offline only after a
// minute of silence, so that state comes from a stand-in answering as the gateway would.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { startHttpStub, type HttpStub } from '../../test/httpStub';
import { fieldError, renderApp } from '../../test/render';

configure({ asyncUtilTimeout: 10_000 });

const AGENT_TOKEN = 'agent-token-0123456789-0123456789';
const GATEWAYS_URL = '/a/probekit-tcpprobe-app/gateways';

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((thing) => thing.close()));
});

function renderGateways(gateway: { url: string; token: string }, orgRole: OrgRole = 'Viewer') {
  const grafana = installFakeGrafana({ gateway, user: { orgRole } });
  return { grafana, ...renderApp(App, grafana, GATEWAYS_URL) };
}

const rowOf = (id: string) => within(screen.getByText(id, { selector: 'td *' }).closest('tr')!);

describe('gateways page', () => {
  test('lists the control plane and an agent that registered with it, both online', async () => {
    const controlPlane: TestGateway = await startTestGateway({ GATEWAY_ID: 'hq', GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN });
    running.push(controlPlane);
    const agent = await startTestGateway({
      GATEWAY_ID: 'branch-fra',
      GATEWAY_CONTROL_PLANE_URL: controlPlane.url,
      GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
      GATEWAY_ADVERTISE_URL: 'http://10.20.0.5:8080',
    });
    running.push(agent);
    await waitFor(async () => {
      const { items } = await controlPlane.seed.request<{ items: Array<{ id: string }> }>('GET', '/api/v1/gateways');
      expect(items.map((g) => g.id)).toContain('branch-fra');
    });

    renderGateways(controlPlane);
    expect(await screen.findByRole('heading', { name: 'Gateways' })).toBeInTheDocument();
    await screen.findByText('branch-fra', { selector: 'td *' });
    expect(screen.getByLabelText('Gateways summary')).toHaveTextContent('2 gateways, 0 offline');

    expect(rowOf('hq').getByText('Online')).toBeInTheDocument();
    expect(rowOf('hq').getByText('control plane')).toBeInTheDocument();
    expect(rowOf('branch-fra').getByText('Online')).toBeInTheDocument();
    expect(rowOf('branch-fra').queryByText('control plane')).not.toBeInTheDocument();
    expect(rowOf('branch-fra').getByText('http://10.20.0.5:8080')).toBeInTheDocument();
    expect(rowOf('branch-fra').getByText(/^\d+\.\d+\.\d+/)).toBeInTheDocument(); // the version it runs
    expect(rowOf('branch-fra').getByText(/seconds? ago/)).toBeInTheDocument();
  });

  test('an agent silent for a minute shows as offline, with what that means', async () => {
    const now = Date.now();
    const stub: HttpStub = await startHttpStub((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          items: [
            { id: 'hq', version: '0.1.0', address: 'http://10.0.0.1:8080', registeredAt: new Date(now - 86_400_000).toISOString(), lastSeenAt: new Date(now).toISOString(), online: true, self: true, state: 'online', team: null, serverCount: 2 },
            { id: 'branch-ber', version: '0.1.0', address: null, registeredAt: new Date(now - 86_400_000).toISOString(), lastSeenAt: new Date(now - 600_000).toISOString(), online: false, self: false, state: 'offline', team: 'net-ber', serverCount: 1 },
          ],
        }),
      );
    });
    running.push(stub);
    renderGateways({ url: stub.url, token: 'stub-token-0123456789' });
    await screen.findByText('branch-ber', { selector: 'td *' });
    expect(rowOf('branch-ber').getByText('Offline')).toBeInTheDocument();
    expect(rowOf('branch-ber').getByText('10 minutes ago')).toBeInTheDocument();
    expect(rowOf('branch-ber').getByText('net-ber')).toBeInTheDocument();
    expect(screen.getByLabelText('Gateways summary')).toHaveTextContent(/2 gateways, 1 offline\. An offline agent keeps probing/);
  });

  test('a name only servers use is listed as never seen, with how many servers run from it', async () => {
    const controlPlane = await startTestGateway({ GATEWAY_ID: 'hq' });
    running.push(controlPlane);
    await controlPlane.seed.createServer({ name: 'erp-prod', gateways: ['hq', 'aws-eu'] });
    await controlPlane.seed.createServer({ name: 'crm-prod', gateways: ['aws-eu'] });

    renderGateways(controlPlane);
    await screen.findByText('aws-eu', { selector: 'td *' });
    expect(rowOf('aws-eu').getByText('Never seen')).toBeInTheDocument();
    expect(rowOf('aws-eu').getByText('never')).toBeInTheDocument(); // last seen
    expect(rowOf('aws-eu').getByText('2')).toBeInTheDocument(); // servers
    expect(rowOf('hq').getByText('1')).toBeInTheDocument();
    expect(screen.getByLabelText('Gateways summary')).toHaveTextContent(/2 gateways, 0 offline, 1 never seen\. A never seen gateway is named by servers/);
  });

  test("an admin sets a location's team for its path alerts, and clears it again; a team outside the rule is refused on the field before sending", async () => {
    const controlPlane = await startTestGateway({ GATEWAY_ID: 'hq' });
    running.push(controlPlane);
    await controlPlane.seed.createServer({ name: 'erp-prod', gateways: ['hq', 'branch-fra'] });
    const { grafana, user } = renderGateways(controlPlane, 'Admin');
    await screen.findByText('branch-fra', { selector: 'td *' });
    expect(rowOf('branch-fra').getByText('the threshold’s team')).toBeInTheDocument();

    await user.click(rowOf('branch-fra').getByRole('button', { name: 'Set the team of branch-fra' }));
    const teamInput = async () => within(await screen.findByRole('form', { name: 'Gateway team' })).getByLabelText(/^team/i);
    const team = await teamInput();
    await user.type(team, 'net ops');
    await user.click(screen.getByRole('button', { name: 'Save team' }));
    expect(await screen.findByText('Must be letters, digits, _ . : or -')).toBeInTheDocument();
    expect(fieldError(team)).toBe('Must be letters, digits, _ . : or -');
    expect(grafana.gatewayCalls().filter((call) => call.startsWith('PATCH'))).toEqual([]);

    await user.clear(team);
    await user.type(team, 'net-fra');
    await user.click(screen.getByRole('button', { name: 'Save team' }));
    await waitFor(() => expect(rowOf('branch-fra').getByText('net-fra')).toBeInTheDocument());
    expect(grafana.requests.find((request) => request.method === 'PATCH')).toMatchObject({ body: { team: 'net-fra' } });
    const stored = async () => (await controlPlane.seed.request<{ items: Array<{ id: string; team: string | null }> }>('GET', '/api/v1/gateways')).items.find((g) => g.id === 'branch-fra')?.team;
    expect(await stored()).toBe('net-fra');

    await user.click(rowOf('branch-fra').getByRole('button', { name: 'Set the team of branch-fra' }));
    await user.clear(await teamInput());
    await user.click(screen.getByRole('button', { name: 'Save team' }));
    await waitFor(() => expect(rowOf('branch-fra').getByText('the threshold’s team')).toBeInTheDocument());
    expect(await stored()).toBeNull();
  });

  test('an editor sees the teams but cannot change them', async () => {
    const controlPlane = await startTestGateway({ GATEWAY_ID: 'hq' });
    running.push(controlPlane);
    renderGateways(controlPlane, 'Editor');
    await screen.findByText('hq', { selector: 'td *' });
    expect(rowOf('hq').getByText('the threshold’s team')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /set the team/i })).not.toBeInTheDocument();
  });

  test('an unreachable gateway says so and where to fix it', async () => {
    renderGateways({ url: 'http://127.0.0.1:9', token: 'x' });
    expect(await screen.findByText('Gateway unreachable')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /open the app configuration/i })).toBeInTheDocument();
  });
});
