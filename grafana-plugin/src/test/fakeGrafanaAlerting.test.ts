// The test Grafana's alerting answers like Grafana: payloads outside Grafana's schema get 400 (and are recorded), a
// stored group comes back with Grafana's additions, roles are enforced, and rule states are filtered by group and uid.
import { getBackendSrv, type FetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { serverRuleGroup } from '../alerting/rules';
import type { ProbeServer } from '../api/types';
import { installFakeGrafana } from './grafanaRuntime';

const target = { folderUid: 'folder-probes', folderTitle: 'Probe alerts', datasourceUid: 'prom-main', grafanaUrl: 'https://g/', orgId: 1 };
const server = { id: 7, name: 'erp', role: null, site: null, gateways: ['gw'], thresholds: [] } as unknown as ProbeServer;
const group = serverRuleGroup(server, [{ id: 70, serverId: 7, name: 'db', intervalSeconds: 60, thresholds: [] }], target);
const url = '/api/v1/provisioning/folder/folder-probes/rule-groups/server-7';

async function send(method: string, path: string, data?: unknown, headers?: Record<string, string>): Promise<{ status: number; data: any }> {
  try {
    const response = await lastValueFrom(getBackendSrv().fetch<any>({ url: path, method, data, headers, showErrorAlert: false }));
    return { status: response.status, data: response.data };
  } catch (error) {
    return { status: (error as FetchError).status, data: (error as FetchError).data };
  }
}

describe('test Grafana alerting', () => {
  test("refuses a group outside Grafana's schema with 400 and records it", async () => {
    const grafana = installFakeGrafana({ user: { orgRole: 'Editor' } });
    const invalid = { ...group, rules: [{ ...group.rules[0], uid: 'x'.repeat(41), for: '5 minutes' }] };
    const answer = await send('PUT', url, invalid, { 'X-Disable-Provenance': 'true' });
    expect(answer.status).toBe(400);
    expect(answer.data.message).toMatch(/^invalid alert rule group: .*\/rules\/0\/for must match format "duration"/);
    expect(grafana.alerting.schemaViolations).toHaveLength(1);
    expect(grafana.alerting.groups).toEqual([]);
  });

  test('stores a valid group with Grafana’s additions; provenance follows X-Disable-Provenance', async () => {
    const grafana = installFakeGrafana({ user: { orgRole: 'Editor' } });
    expect((await send('PUT', url, group, { 'X-Disable-Provenance': 'true' })).status).toBe(200);
    const stored = (await send('GET', url)).data;
    expect(stored.rules[0]).toMatchObject({ uid: 'probekit-s7-down-crit', provenance: '', orgID: 1, isPaused: false });
    expect(stored.rules[0].data[0].model).toMatchObject({ intervalMs: 1000, maxDataPoints: 43200, expr: 'tcpprobe_consecutive_failures{server_id="7"}' });
    await send('PUT', url, group);
    expect(grafana.alerting.rule('probekit-s7-down-crit')?.provenance).toBe('api');
    expect(grafana.alerting.schemaViolations).toEqual([]);

    expect((await send('PUT', url.replace('folder-probes', 'nope'), { ...group, folderUid: 'nope' })).status).toBe(404);
    expect((await send('PUT', url, { ...group, interval: 15 })).data.message).toMatch(/multiple of the base interval 10s/);
    expect((await send('PUT', url, { ...group, rules: group.rules.map((rule) => ({ ...rule, data: rule.data.map((q) => ({ ...q, datasourceUid: q.datasourceUid === 'prom-main' ? 'gone' : q.datasourceUid })) })) })).data.message).toMatch(/data source gone not found/);
  });

  test('viewers read but do not write; rule states are filtered by folder, group and uid', async () => {
    const grafana = installFakeGrafana({ user: { orgRole: 'Editor' } });
    await send('PUT', url, group, { 'X-Disable-Provenance': 'true' });
    grafana.alerting.setRuleState('probekit-s7-down-crit', { state: 'firing', alerts: [{ labels: { probe_id: '70' }, state: 'Alerting' }] });
    grafana.signInAs('Viewer');
    expect((await send('PUT', url, group)).status).toBe(403);
    expect((await send('DELETE', url)).status).toBe(403);
    const states = (await send('GET', '/api/prometheus/grafana/api/v1/rules?folder_uid=folder-probes&rule_group=server-7&rule_uid=probekit-s7-down-crit')).data;
    expect(states.data.groups[0].rules).toEqual([expect.objectContaining({ uid: 'probekit-s7-down-crit', state: 'firing', health: 'ok' })]);
    expect((await send('GET', '/api/prometheus/grafana/api/v1/rules?rule_group=other')).data.data.groups).toEqual([]);
  });
});
