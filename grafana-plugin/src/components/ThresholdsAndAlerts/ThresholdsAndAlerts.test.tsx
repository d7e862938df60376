// "Thresholds & alerts" on the server edit page and the probe page, against a real gateway and the test Grafana's
// alerting: what is inherited and what overridden, saves that reach the gateway and Grafana's rule groups (every
// payload checked against Grafana's schema by the test Grafana), idempotent saves, rule states, roles and errors.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import { syncServerRules } from '../../alerting/sync';
import type { Probe, ProbeServer, Threshold } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type FakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { renderApp } from '../../test/render';

configure({ asyncUtilTimeout: 10_000 });

const BASE = '/a/probekit-tcpprobe-app';
const FOLDER = 'probekit-alerts';
const CONNECT: Threshold = { kind: 'connectTime', level: 'warning', value: 250, for: '10m', team: 'network' };

let gateway: TestGateway;
let grafana: FakeGrafana | undefined;
let server: ProbeServer;
let db: Probe;
let cache: Probe;

beforeEach(async () => {
  gateway = await startTestGateway();
  server = await gateway.seed.createServer({ name: 'erp-prod', site: 'fra', role: 'production', thresholds: [CONNECT] });
  db = await gateway.seed.createProbe(server.id, { name: 'db', host: '127.0.0.1', port: 5432, intervalSeconds: 60 });
  cache = await gateway.seed.createProbe(server.id, { name: 'cache', host: '127.0.0.1', port: 6379, intervalSeconds: 60, thresholds: [{ kind: 'availability', level: 'critical', for: '1m' }] });
});
afterEach(async () => {
  // Whatever a test did, nothing the plugin sent broke Grafana's schema.
  expect(grafana?.alerting.schemaViolations ?? []).toEqual([]);
  grafana = undefined;
  await gateway.close();
});

function signIn(orgRole: OrgRole, jsonData: Record<string, string> = { prometheusUid: 'prom-main', defaultTeam: 'sre' }): FakeGrafana {
  grafana = installFakeGrafana({ gateway, user: { login: 'erin', orgRole }, jsonData });
  return grafana;
}

const section = async () => within(await screen.findByRole('region', { name: 'Thresholds and alerts' }));

/** The rows of a table in the section as their cells' texts. */
async function rowsOf(name: 'Effective thresholds' | 'Alert rules'): Promise<string[][]> {
  const table = (await section()).getByRole('table', { name });
  return within(table).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent ?? ''));
}

const serverGroup = () => grafana!.alerting.group(FOLDER, `server-${server.id}`);
const ruleOf = (uid: string) => grafana!.alerting.rule(uid);
const thresholdParam = (uid: string) => (ruleOf(uid)?.data.find((query) => query.refId === 'C')?.model as { conditions: Array<{ evaluator: { params: number[] } }> }).conditions[0]!.evaluator.params[0];
const exprOf = (uid: string) => (ruleOf(uid)?.data.find((query) => query.refId === 'A')?.model as { expr: string }).expr;

describe('what applies and where it comes from', () => {
  test('the server shows its own thresholds, the default and which probes override them; a viewer only reads', async () => {
    signIn('Viewer');
    renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
    await waitFor(async () => expect(await rowsOf('Effective thresholds')).toHaveLength(2));
    const [down, connect] = await rowsOf('Effective thresholds');
    expect(down).toEqual(['Availability (down), critical', 'down for 5m after 2 failed checks in a row', 'sre (app default)', 'policies', '–', 'Built-in default', 'cache']);
    expect(connect).toEqual(['Connect time, warning', 'slower than 250 ms for 10m', 'network', 'policies', '–', 'This server', '–']);

    const rules = await rowsOf('Alert rules');
    expect(rules.map((row) => row[0])).toEqual([
      `TcpProbeDown critical: erp-prodprobekit-s${server.id}-down-crit`,
      `TcpProbeConnectSlow warning: erp-prodprobekit-s${server.id}-connect-warn`,
      `TcpProbeDown critical: erp-prod, probe cacheprobekit-p${cache.id}-down-crit`,
    ]);
    expect(rules[0]![1]).toBe(`tcpprobe_consecutive_failures{server_id="${server.id}",probe_id!~"^(${cache.id})$"} > 1`);
    expect(rules[1]![3]).toContain('team=network');
    // Nothing was applied yet: Grafana has none of them.
    await waitFor(async () => expect((await rowsOf('Alert rules')).map((row) => row[4])).toEqual(['Not in Grafana', 'Not in Grafana', 'Not in Grafana']));

    const view = await section();
    expect(view.queryByRole('button', { name: 'Edit thresholds' })).not.toBeInTheDocument();
    expect(view.getByText('Changing thresholds needs the Editor role in this organization.')).toBeInTheDocument();
  });

  test('the probe shows what it inherits and what it overrides, and the rules that watch it', async () => {
    signIn('Viewer');
    renderApp(App, grafana!, `${BASE}/probes/${cache.id}`);
    await waitFor(async () => expect(await rowsOf('Effective thresholds')).toHaveLength(2));
    const [down, connect] = await rowsOf('Effective thresholds');
    expect([down![0], down![5]]).toEqual(['Availability (down), critical', 'This probe']);
    expect([connect![0], connect![5]]).toEqual(['Connect time, warning', 'Inherited from the server']);
    expect((await rowsOf('Alert rules')).map((row) => row[0])).toEqual([
      `TcpProbeConnectSlow warning: erp-prodprobekit-s${server.id}-connect-warn`,
      `TcpProbeDown critical: erp-prod, probe cacheprobekit-p${cache.id}-down-crit`,
    ]);
  });
});

test('a server on one gateway shows no quorum: no locations column, no locations field in the editor', async () => {
  signIn('Editor');
  const { user } = renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
  await waitFor(async () => expect(await rowsOf('Effective thresholds')).toHaveLength(2));
  const view = await section();
  expect(within(view.getByRole('table', { name: 'Effective thresholds' })).queryByRole('columnheader', { name: 'Locations' })).not.toBeInTheDocument();
  await user.click(view.getByRole('button', { name: 'Edit thresholds' }));
  const editor = within(screen.getByRole('form', { name: 'Edit server thresholds' }));
  await user.click(editor.getByRole('button', { name: 'Add threshold' }));
  expect(within(editor.getByRole('group', { name: 'Threshold 2' })).getByLabelText(/^Consecutive checks/)).toBeInTheDocument();
  expect(editor.queryByLabelText(/^Locations down/)).not.toBeInTheDocument();
});

describe('saving applies the rules to Grafana', () => {
  test('editing a server threshold saves it on the gateway and writes the group; saving again changes nothing', async () => {
    signIn('Editor');
    const { user } = renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
    await user.click((await section()).getByRole('button', { name: 'Edit thresholds' }));
    const editor = within(screen.getByRole('form', { name: 'Edit server thresholds' }));
    const row = within(editor.getByRole('group', { name: 'Threshold 1' }));
    await user.clear(row.getByLabelText(/^Value/));
    await user.type(row.getByLabelText(/^Value/), '300');
    // The contact points are Grafana's.
    await user.click(row.getByLabelText(/^Contact point/));
    await user.click(await screen.findByText('db-oncall'));
    await user.click(editor.getByRole('button', { name: 'Save thresholds' }));

    expect(await (await section()).findByText('Alert rules updated in Grafana')).toBeInTheDocument();
    expect((await gateway.seed.getServer(server.id)).thresholds).toEqual([{ ...CONNECT, value: 300, contactPoint: 'db-oncall' }]);

    const connectUid = `probekit-s${server.id}-connect-warn`;
    expect(thresholdParam(connectUid)).toBe(300);
    expect(ruleOf(connectUid)).toMatchObject({ notification_settings: { receiver: 'db-oncall' }, labels: { team: 'network', severity: 'warning', server: 'erp-prod', managed_by: 'probekit' }, provenance: '' });
    expect(serverGroup()?.rules.map((rule) => rule.uid)).toEqual([`probekit-s${server.id}-down-crit`, connectUid, `probekit-p${cache.id}-down-crit`]);
    expect(grafana!.alerting.group(FOLDER, 'gateways')?.rules.map((rule) => rule.uid)).toEqual(['probekit-gateway-down', 'probekit-gateway-saturated']);
    // The folder was made for the rules, and every write went as the signed-in user with provenance off.
    expect(grafana!.folders).toContainEqual({ uid: FOLDER, title: 'probekit TCP probes' });
    const puts = grafana!.alerting.puts;
    expect(puts.map((put) => [put.group, put.status, put.headers['x-disable-provenance'], put.schemaProblems])).toEqual([
      [`server-${server.id}`, 200, 'true', []],
      ['gateways', 200, 'true', []],
    ]);
    expect(grafana!.gatewayCalls()).toContain(`PATCH /api/v1/servers/${server.id}`);

    // Saving the same thresholds again: the gateway saves, Grafana has it all already.
    await user.click((await section()).getByRole('button', { name: 'Edit thresholds' }));
    await user.click(screen.getByRole('button', { name: 'Save thresholds' }));
    expect(await (await section()).findByText('Grafana already has these alert rules')).toBeInTheDocument();
    expect(grafana!.alerting.puts).toHaveLength(2);

    // Once Grafana lost the group, the next save writes exactly the same payload: uids come from ids.
    grafana!.alerting.groups.splice(grafana!.alerting.groups.indexOf(serverGroup()!), 1);
    await user.click((await section()).getByRole('button', { name: 'Edit thresholds' }));
    await user.click(screen.getByRole('button', { name: 'Save thresholds' }));
    expect(await (await section()).findByText('Alert rules updated in Grafana')).toBeInTheDocument();
    expect(grafana!.alerting.puts).toHaveLength(3);
    expect(grafana!.alerting.puts[2]!.body).toEqual(puts[0]!.body);
  });

  test("a probe override leaves the server's rule for that probe and gets its own; deleting the probe drops it", async () => {
    signIn('Admin');
    await syncServerRules(server.id);
    const { user, location } = renderApp(App, grafana!, `${BASE}/probes/${db.id}`);
    await user.click(await (await section()).findByRole('button', { name: 'Override Connect time, warning' }));
    const row = within(screen.getByRole('group', { name: 'Threshold 1' }));
    expect(row.getByLabelText(/^Value/)).toHaveValue(250);
    await user.clear(row.getByLabelText(/^Value/));
    await user.type(row.getByLabelText(/^Value/), '100');
    await user.click(screen.getByRole('button', { name: 'Save thresholds' }));
    expect(await (await section()).findByText('Alert rules updated in Grafana')).toBeInTheDocument();

    expect((await gateway.seed.request<Probe>('GET', `/api/v1/probes/${db.id}`)).thresholds).toEqual([{ ...CONNECT, value: 100 }]);
    const own = `probekit-p${db.id}-connect-warn`;
    expect(exprOf(own)).toBe(`tcpprobe_connect_seconds{probe_id="${db.id}"} * 1000`);
    expect(thresholdParam(own)).toBe(100);
    expect(ruleOf(own)?.labels).toMatchObject({ probe_id: String(db.id), team: 'network' });
    expect(exprOf(`probekit-s${server.id}-connect-warn`)).toBe(`tcpprobe_connect_seconds{server_id="${server.id}",probe_id!~"^(${db.id})$"} * 1000`);
    await waitFor(async () => expect((await rowsOf('Effective thresholds')).map((cells) => cells[5])).toEqual(['Built-in default', 'This probe (overrides the server)']));

    // Deleting the probe from its page takes its rule out of the group and the exclusion out of the server's.
    await user.click(screen.getByRole('button', { name: 'Delete db' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete probe' }));
    await waitFor(() => expect(location()).toBe(`${BASE}/servers/${server.id}`));
    expect(ruleOf(own)).toBeUndefined();
    expect(exprOf(`probekit-s${server.id}-connect-warn`)).toBe(`tcpprobe_connect_seconds{server_id="${server.id}"} * 1000`);
  });

  test("saving a server from its form applies its rules; deleting it removes its group and the gateway's", async () => {
    signIn('Admin');
    const { user, location } = renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
    await user.clear(await screen.findByLabelText(/^Site/));
    await user.type(screen.getByLabelText(/^Site/), 'ber');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(location()).toBe(`${BASE}/servers`));
    expect(ruleOf(`probekit-s${server.id}-down-crit`)?.labels).toMatchObject({ site: 'ber' });

    await user.click(within(await screen.findByRole('row', { name: /erp-prod/ })).getByRole('button', { name: 'Delete erp-prod' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(grafana!.alerting.groups).toEqual([]));
    expect(grafana!.alerting.notifications).toEqual([]);
  });
});

describe('saving a probe from its form', () => {
  test("creating a probe applies its server's rules", async () => {
    const empty = await gateway.seed.createServer({ name: 'crm-prod' });
    signIn('Editor');
    const { user, location } = renderApp(App, grafana!, `${BASE}/servers/${empty.id}/probes/new`);
    await user.type(await screen.findByLabelText(/^Name/), 'crm-db');
    await user.type(screen.getByLabelText(/^Host/), '127.0.0.1');
    await user.type(screen.getByLabelText(/^Port/), '5432');
    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    await waitFor(() => expect(location()).toBe(`${BASE}/servers/${empty.id}`));
    expect(grafana!.alerting.group(FOLDER, `server-${empty.id}`)?.rules.map((rule) => rule.uid)).toEqual([`probekit-s${empty.id}-down-crit`]);
    expect(grafana!.alerting.rule('probekit-gateway-down')).toBeDefined();
  });
});

describe('state and errors', () => {
  test("shows each rule's state from Grafana, for the probe its own instance", async () => {
    signIn('Editor');
    await syncServerRules(server.id);
    grafana!.signInAs('Viewer');
    grafana!.alerting.setRuleState(`probekit-s${server.id}-down-crit`, { state: 'firing', alerts: [{ labels: { probe_id: String(db.id) }, state: 'Alerting' }] });
    grafana!.alerting.setRuleState(`probekit-s${server.id}-connect-warn`, { state: 'pending', alerts: [{ labels: { probe_id: String(cache.id) }, state: 'Pending' }] });
    const { unmount } = renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
    await waitFor(async () => expect((await rowsOf('Alert rules')).map((row) => row[4])).toEqual(['Firing', 'Pending', 'Normal']));
    unmount();

    renderApp(App, grafana!, `${BASE}/probes/${db.id}`);
    await waitFor(async () => expect((await rowsOf('Alert rules')).map((row) => row[4])).toEqual(['Firing', 'Normal']));
    expect(grafana!.requests.some((request) => request.url.startsWith('/api/prometheus/grafana/api/v1/rules?folder_uid=probekit-alerts&rule_group=server-'))).toBe(true);
  });

  test('without a Prometheus data source nothing is written and the admin is told where to set it', async () => {
    signIn('Editor', {});
    const { user } = renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
    const view = await section();
    expect(await view.findByText('Alert rules are not written to Grafana')).toBeInTheDocument();
    expect(view.getByRole('link', { name: /Open the app configuration/ })).toHaveAttribute('href', '/plugins/probekit-tcpprobe-app');
    await user.click(view.getByRole('button', { name: 'Edit thresholds' }));
    await user.click(screen.getByRole('button', { name: 'Save thresholds' }));
    await waitFor(() => expect(view.getByRole('button', { name: 'Edit thresholds' })).toBeInTheDocument());
    expect(grafana!.alerting.puts).toEqual([]);
    expect(grafana!.requests.filter((request) => request.method !== 'GET' && !request.url.startsWith('/api/plugin-proxy/'))).toEqual([]);
  });

  test('a role Grafana refuses alert writes to: saved on the gateway, and told (or notified) why the rules are not', async () => {
    signIn('Editor').alerting.denyWrites = true;
    const { user } = renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
    await user.click((await section()).getByRole('button', { name: 'Edit thresholds' }));
    await user.clear(screen.getByLabelText(/^Value/));
    await user.type(screen.getByLabelText(/^Value/), '400');
    await user.click(screen.getByRole('button', { name: 'Save thresholds' }));
    const alert = await (await section()).findByRole('alert', { name: 'You may not change alert rules in Grafana' });
    expect(alert).toHaveTextContent(/you need the Editor role/);
    expect((await gateway.seed.getServer(server.id)).thresholds[0]?.value).toBe(400);
    expect(grafana!.alerting.groups).toEqual([]);

    // A save on the form moves on to the list: Grafana's notification carries the same news.
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(grafana!.alerting.notifications).toEqual([expect.objectContaining({ severity: 'error', title: 'Alert rules not updated' })]));
    expect(grafana!.alerting.notifications[0]!.text).toMatch(/The change is saved.*you need the Editor role/);
  });

  test('a threshold outside the rules is shown on its field before anything is sent', async () => {
    signIn('Editor');
    const { user } = renderApp(App, grafana!, `${BASE}/servers/${server.id}/edit`);
    await user.click((await section()).getByRole('button', { name: 'Edit thresholds' }));
    await user.clear(screen.getByLabelText(/^For/));
    await user.type(screen.getByLabelText(/^For/), '10 minutes');
    await user.click(screen.getByRole('button', { name: 'Save thresholds' }));
    expect(await screen.findByText('Must be a duration such as 30s, 5m or 1h30m')).toBeInTheDocument();
    expect(grafana!.gatewayCalls().filter((call) => call.startsWith('PATCH'))).toEqual([]);
  });
});
