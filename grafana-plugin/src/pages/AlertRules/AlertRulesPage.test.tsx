// The alert rules page against a real gateway and the test Grafana's alerting: drift someone made in Grafana (a
// changed rule, a deleted one, a leftover group of the app) is shown per rule and repaired with one click.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import { syncServerRules } from '../../alerting/sync';
import type { ProbeServer } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type FakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { renderApp } from '../../test/render';

configure({ asyncUtilTimeout: 10_000 });

const PAGE = '/a/probekit-tcpprobe-app/alert-rules';
const FOLDER = 'probekit-alerts';

let gateway: TestGateway;
let grafana: FakeGrafana | undefined;
let erp: ProbeServer;
let crm: ProbeServer;

beforeEach(async () => {
  gateway = await startTestGateway();
  erp = await gateway.seed.createServer({ name: 'erp-prod' });
  crm = await gateway.seed.createServer({ name: 'crm-prod', thresholds: [{ kind: 'connectTime', level: 'warning', value: 250, for: '10m', team: 'crm' }] });
  await gateway.seed.createProbe(erp.id, { name: 'erp-db', host: '127.0.0.1', port: 5432, intervalSeconds: 60 });
  await gateway.seed.createProbe(crm.id, { name: 'crm-db', host: '127.0.0.1', port: 5433, intervalSeconds: 60 });
});
afterEach(async () => {
  expect(grafana?.alerting.schemaViolations ?? []).toEqual([]);
  grafana = undefined;
  await gateway.close();
});

/** Grafana with the configuration's rules applied, then changed by hand: one rule edited, one deleted, one group left over. */
async function driftedGrafana(orgRole: OrgRole): Promise<FakeGrafana> {
  grafana = installFakeGrafana({ gateway, user: { login: 'erin', orgRole: 'Editor' }, jsonData: { prometheusUid: 'prom-main' } });
  await syncServerRules(erp.id);
  await syncServerRules(crm.id);
  grafana.alerting.editRule(`probekit-s${crm.id}-connect-warn`, (rule) => {
    rule.for = '30m';
    rule.labels = { ...rule.labels, team: 'someone-else' };
  });
  grafana.alerting.removeRule(`probekit-s${erp.id}-down-crit`);
  // A server deleted while Grafana was unreachable left its group behind.
  const leftover = structuredClone(grafana.alerting.rule(`probekit-s${crm.id}-down-crit`)!);
  grafana.alerting.groups.push({ folderUid: FOLDER, title: 'server-999', interval: 60, rules: [{ ...leftover, uid: 'probekit-s999-down-crit', ruleGroup: 'server-999', title: 'TcpProbeDown critical: gone' }] });
  grafana.signInAs(orgRole, 'erin');
  return grafana;
}

const groupSection = (name: string) => within(screen.getByRole('region', { name: `Group ${name}` }));
const ruleRows = (name: string) =>
  within(groupSection(name).getByRole('table', { name: 'Differing rules' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent ?? ''));

describe('alert rules page', () => {
  test('shows a changed rule, a missing one and a leftover group, and Repair fixes all of them', async () => {
    await driftedGrafana('Editor');
    const { user } = renderApp(App, grafana!, PAGE);
    expect(await screen.findByText('3 of 4 rule groups differ from the configuration')).toBeInTheDocument();

    expect(ruleRows(`server-${erp.id}`)).toEqual([[`TcpProbeDown critical: erp-prodprobekit-s${erp.id}-down-crit`, 'Missing', 'Grafana does not have this rule.']]);
    const [changed] = ruleRows(`server-${crm.id}`);
    expect(changed![1]).toBe('Changed');
    expect(changed![2]).toContain('for: 30m → 10m');
    expect(changed![2]).toContain('labels.team: someone-else → crm');
    expect(ruleRows('server-999')).toEqual([['TcpProbeDown critical: goneprobekit-s999-down-crit', 'Not wanted', 'Not made from any threshold: removed on repair.']]);
    expect(screen.getByText('In sync: gateways.')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Repair' }));
    expect(await screen.findByRole('status', { name: 'Alert rules repaired' })).toHaveTextContent(
      `removed group server-999 from folder ${FOLDER}; wrote group server-${erp.id}; wrote group server-${crm.id}`,
    );
    expect(await screen.findByRole('status', { name: 'No drift' })).toBeInTheDocument();
    expect(grafana!.alerting.groups.map((group) => group.title).sort()).toEqual(['gateways', `server-${erp.id}`, `server-${crm.id}`].sort());
    // The gateways' health: down, and saturated (missing its probes' slots).
    expect(grafana!.alerting.group(FOLDER, 'gateways')?.rules.map((rule) => [rule.uid, rule.title])).toEqual([
      ['probekit-gateway-down', 'TcpProbeGatewayDown'],
      ['probekit-gateway-saturated', 'TcpProbeGatewaySaturated'],
    ]);
    expect(grafana!.alerting.rule(`probekit-s${crm.id}-connect-warn`)).toMatchObject({ for: '10m', labels: { team: 'crm' } });
    expect(grafana!.alerting.rule(`probekit-s${erp.id}-down-crit`)).toBeDefined();
    expect(grafana!.alerting.puts.every((put) => put.status === 200 && put.headers['x-disable-provenance'] === 'true')).toBe(true);
  });

  test('viewers see the drift but cannot repair it', async () => {
    await driftedGrafana('Viewer');
    renderApp(App, grafana!, PAGE);
    expect(await screen.findByText('An editor of this organization can repair them.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Repair' })).not.toBeInTheDocument();
  });

  test('without a Prometheus data source it says where to set one', async () => {
    grafana = installFakeGrafana({ gateway, user: { orgRole: 'Admin' } });
    renderApp(App, grafana, PAGE);
    expect(await screen.findByRole('alert', { name: 'Alert rules are not written to Grafana' })).toHaveTextContent(/Configuration page/);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Repair' })).not.toBeInTheDocument());
  });
});
