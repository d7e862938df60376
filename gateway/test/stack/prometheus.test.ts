// provisioning/prometheus: promtool accepts the config and the rules as the container sees them, and a real
// Prometheus running that config finds a real gateway through its service discovery with the token file, scrapes
// it, and answers every query of the overview dashboard with data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { freePort, PROMETHEUS_BIN, PROMTOOL_BIN, requireBinary, runTool } from '../helpers/prometheus.js';
import {
  addLoopbackProbes, compose, dashboardQueries, eventually, hostPath, readJson, readYaml, secretName, type ProbedGateway,
} from './stack.js';

const service = compose().services.prometheus!;
const original = readYaml('provisioning', 'prometheus', 'prometheus.yml');

interface Rewrite {
  /** The token file Prometheus gets as the Docker secret. */
  tokenFile: string;
  /** Replaces the origin of every service-discovery URL (http://gateway:8080). */
  gatewayUrl?: string;
  /** Test timing: scrape, evaluate and rediscover every second instead of every 15-30 s. */
  fast?: boolean;
}

/**
 * prometheus.yml as it reads inside the container, made to run here: rule files where compose mounts them from, the
 * secret's path replaced by a file holding the token. Nothing else changes, apart from the test timing and the
 * gateway's address when asked for.
 */
function localConfig(rewrite: Rewrite): any {
  const config = structuredClone(original);
  config.rule_files = config.rule_files.map((pattern: string) => {
    const local = hostPath(service, pattern);
    if (!local) throw new Error(`rule file ${pattern} is not mounted into the prometheus service`);
    return local;
  });
  for (const job of config.scrape_configs) {
    for (const sd of job.http_sd_configs ?? []) {
      const secret = secretName(sd.authorization.credentials_file);
      if (!secret || !service.secrets!.includes(secret)) throw new Error(`${sd.authorization.credentials_file} is not a secret of the prometheus service`);
      sd.authorization.credentials_file = rewrite.tokenFile;
      if (rewrite.gatewayUrl) sd.url = `${rewrite.gatewayUrl}${new URL(sd.url).pathname}`;
      if (rewrite.fast) sd.refresh_interval = '1s';
    }
  }
  if (rewrite.fast) {
    config.global.scrape_interval = '1s';
    config.global.evaluation_interval = '1s';
  }
  return config;
}

let dir: string;

beforeAll(() => {
  requireBinary(PROMTOOL_BIN, 'prometheus');
  dir = mkdtempSync(join(tmpdir(), 'probekit-stack-prom-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('provisioning/prometheus', () => {
  it('passes promtool check config, rule files included', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'placeholder-token-0123456789\n', { mode: 0o600 });
    const file = join(dir, 'check.yml');
    writeFileSync(file, stringifyYaml(localConfig({ tokenFile })));
    const output = await runTool(PROMTOOL_BIN, ['check', 'config', file]);
    expect(output).toMatch(/SUCCESS/);
    expect(output).toMatch(/probekit-stack\.yml/);
  });

  it('sends alerts to the stack\'s Alertmanager and scrapes the gateways through their discovery endpoint', () => {
    expect(original.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    const probekit = original.scrape_configs.find((job: any) => job.job_name === 'probekit');
    expect(probekit.http_sd_configs).toHaveLength(1);
    expect(probekit.static_configs).toBeUndefined();
    // Without an explicit type, Debian's Prometheus 2.42 sends `Authorization: <token>` to service discovery.
    expect(probekit.http_sd_configs[0].authorization.type).toBe('Bearer');
  });

  it('has rules promtool accepts', async () => {
    const rulesDir = hostPath(service, '/etc/prometheus/rules')!;
    const files = readdirSync(rulesDir).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(await runTool(PROMTOOL_BIN, ['check', 'rules', join(rulesDir, file)])).toMatch(/SUCCESS/);
  });

  it('warns when listing the gateways keeps failing, and not after one failed refresh', async () => {
    const rulesFile = join(hostPath(service, '/etc/prometheus/rules')!, 'probekit-stack.yml');
    const tests = {
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '30s',
          input_series: [
            { series: 'prometheus_sd_refresh_failures_total{mechanism="http",job="prometheus",instance="localhost:9090"}', values: '0+1x40' },
            { series: 'prometheus_sd_refresh_failures_total{mechanism="http",job="prometheus",instance="other:9090"}', values: '0 1 1x40' },
          ],
          alert_rule_test: [
            { eval_time: '4m', alertname: 'ProbekitDiscoveryFailing', exp_alerts: [] },
            {
              eval_time: '15m',
              alertname: 'ProbekitDiscoveryFailing',
              exp_alerts: [{
                exp_labels: { severity: 'warning', managed_by: 'probekit', mechanism: 'http', job: 'prometheus', instance: 'localhost:9090' },
                exp_annotations: {
                  summary: 'Prometheus cannot list the probekit gateways',
                  description: readYaml('provisioning', 'prometheus', 'rules', 'probekit-stack.yml').groups[0].rules[0].annotations.description,
                },
              }],
            },
          ],
        },
      ],
    };
    const file = join(dir, 'stack-rules.test.yml');
    writeFileSync(file, stringifyYaml(tests));
    expect(await runTool(PROMTOOL_BIN, ['test', 'rules', file])).toMatch(/SUCCESS/);
  });
});

describe('a real Prometheus running provisioning/prometheus/prometheus.yml', () => {
  let gw: TestGateway;
  let probed: ProbedGateway;
  let prometheus: ChildProcess;
  let url: string;
  let stderr = '';

  const query = async (promql: string) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result;
  };

  beforeAll(async () => {
    requireBinary(PROMETHEUS_BIN, 'prometheus');
    gw = await startTestGateway();
    probed = await addLoopbackProbes(gw);
    const tokenFile = join(dir, 'e2e-token');
    writeFileSync(tokenFile, `${gw.token.token}\n`, { mode: 0o600 });

    const config = localConfig({ tokenFile, gatewayUrl: gw.url, fast: true });
    // Only the gateways' job: the others name compose hosts that do not exist here.
    config.scrape_configs = config.scrape_configs.filter((job: any) => job.job_name === 'probekit');
    config.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${await freePort()}`];
    const file = join(dir, 'e2e.yml');
    writeFileSync(file, stringifyYaml(config));

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS_BIN, [
      `--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    await eventually('Prometheus to be ready', async () => {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      return (await fetch(`${url}/-/ready`)).ok;
    });
  }, 60_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await gw?.dispose();
    await probed?.close();
  });

  it('discovers the gateway with the token file and scrapes it, labelling `up` with the gateway', async () => {
    const up = await eventually('the discovered gateway to be scraped', async () => {
      const result = await query('up{job="probekit"}');
      return result.length === 1 && result[0]!.value[1] === '1' ? result : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; Prometheus logged: ${stderr || 'nothing'}`);
    });
    expect(up[0]!.metric).toMatchObject({ instance: new URL(gw.url).host, probekit_gateway: 'test-gw' });
    const availability = await eventually('the probes\' availability', async () => {
      const result = await query('tcpprobe_availability{job="probekit"}');
      return result.length === 3 ? result : undefined;
    });
    expect(Object.fromEntries(availability.map((s) => [s.metric.probe, s.value[1]]))).toEqual({ open: '1', closed: '0', tls: '1' });
    // The probe series keep their own gateway label: no exported_gateway.
    expect(availability[0]!.metric.gateway).toBe('test-gw');
    expect(availability[0]!.metric.exported_gateway).toBeUndefined();
  });

  it('answers every query of the overview dashboard with data, for "All" and for one server', async () => {
    const dashboard = readJson('provisioning', 'grafana', 'dashboards', 'probekit', 'tcp-probes-overview.json');
    const panelQueries = dashboardQueries(dashboard).filter((q) => !q.panel.startsWith('variable'));
    // What Grafana substitutes: its range variables at this test's 1 s scrape interval, and the filters.
    const grafanaVariables = { $__rate_interval: '4s', $__range: '30s', $__interval: '1s' };
    for (const filters of [{ gateway: '.*', site: '.*', role: '.*', server: '.*' }, { gateway: 'test-gw', site: 'lab', role: 'production', server: 'loopback' }]) {
      for (const { panel, refId, expr } of panelQueries) {
        let promql = expr;
        for (const [name, value] of Object.entries(grafanaVariables)) promql = promql.replaceAll(name, value);
        for (const [name, value] of Object.entries(filters)) promql = promql.replaceAll(`$${name}`, value);
        expect(promql, `${panel} ${refId}: an unknown variable`).not.toMatch(/\$/);
        const result = await eventually(`data for "${panel}" ${refId}: ${promql}`, async () => {
          const series = await query(promql);
          return series.length > 0 && series.every((s) => s.value[1] !== 'NaN') ? series : undefined;
        });
        expect(result.length, `${panel} ${refId}`).toBeGreaterThan(0);
      }
    }
  });

  it('gives the dashboard\'s filters the gateway\'s label values', async () => {
    const dashboard = readJson('provisioning', 'grafana', 'dashboards', 'probekit', 'tcp-probes-overview.json');
    const expected: Record<string, string[]> = { gateway: ['test-gw'], site: ['lab'], role: ['production'], server: ['loopback'] };
    for (const variable of dashboard.templating.list) {
      const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(variable.query.query)!;
      const match = selector!.replace(/\$\w+/g, '.*');
      const response = await fetch(`${url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`);
      const body = (await response.json()) as { status: string; data: string[] };
      expect(body.status).toBe('success');
      expect(body.data, variable.name).toEqual(expected[variable.name]);
    }
  });
});
