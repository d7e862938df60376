// The harness itself: a request from plugin code travels Grafana's proxy route to a real gateway and back.
import { getBackendSrv, type FetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from './gatewayHarness';
import { installFakeGrafana } from './grafanaRuntime';

const proxy = '/api/plugin-proxy/probekit-tcpprobe-app/gateway';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

const fetchData = async (url: string, method = 'GET', data?: unknown) =>
  (await lastValueFrom(getBackendSrv().fetch<any>({ url, method, data, showErrorAlert: false }))).data;

const fetchError = async (url: string, method = 'GET', data?: unknown): Promise<FetchError> => {
  try {
    await fetchData(url, method, data);
  } catch (error) {
    return error as FetchError;
  }
  throw new Error(`${method} ${url} succeeded`);
};

describe('test Grafana in front of a real gateway', () => {
  test('forwards to the gateway with the token and the signed-in user', async () => {
    const grafana = installFakeGrafana({ gateway, user: { login: 'alice', orgRole: 'Editor' } });
    expect(await fetchData(`${proxy}/readyz`)).toEqual({ status: 'ready', store: 'ok' });
    const server = await fetchData(`${proxy}/api/v1/servers`, 'POST', { name: 'harness-smoke' });
    expect(server).toMatchObject({ name: 'harness-smoke', createdBy: 'alice' });
    const forwarded = grafana.forwarded.at(-1)!;
    expect(forwarded.url).toBe(`${gateway.url}/api/v1/servers`);
    expect(forwarded.headers).toMatchObject({ authorization: `Bearer ${gateway.token}`, 'x-grafana-user': 'alice' });
  });

  test('enforces the route roles of plugin.json', async () => {
    installFakeGrafana({ gateway, user: { orgRole: 'Viewer' } });
    expect((await fetchData(`${proxy}/api/v1/servers`)).items).toBeInstanceOf(Array);
    const denied = await fetchError(`${proxy}/api/v1/servers`, 'POST', { name: 'nope' });
    expect(denied).toMatchObject({ status: 403, data: { message: 'plugin proxy route access denied' } });

    installFakeGrafana({ gateway, user: { orgRole: 'Editor' } });
    const server = await fetchData(`${proxy}/api/v1/servers`, 'POST', { name: 'harness-delete' });
    expect(await fetchError(`${proxy}/api/v1/servers/${server.id}`, 'DELETE')).toMatchObject({ status: 403 });
    installFakeGrafana({ gateway, user: { orgRole: 'Admin' } });
    expect(await fetchData(`${proxy}/api/v1/servers/${server.id}`, 'DELETE')).toEqual({ deletedProbes: 0 });
  });

  test('answers like Grafana when the gateway cannot be reached or the token is wrong', async () => {
    const grafana = installFakeGrafana({ gateway: { url: 'http://127.0.0.1:9', token: 'x' } });
    expect(await fetchError(`${proxy}/readyz`)).toMatchObject({ status: 502, data: { message: 'Bad Gateway' } });
    grafana.configure({ gatewayUrl: gateway.url }, { gatewayToken: 'wrong-token-wrong-token' });
    expect(await fetchError(`${proxy}/api/v1/servers`)).toMatchObject({ status: 401, data: { statusCode: 401 } });
  });

  test('keeps the app settings in memory and never returns secrets', async () => {
    const grafana = installFakeGrafana({ gateway });
    await fetchData('/api/plugins/probekit-tcpprobe-app/settings', 'POST', {
      enabled: true,
      pinned: true,
      jsonData: { gatewayUrl: 'http://gw:8080' },
      secureJsonData: { gatewayToken: 'secret' },
    });
    const settings = await fetchData('/api/plugins/probekit-tcpprobe-app/settings');
    expect(settings).toMatchObject({ jsonData: { gatewayUrl: 'http://gw:8080' }, secureJsonFields: { gatewayToken: true } });
    expect(JSON.stringify(settings)).not.toContain('secret');
    expect(grafana.settings.secureJsonData.gatewayToken).toBe('secret');
  });
});
