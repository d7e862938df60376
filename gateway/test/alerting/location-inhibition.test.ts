// The provisioned Alertmanager's inhibition with several locations, on a real Alertmanager: a probe's critical alert
// silences its warning of the same kind from the same gateway only, and the per-probe service alerts (no gateway
// label) still silence each other.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startAlertmanager, startWebhookReceiver, type RunningAlertmanager, type WebhookReceiver } from '../helpers/alertmanager.js';

const CONFIG = new URL('../../../provisioning/alertmanager/alertmanager.yml', import.meta.url);
let alertmanager: RunningAlertmanager;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // The provisioned inhibition and routes; every receiver posts to the test's webhook.
  const config = parse(readFileSync(CONFIG, 'utf8'));
  for (const entry of config.receivers) entry.webhook_configs = [{ url: receiver.url, send_resolved: true }];
  alertmanager = await startAlertmanager(stringify(config));
}, 30_000);

afterAll(async () => {
  await alertmanager?.stop();
  await receiver?.close();
});

const alert = (alertname: string, severity: string, gateway?: string) => ({
  labels: { alertname, severity, server: 'web', probe: 'https', probe_id: '10', managed_by: 'probekit', ...(gateway ? { gateway } : {}) },
  startsAt: new Date().toISOString(),
});

describe('inhibition across locations', () => {
  it("holds back a warning only for a critical alert of the same probe, kind and gateway", async () => {
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert('TcpProbePathDown', 'critical', 'hq'), alert('TcpProbePathDown', 'warning', 'hq'), alert('TcpProbePathDown', 'warning', 'branch-fra'),
        alert('TcpProbeDown', 'critical'), alert('TcpProbeDown', 'warning'),
      ]),
    });
    expect(posted.status).toBe(200);
    const deadline = Date.now() + 10_000;
    let states: string[] = [];
    while (Date.now() < deadline) {
      const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; status: { state: string } }[];
      states = alerts.map((a) => `${a.labels.alertname} ${a.labels.severity} ${a.labels.gateway ?? '-'}: ${a.status.state}`).sort();
      if (states.length === 5 && !states.some((s) => s.endsWith('unprocessed'))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(states).toEqual([
      'TcpProbeDown critical -: active',
      'TcpProbeDown warning -: suppressed',
      'TcpProbePathDown critical hq: active',
      'TcpProbePathDown warning branch-fra: active',
      'TcpProbePathDown warning hq: suppressed',
    ]);
  }, 20_000);
});
