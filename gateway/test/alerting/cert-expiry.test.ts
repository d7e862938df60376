// certExpiry end to end on real engines: a gateway probing loopback TLS servers whose certificates expire in 2 and in
// 90 days, its exported rules loaded by a real Prometheus, the alerts routed by team through a real Alertmanager.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grafanaRuleGroups, type AlertingConfig } from '../../src/alerting/index.js';
import { checkAlertmanagerConfig, startAlertmanager, startWebhookReceiver, teamRoutingConfig, type RunningAlertmanager, type WebhookAlert, type WebhookReceiver } from '../helpers/alertmanager.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { testCertificates, type TestCertificate } from '../helpers/certs.js';
import { checkRules, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { startTlsServer, type TestTlsServer } from '../helpers/tls-servers.js';
import { until } from '../helpers/until.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;

let dir: string;
let gw: TestGateway;
let prometheus: RunningPrometheus;
let alertmanager: RunningAlertmanager;
const receivers: Record<'web' | 'unrouted', WebhookReceiver> = {} as never;
const tlsServers: TestTlsServer[] = [];
const ids: Record<string, number> = {};
const ports: Record<string, number> = {};
let rulesFile: string;

/**
 * A self-signed P-256 certificate for 127.0.0.1, valid from now for `days` days, made with openssl (certs.ts has no
 * certificate that expires within days).
 */
async function certificate(name: string, days: number): Promise<TestCertificate> {
  const [cert, key] = [join(dir, `${name}.pem`), join(dir, `${name}.key`)];
  const now = Date.now();
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', String(days),
    '-subj', `/O=probekit tests/CN=${name}.test`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ]);
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), notBefore: now, notAfter: now + days * DAY_MS };
}

/** A loopback TLS server presenting `certificate`; returns its port. */
async function serve(certificate: TestCertificate): Promise<number> {
  const server = await startTlsServer({ certificate });
  tlsServers.push(server);
  return server.port;
}

const certExpiry = (level: 'warning' | 'critical', value: number, team?: string) => ({ kind: 'certExpiry', level, value, ...(team ? { team } : {}) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probekit-cert-expiry-'));
  ports.soon = await serve(await certificate('soon', 2));
  ports.fresh = await serve(await certificate('fresh', 90));
  // Expired 30 days ago (certs.ts, CN=localhost, from its CA).
  const certs = await testCertificates();
  ports.expired = await serve(certs.expired);
  gw = await startTestGateway();

  // The server pages team web at its own critical level (3 days, as the default); the warning stays the default's,
  // which names no team. verify off: the certificates are self-signed, and their expiry is recorded all the same.
  const web = await gw.api.post('/api/v1/servers', { name: 'web-servers', role: 'production', site: 'lab', thresholds: [certExpiry('critical', 3, 'web')] });
  expect(web.status).toBe(201);
  for (const [name, port, tlsSettings] of [
    ['web-soon', ports.soon, { verify: false }],
    ['web-fresh', ports.fresh, { verify: false }],
    ['web-expired', ports.expired, { verify: false }],
    ['web-plain', ports.fresh, null],
  ] as const) {
    const created = await gw.api.post(`/api/v1/servers/${web.body.id}/probes`, { name, host: '127.0.0.1', port, intervalSeconds: 1, timeoutMs: 900, tls: tlsSettings });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ids[name] = created.body.id;
  }
  // The same expired certificate verified against its CA (a shared account's bundle): the check fails as cert_expired,
  // and the certificate it saw still counts.
  const account = await gw.api.post('/api/v1/shared-accounts', { name: 'test-ca', caBundle: certs.ca.cert });
  expect(account.status, JSON.stringify(account.body)).toBe(201);
  const verified = await gw.api.post('/api/v1/servers', { name: 'verified-servers', sharedAccount: 'test-ca', thresholds: [certExpiry('critical', 3, 'web')] });
  expect(verified.status, JSON.stringify(verified.body)).toBe(201);
  const strict = await gw.api.post(`/api/v1/servers/${verified.body.id}/probes`, { name: 'verified-expired', host: '127.0.0.1', port: ports.expired, intervalSeconds: 1, timeoutMs: 900, tls: { verify: true } });
  expect(strict.status, JSON.stringify(strict.body)).toBe(201);
  ids['verified-expired'] = strict.body.id;

  const rules = await gw.api.get('/api/v1/export/prometheus-rules?scrapeInterval=1s');
  expect(rules.status).toBe(200);
  rulesFile = join(dir, 'probekit-rules.yml');
  writeFileSync(rulesFile, rules.body);

  for (const name of ['web', 'unrouted'] as const) receivers[name] = await startWebhookReceiver();
  alertmanager = await startAlertmanager(teamRoutingConfig(receivers, 'unrouted'));
  prometheus = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [rulesFile], alertmanager: alertmanager.hostPort });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  for (const receiver of Object.values(receivers)) await receiver.close();
  await gw?.dispose();
  for (const server of tlsServers) await server.close();
  rmSync(dir, { recursive: true, force: true });
});


const firing = (alerts: WebhookAlert[], severity: string, probe: string) =>
  alerts.find((a) => a.status === 'firing' && a.labels.alertname === 'TcpProbeCertExpiring' && a.labels.severity === severity && a.labels.probe === probe);

describe('the exported rules', () => {
  it('pass promtool, with the certificate rules of each server: its critical level and the default warning', async () => {
    // Per server TcpProbeDown (default), TcpProbeCertExpiring warning (default) and critical (the server's); the two gateway rules.
    expect(await checkRules(rulesFile)).toMatch(/SUCCESS: 8 rules found/);
    expect(await checkAlertmanagerConfig(alertmanager.configFile)).toMatch(/SUCCESS/);
  });
});

describe('the gateway', () => {
  it('exports when the certificate of each TLS probe expires, and nothing of the kind for the plain probe', async () => {
    const expiry = await prometheus.waitFor('tcpprobe_tls_cert_expiry_timestamp_seconds', (r) => r.length === 4);
    const byProbe = Object.fromEntries(expiry.map((s) => [s.metric.probe!, (Number(s.value[1]) * 1000 - Date.now()) / DAY_MS]));
    expect(byProbe['web-soon']).toBeGreaterThan(1.9);
    expect(byProbe['web-soon']).toBeLessThan(2.01);
    expect(byProbe['web-fresh']).toBeGreaterThan(89.9);
    expect(byProbe['web-expired']).toBeLessThan(-29.9);
    expect(byProbe['verified-expired']).toBe(byProbe['web-expired']);
    const info = await prometheus.query('tcpprobe_tls_info');
    expect(info.map((s) => [s.metric.probe, s.metric.subject, s.metric.tls_version]).sort()).toEqual([
      ['verified-expired', 'CN=localhost, O=probekit tests', 'TLSv1.3'],
      ['web-expired', 'CN=localhost, O=probekit tests', 'TLSv1.3'],
      ['web-fresh', 'CN=fresh.test, O=probekit tests', 'TLSv1.3'],
      ['web-soon', 'CN=soon.test, O=probekit tests', 'TLSv1.3'],
    ]);
    expect((await prometheus.query('tcpprobe_tls_handshake_seconds')).map((s) => s.metric.probe).sort()).toEqual(['verified-expired', 'web-expired', 'web-fresh', 'web-soon']);
    // Verified, the expired certificate fails the check; unverified, it does not.
    const outcomes = await prometheus.query('tcpprobe_checks_total > 0');
    expect([...new Set(outcomes.map((s) => `${s.metric.probe}:${s.metric.result}`))].sort()).toEqual([
      'verified-expired:cert_expired', 'web-expired:success', 'web-fresh:success', 'web-plain:success', 'web-soon:success',
    ]);
  });
});

describe('Prometheus and Alertmanager on the exported rules', () => {
  it("page team web for the certificates that expire in 2 days and that expired, the default warning goes to the root, and nothing for the one of 90 days", async () => {
    const critical = await until('the critical alert at team web', () => firing(receivers.web.alerts, 'critical', 'web-soon'));
    expect(critical.labels).toMatchObject({
      alertname: 'TcpProbeCertExpiring', team: 'web', severity: 'critical', server: 'web-servers', site: 'lab', role: 'production',
      probe: 'web-soon', probe_id: String(ids['web-soon']), target: `127.0.0.1:${ports.soon}`, managed_by: 'probekit',
    });
    expect(critical.annotations.summary).toMatch(/^web-soon \(127\.0\.0\.1:\d+\) of web-servers: its TLS certificate expires in (1\.9|2\.0) days$/);
    expect(critical.annotations.description).toContain('expires in less than the critical threshold of 3 days.');
    expect(critical.annotations.description).toContain('Leaf certificate: CN=soon.test, O=probekit tests, issued by CN=soon.test, O=probekit tests');
    const warning = await until('the default warning', () => firing(receivers.unrouted.alerts, 'warning', 'web-soon'));
    expect(warning.labels.team).toBeUndefined();
    expect(warning.annotations.description).toContain('This is the built-in default of probes with TLS');
    const expired = await until('the critical alert of the expired certificate', () => firing(receivers.web.alerts, 'critical', 'web-expired'));
    expect(expired.annotations.summary).toBe(`web-expired (127.0.0.1:${ports.expired}) of web-servers: its TLS certificate has expired`);
    const failing = await until('the critical alert of the certificate that fails verification', () => firing(receivers.web.alerts, 'critical', 'verified-expired'));
    expect(failing.labels).toMatchObject({ team: 'web', server: 'verified-servers', probe_id: String(ids['verified-expired']) });

    // A few more evaluations: the 90-day certificate and the plain probe never alert.
    await new Promise((r) => setTimeout(r, 3_000));
    const paged = (receiver: WebhookReceiver) => [...new Set(receiver.alerts.filter((a) => a.status === 'firing').map((a) => `${a.labels.alertname}/${a.labels.severity}/${a.labels.probe}`))];
    const expiring = ['verified-expired', 'web-expired', 'web-soon'];
    expect(paged(receivers.web).sort()).toEqual(expiring.map((probe) => `TcpProbeCertExpiring/critical/${probe}`));
    expect(paged(receivers.unrouted).sort()).toEqual(expiring.map((probe) => `TcpProbeCertExpiring/warning/${probe}`));
    // The failing probe is also down, which the default availability rule holds for 5 minutes before paging.
    const active = await prometheus.query('ALERTS');
    expect(active.map((s) => `${s.metric.alertname}/${s.metric.severity}/${s.metric.probe}:${s.metric.alertstate}`).sort()).toEqual([
      'TcpProbeCertExpiring/critical/verified-expired:firing',
      'TcpProbeCertExpiring/critical/web-expired:firing',
      'TcpProbeCertExpiring/critical/web-soon:firing',
      'TcpProbeCertExpiring/warning/verified-expired:firing',
      'TcpProbeCertExpiring/warning/web-expired:firing',
      'TcpProbeCertExpiring/warning/web-soon:firing',
      'TcpProbeDown/critical/verified-expired:pending',
    ]);
  }, 45_000);
});

describe("the Grafana rules' PromQL", () => {
  it('select the probes whose certificates expire in 2 days or expired at both levels, and the one of 90 days at neither', async () => {
    const stored = (await gw.api.get('/api/v1/servers')).body.items;
    const probes = (await Promise.all(stored.map(async (s: { id: number }) => (await gw.api.get(`/api/v1/servers/${s.id}/probes`)).body.items))).flat();
    const config: AlertingConfig = { servers: stored, probes };
    const matched: string[] = [];
    for (const rule of grafanaRuleGroups(config, { folderUid: 'probekit', datasourceUid: 'prometheus', grafanaUrl: 'http://grafana.test' }).flatMap((g) => g.rules)) {
      const { type, params } = (rule.data[2]!.model.conditions as { evaluator: { type: 'lt' | 'gt'; params: number[] } }[])[0]!.evaluator;
      const series = await prometheus.query(`${rule.data[0]!.model.expr} ${type === 'lt' ? '<' : '>'} ${params[0]}`);
      matched.push(...series.map((s) => `${rule.uid} -> ${s.metric.probe}`));
    }
    const [web, verified] = ['web-servers', 'verified-servers'].map((name) => stored.find((s: { name: string }) => s.name === name).id);
    expect(matched.sort()).toEqual([
      `probekit-s${web}-cert-crit -> web-expired`, `probekit-s${web}-cert-crit -> web-soon`,
      `probekit-s${web}-cert-warn -> web-expired`, `probekit-s${web}-cert-warn -> web-soon`,
      `probekit-s${verified}-cert-crit -> verified-expired`, `probekit-s${verified}-cert-warn -> verified-expired`,
      `probekit-s${verified}-down-crit -> verified-expired`,
    ].sort());
  });
});

describe('certExpiry thresholds', () => {
  it('need a value in days, naming the field', async () => {
    const missing = await gw.api.post('/api/v1/servers', { name: 'x', thresholds: [{ kind: 'certExpiry', level: 'warning' }] });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ field: 'thresholds[0].value', message: 'thresholds[0].value must be days above 0 and at most 3650 for certExpiry' });
    const zero = await gw.api.post('/api/v1/servers', { name: 'x', thresholds: [{ kind: 'availability', level: 'critical' }, certExpiry('critical', 0)] });
    expect([zero.status, zero.body.field]).toEqual([400, 'thresholds[1].value']);
    const probe = await gw.api.post(`/api/v1/servers/${(await gw.api.get('/api/v1/servers')).body.items[0].id}/probes`, {
      name: 'y', host: '127.0.0.1', port: 443, tls: { verify: true }, thresholds: [{ kind: 'certExpiry', level: 'critical', for: '1h' }],
    });
    expect([probe.status, probe.body.field]).toEqual([400, 'thresholds[0].value']);
  });
});
