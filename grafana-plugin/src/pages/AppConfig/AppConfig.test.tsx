import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppPlugin } from '@grafana/data';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type FakeGrafana, type FakeGrafanaOptions } from '../../test/grafanaRuntime';
import { closedPortUrl, startHttpStub, type HttpStub } from '../../test/httpStub';
import { pluginMeta } from '../../test/render';
import type { AppJsonData } from '../../types';
import { AppConfig } from './AppConfig';

let gateway: TestGateway;
let htmlSite: HttpStub;
let startingGateway: HttpStub;

beforeAll(async () => {
  gateway = await startTestGateway();
  // Another web server at the configured URL: 404 pages in HTML.
  htmlSite = await startHttpStub((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>');
  });
  // A gateway still starting: /readyz answers 503 as gateway/src/api/health.ts does.
  startingGateway = await startHttpStub((_request, response) => {
    response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'starting', store: 'unavailable' }));
  });
});

afterAll(async () => {
  await Promise.all([gateway?.close(), htmlSite?.close(), startingGateway?.close()]);
});

function renderConfig(options: FakeGrafanaOptions = {}) {
  const grafana = installFakeGrafana(options);
  const plugin = new AppPlugin<AppJsonData>();
  plugin.meta = pluginMeta(grafana);
  render(<AppConfig plugin={plugin} query={{}} />);
  return { grafana, user: userEvent.setup() };
}

const settingsPosts = (grafana: FakeGrafana) =>
  grafana.requests.filter((r) => r.method === 'POST' && r.url === '/api/plugins/probekit-tcpprobe-app/settings');

async function testConnectionResult(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: /test connection/i }));
  return within(await screen.findByLabelText('Connection test result'));
}

describe('configuration page', () => {
  test('first setup: URL, token, Prometheus, folder and team are saved as Grafana stores them', async () => {
    const { grafana, user } = renderConfig({ jsonData: {} });
    grafana.settings.enabled = false;

    await user.type(screen.getByLabelText(/gateway url/i), `${gateway.url}/`);
    await user.type(screen.getByLabelText(/api token/i), gateway.token);
    await user.click(screen.getByLabelText(/prometheus data source/i));
    expect(screen.queryByText('Loki')).not.toBeInTheDocument();
    await user.click(await screen.findByText('Prometheus'));
    await user.selectOptions(screen.getByLabelText('Folder picker'), 'Probe alerts');
    await user.type(screen.getByLabelText(/default team/i), 'sre');
    await user.click(screen.getByRole('button', { name: /save settings/i }));

    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
    expect(grafana.settings).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { gatewayUrl: gateway.url, prometheusUid: 'prom-main', alertFolderUid: 'folder-probes', alertFolderTitle: 'Probe alerts', defaultTeam: 'sre' },
      secureJsonData: { gatewayToken: gateway.token },
    });
    // The token is not kept in the form once stored.
    expect(screen.getByLabelText(/api token/i)).toHaveValue('configured');

    const result = await testConnectionResult(user);
    expect(result.getByText('Connected')).toBeInTheDocument();
    expect(result.getByText(/gateway gw-test \(version .+\) is ready and accepts the token/i)).toBeInTheDocument();
  });

  test('a stored token is shown as configured and kept when other settings change', async () => {
    const { grafana, user } = renderConfig({ gateway });
    expect(screen.getByLabelText(/gateway url/i)).toHaveValue(gateway.url);
    expect(screen.getByLabelText(/api token/i)).toHaveValue('configured');
    expect(screen.getByLabelText(/api token/i)).toBeDisabled();

    await user.type(screen.getByLabelText(/default team/i), 'netops');
    await user.click(screen.getByRole('button', { name: /save settings/i }));
    await screen.findByText('Settings saved');
    expect(settingsPosts(grafana).at(-1)?.body).not.toHaveProperty('secureJsonData');
    expect(grafana.settings.secureJsonData.gatewayToken).toBe(gateway.token);
    expect(grafana.settings.jsonData.defaultTeam).toBe('netops');
  });

  test('reset asks for a new token and stores it', async () => {
    const { grafana, user } = renderConfig({ gateway });
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    await user.click(screen.getByRole('button', { name: /save settings/i }));
    expect(await screen.findByText(/paste the gateway's api token/i)).toBeInTheDocument();
    expect(settingsPosts(grafana)).toHaveLength(0);

    await user.type(screen.getByLabelText(/api token/i), 'a-brand-new-token-123456');
    await user.click(screen.getByRole('button', { name: /save settings/i }));
    await screen.findByText('Settings saved');
    expect(grafana.settings.secureJsonData.gatewayToken).toBe('a-brand-new-token-123456');
  });

  test('a URL that is not http(s) is refused before saving', async () => {
    const { grafana, user } = renderConfig({ gateway });
    const url = screen.getByLabelText(/gateway url/i);
    await user.clear(url);
    await user.type(url, 'gateway:8080');
    await user.type(screen.getByLabelText(/default team/i), 'bad team');
    await user.click(screen.getByRole('button', { name: /save settings/i }));
    expect(await screen.findByText(/must be an http:\/\/ or https:\/\/ url/i)).toBeInTheDocument();
    expect(screen.getByText('Must be letters, digits, _ . : or -')).toBeInTheDocument();
    expect(settingsPosts(grafana)).toHaveLength(0);
  });

  test('only organization admins may save', async () => {
    const { user } = renderConfig({ gateway, user: { orgRole: 'Editor' } });
    await user.type(screen.getByLabelText(/default team/i), 'sre');
    await user.click(screen.getByRole('button', { name: /save settings/i }));
    expect(await screen.findByText('Only organization admins can change the app settings.')).toBeInTheDocument();
  });
});

describe('test connection says what is wrong', () => {
  test('nothing saved yet', async () => {
    const { user } = renderConfig({ jsonData: {} });
    expect((await testConnectionResult(user)).getByText('No gateway URL saved')).toBeInTheDocument();
  });

  test('unreachable: nothing listens at the URL (502)', async () => {
    const { user } = renderConfig({ gateway: { url: await closedPortUrl(), token: gateway.token } });
    const result = await testConnectionResult(user);
    expect(result.getByText('Gateway unreachable')).toBeInTheDocument();
    expect(result.getByText(/could not connect to the gateway url \(HTTP 502\)/i)).toBeInTheDocument();
  });

  test('bad token (401)', async () => {
    const { user } = renderConfig({ gateway: { url: gateway.url, token: 'some-other-token-0123456789' } });
    const result = await testConnectionResult(user);
    expect(result.getByText('Bad token')).toBeInTheDocument();
    expect(result.getByText(/reachable and ready, but rejected the api token/i)).toBeInTheDocument();
  });

  test('wrong URL: another web server answers 404 in HTML', async () => {
    const { user } = renderConfig({ gateway: { url: htmlSite.url, token: gateway.token } });
    const result = await testConnectionResult(user);
    expect(result.getByText('Wrong gateway URL')).toBeInTheDocument();
    expect(result.getByText(/not a probekit gateway/i)).toBeInTheDocument();
  });

  test('not ready (503)', async () => {
    const { user } = renderConfig({ gateway: { url: startingGateway.url, token: gateway.token } });
    const result = await testConnectionResult(user);
    expect(result.getByText('Gateway not ready')).toBeInTheDocument();
    expect(result.getByText(/store unavailable/i)).toBeInTheDocument();
  });

  test('the test uses the saved settings and says so while the form has changes', async () => {
    const { grafana, user } = renderConfig({ gateway });
    const url = screen.getByLabelText(/gateway url/i);
    await user.clear(url);
    await user.type(url, 'http://elsewhere:8080');
    expect(screen.getByText(/the test uses the saved settings/i)).toBeInTheDocument();
    expect((await testConnectionResult(user)).getByText('Connected')).toBeInTheDocument();
    await waitFor(() => expect(grafana.forwarded.at(-1)?.url).toBe(`${gateway.url}/api/v1/gateways`));
  });
});
