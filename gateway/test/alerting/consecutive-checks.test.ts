// "N checks in a row" through a real Prometheus: a fast probe pages within its own `for` + N intervals, however slow
// the other probes of its server are, and not before N of its checks have failed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { checkRules, freePort, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';

const FAST_INTERVAL_S = 2;
const SLOW_INTERVAL_S = 300;
const CHECKS = 3;
const FOR_S = 5;
const SCRAPE_S = 1;
/** The group is evaluated as often as its fastest probe checks. */
const EVALUATION_S = FAST_INTERVAL_S;
/** Process start-up, a check's own duration, and polling. */
const MARGIN_S = 4;

let dir: string;
let gw: TestGateway;
let prometheus: RunningPrometheus;
let createdAtMs: number;
let rules: { alert: string; expr: string; for?: string }[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probekit-consecutive-'));
  const closedPort = await freePort();
  gw = await startTestGateway();
  const server = await gw.api.post('/api/v1/servers', {
    name: 'mixed', thresholds: [{ kind: 'availability', level: 'critical', for: `${FOR_S}s`, consecutiveChecks: CHECKS, team: 'db' }],
  });
  expect(server.status).toBe(201);
  // Both refused: the slow probe fails at most once in this test, far from three in a row.
  for (const [name, intervalSeconds] of [['slow', SLOW_INTERVAL_S], ['fast', FAST_INTERVAL_S]] as const) {
    const created = await gw.api.post(`/api/v1/servers/${server.body.id}/probes`, { name, host: '127.0.0.1', port: closedPort, intervalSeconds, timeoutMs: 500 });
    expect(created.status).toBe(201);
  }
  createdAtMs = Date.now();
  const exported = await gw.api.get(`/api/v1/export/prometheus-rules?scrapeInterval=${SCRAPE_S}s`);
  expect(exported.status).toBe(200);
  rules = parse(exported.body).groups[0].rules;
  const rulesFile = join(dir, 'rules.yml');
  writeFileSync(rulesFile, exported.body);
  expect(await checkRules(rulesFile)).toMatch(/SUCCESS/);
  prometheus = await startPrometheus({ targets: [new URL(gw.url).host], ruleFiles: [rulesFile], scrapeIntervalSeconds: SCRAPE_S, evaluationIntervalSeconds: 1 });
}, 30_000);

afterAll(async () => {
  await prometheus?.stop();
  await gw?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PrometheusAlert { labels: Record<string, string>; state: string; activeAt: string }

async function alertsOf(probe: string): Promise<PrometheusAlert[]> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: PrometheusAlert[] } };
  return body.data.alerts.filter((alert) => alert.labels.probe === probe);
}

/** An instant query at a past time (Prometheus' query helper asks at "now"). */
async function valueAt(promql: string, atSeconds: number): Promise<number | undefined> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}&time=${atSeconds}`);
  const [sample] = ((await response.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
  return sample === undefined ? undefined : Number(sample.value[1]);
}

describe('a server with a 2 s and a 300 s probe, three checks in a row and 5s', () => {
  it("keeps the threshold's `for` and reads the run of failures per probe", () => {
    expect(rules[0]).toMatchObject({ alert: 'TcpProbeDown', expr: expect.stringMatching(/^tcpprobe_consecutive_failures\{server_id="\d+"\} > 2$/), for: `${FOR_S}s` });
  });

  it("fires for the fast probe within its own for + N intervals + scrape + evaluation, after N failed checks", async () => {
    const deadlineMs = createdAtMs + (FOR_S + CHECKS * FAST_INTERVAL_S + SCRAPE_S + EVALUATION_S + MARGIN_S) * 1000;
    let firing: PrometheusAlert | undefined;
    while (firing === undefined) {
      firing = (await alertsOf('fast')).find((alert) => alert.state === 'firing');
      if (firing === undefined) {
        expect(Date.now(), 'the fast probe fires within its deadline').toBeLessThan(deadlineMs);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const firedAtMs = Date.now();
    // Pending from the evaluation that first saw three failures in a row, firing `for` later, not before.
    const activeAtSeconds = Date.parse(firing.activeAt) / 1000;
    const refusedBefore = await valueAt(`tcpprobe_checks_total{probe="fast",result="refused"}`, activeAtSeconds);
    expect(refusedBefore).toBeGreaterThanOrEqual(CHECKS);
    expect(firedAtMs - activeAtSeconds * 1000).toBeGreaterThanOrEqual(FOR_S * 1000);
    // The slow probe has failed once at most: no alert of any state.
    expect(await alertsOf('slow')).toEqual([]);
  }, 30_000);
});
