// TcpProbeGatewaySaturated on a real Prometheus: a gateway whose in-flight cap binds behind blackholed probes fires it;
// the same gateway with healthy probes only does not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetDocument } from '../../bench/lib/config-doc.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener, startUnansweredListener, type TestListener } from '../helpers/listeners.js';
import { checkRules, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';

let dir: string;
let gw: TestGateway;
let healthy: TestListener;
let dark: TestListener;
let prometheus: RunningPrometheus;
let rulesFile: string;

const SATURATION = 'tcpprobe_scheduler_skipped_total';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probekit-saturation-'));
  healthy = await startListener();
  dark = await startUnansweredListener();
  // A cap of 20: 18 for checks of targets not known to answer, which 100 probes at 1 s with a 900 ms timeout overrun.
  gw = await startTestGateway({ GATEWAY_MAX_IN_FLIGHT: '20' });
  const imported = await gw.api.post('/api/v1/import', fleetDocument({ probes: 5, intervalSeconds: 1, timeoutMs: 500, targets: [{ host: '127.0.0.1', port: healthy.port }], prefix: 'healthy' }));
  expect(imported.status).toBe(200);
  const rules = await gw.api.get('/api/v1/export/prometheus-rules?scrapeInterval=1s');
  expect(rules.status).toBe(200);
  rulesFile = join(dir, 'rules.yml');
  writeFileSync(rulesFile, rules.body);
  prometheus = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [rulesFile] });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await gw?.dispose();
  await healthy?.close();
  await dark?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const saturatedAlerts = () => prometheus.query('ALERTS{alertname="TcpProbeGatewaySaturated"}');

describe('TcpProbeGatewaySaturated', () => {
  it('is in the exported rules, which promtool accepts', async () => {
    expect(await checkRules(rulesFile)).toMatch(/SUCCESS/);
    expect(rulesFile && (await import('node:fs')).readFileSync(rulesFile, 'utf8')).toContain('alert: TcpProbeGatewaySaturated');
  });

  it('stays quiet while the gateway keeps its slots', async () => {
    // Ten scrapes of healthy probes: the ratio is there, and 0.
    await prometheus.waitFor(`count_over_time(${SATURATION}{reason="late"}[30s])`, (r) => r.length === 1 && Number(r[0]!.value[1]) >= 10, 30_000);
    const ratio = await prometheus.query('100 * sum by (gateway) (rate(tcpprobe_scheduler_skipped_total[5m])) / (sum by (gateway) (rate(tcpprobe_scheduler_lag_seconds_count[5m])) + sum by (gateway) (rate(tcpprobe_scheduler_skipped_total{reason!="late"}[5m])))');
    expect(ratio.map((r) => Number(r.value[1]))).toEqual([0]);
    expect(await saturatedAlerts()).toEqual([]);
  }, 40_000);

  it('fires for the gateway once blackholed probes keep it from its slots', async () => {
    const imported = await gw.api.post('/api/v1/import', fleetDocument({ probes: 100, intervalSeconds: 1, timeoutMs: 900, targets: [{ host: '127.0.0.1', port: dark.port }], prefix: 'dark' }));
    expect(imported.status).toBe(200);
    const [alert] = await prometheus.waitFor('ALERTS{alertname="TcpProbeGatewaySaturated",alertstate="firing"}', (r) => r.length === 1, 45_000);
    expect(alert!.metric).toMatchObject({ gateway: 'test-gw', severity: 'warning', managed_by: 'probekit' });
    const missed = await prometheus.query(`sum by (reason) (${SATURATION})`);
    expect(Object.fromEntries(missed.map((r) => [r.metric.reason, Number(r.value[1]) > 0]))).toEqual({ overlap: expect.any(Boolean), queued: true, late: true });
    const alerts = ((await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] } }).data.alerts;
    const saturated = alerts.find((a) => a.labels.alertname === 'TcpProbeGatewaySaturated')!;
    expect(saturated.annotations.summary).toMatch(/^probekit gateway test-gw misses \d+\.\d% of its probes' slots$/);
  }, 60_000);
});
