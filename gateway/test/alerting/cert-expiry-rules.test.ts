// certExpiry thresholds -> rules (pure): the defaults of probes with TLS, overrides per level, both rule formats.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  DEFAULT_CERT_EXPIRY_THRESHOLDS, grafanaRuleGroups, probeThresholds, prometheusRuleGroups, serverThresholds, usesTls,
  type AlertingConfig, type ProvisionedAlertRule,
} from '../../src/alerting/index.js';
import { checkRules } from '../helpers/prometheus.js';
import { GRAFANA, STARTTLS, TLS, availability, cert, grafanaSchemaProblems, probe, server } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'probekit-cert-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kinds = (list: { threshold: { kind: string; level: string; value?: number }; source: string }[]) =>
  list.filter(({ threshold }) => threshold.kind === 'certExpiry').map(({ threshold, source }) => `${threshold.level} ${threshold.value}d<-${source}`);

const days = (scope: string) => `((min by (server, server_id, probe, probe_id, target, role, site) (tcpprobe_tls_cert_expiry_timestamp_seconds{${scope}}) - time()) / 86400)`;

function grafanaRules(config: AlertingConfig): Map<string, ProvisionedAlertRule> {
  const groups = grafanaRuleGroups(config, GRAFANA);
  for (const group of groups) expect(grafanaSchemaProblems(group), group.title).toEqual([]);
  return new Map(groups.flatMap((group) => group.rules).map((rule) => [rule.uid!, rule]));
}

const expr = (rule: ProvisionedAlertRule) => rule.data[0]!.model.expr as string;
const evaluator = (rule: ProvisionedAlertRule) => (rule.data[2]!.model.conditions as { evaluator: unknown }[])[0]!.evaluator;

describe('which probes use TLS', () => {
  it('those with tls set and those whose dialogue has a startTls step', () => {
    expect(usesTls(probe(1, 1, TLS))).toBe(true);
    expect(usesTls(probe(1, 1, { ...STARTTLS, tls: null }))).toBe(true);
    expect(usesTls(probe(1, 1, { tls: null, dialogue: [{ expect: '^SSH-2\\.0-' }] }))).toBe(false);
    expect(usesTls(probe(1, 1, { tls: null, dialogue: null }))).toBe(false);
    // Probe objects from before the fields existed are plain.
    expect(usesTls(probe(1, 1))).toBe(false);
  });
});

describe('the certExpiry defaults', () => {
  it('are a warning at 14 days and a critical alert at 3, frozen', () => {
    expect(DEFAULT_CERT_EXPIRY_THRESHOLDS).toEqual([
      { kind: 'certExpiry', level: 'warning', value: 14 },
      { kind: 'certExpiry', level: 'critical', value: 3 },
    ]);
    expect(DEFAULT_CERT_EXPIRY_THRESHOLDS.every(Object.isFrozen)).toBe(true);
  });

  it('apply to every probe with TLS, after the availability default, and to no plain probe', () => {
    const srv = server(1);
    expect(probeThresholds(srv, probe(10, 1, TLS)).map(({ threshold, source }) => `${threshold.kind}/${threshold.level}<-${source}`))
      .toEqual(['availability/critical<-default', 'certExpiry/warning<-default', 'certExpiry/critical<-default']);
    expect(kinds(probeThresholds(srv, probe(11, 1, STARTTLS)))).toEqual(['warning 14d<-default', 'critical 3d<-default']);
    expect(kinds(probeThresholds(srv, probe(12, 1)))).toEqual([]);
  });

  it("are the server's while any of its probes uses TLS", () => {
    expect(kinds(serverThresholds(server(1), [probe(10, 1), probe(11, 1, TLS)]))).toEqual(['warning 14d<-default', 'critical 3d<-default']);
    expect(kinds(serverThresholds(server(1), [probe(10, 1)]))).toEqual([]);
    expect(kinds(serverThresholds(server(1)))).toEqual([]);
  });

  it('give way per level to a certExpiry threshold of the server or the probe', () => {
    const srv = server(1, { thresholds: [cert({ level: 'warning', value: 30, team: 'web' })] });
    expect(kinds(serverThresholds(srv, [probe(10, 1, TLS)]))).toEqual(['warning 30d<-server', 'critical 3d<-default']);
    expect(kinds(probeThresholds(srv, probe(10, 1, TLS)))).toEqual(['warning 30d<-server', 'critical 3d<-default']);
    expect(kinds(probeThresholds(srv, probe(10, 1, { ...TLS, thresholds: [cert({ level: 'critical', value: 7 })] })))).toEqual(['warning 30d<-server', 'critical 7d<-probe']);
  });

  it("leave a server's certExpiry thresholds off its plain probes, which keep their own", () => {
    const srv = server(1, { thresholds: [cert()] });
    expect(kinds(probeThresholds(srv, probe(10, 1)))).toEqual([]);
    expect(kinds(probeThresholds(srv, probe(10, 1, { thresholds: [cert({ level: 'critical', value: 5 })] })))).toEqual(['critical 5d<-probe']);
  });
});

describe('the Grafana rules', () => {
  const config: AlertingConfig = {
    servers: [
      server(1, { name: 'web', thresholds: [availability({ team: 'web' })] }),
      server(2, { name: 'db' }),
    ],
    probes: [
      probe(10, 1, TLS),
      probe(11, 1, { ...STARTTLS, thresholds: [cert({ level: 'critical', value: 7, team: 'mail', runbookUrl: 'https://wiki.example/certs' })] }),
      probe(12, 1),
      probe(20, 2),
    ],
  };
  const rules = grafanaRules(config);

  it("watch the server's TLS probes with the defaults, leaving out the probe with its own critical level", () => {
    expect([...rules.keys()].filter((uid) => uid.includes('-cert-'))).toEqual(['probekit-s1-cert-warn', 'probekit-s1-cert-crit', 'probekit-p11-cert-crit']);
    // The plain probe 12 neither follows nor overrides a certificate rule: it is not in the exclusion.
    expect(expr(rules.get('probekit-s1-cert-warn')!)).toBe(days('server_id="1"'));
    expect(expr(rules.get('probekit-s1-cert-crit')!)).toBe(days('server_id="1",probe_id!~"^(11)$"'));
    expect(expr(rules.get('probekit-p11-cert-crit')!)).toBe(days('probe_id="11"'));
    // A server of plain probes gets no certificate rule.
    expect([...rules.keys()].some((uid) => uid.startsWith('probekit-s2-cert'))).toBe(false);
  });

  it('fire below the days of the threshold, at once, labelled like the other kinds', () => {
    expect(evaluator(rules.get('probekit-s1-cert-warn')!)).toEqual({ type: 'lt', params: [14] });
    expect(evaluator(rules.get('probekit-s1-cert-crit')!)).toEqual({ type: 'lt', params: [3] });
    expect(evaluator(rules.get('probekit-p11-cert-crit')!)).toEqual({ type: 'lt', params: [7] });
    const own = rules.get('probekit-p11-cert-crit')!;
    expect(own.for).toBe('0s');
    expect(own.title).toBe('TcpProbeCertExpiring critical: web, probe probe-11');
    expect(own.labels).toEqual({ team: 'mail', severity: 'critical', server: 'web', site: 'fra', role: 'production', probe_id: '11', managed_by: 'probekit' });
    expect(rules.get('probekit-s1-cert-warn')!.labels).toEqual({ severity: 'warning', server: 'web', site: 'fra', role: 'production', managed_by: 'probekit' });
  });

  it("say when the certificate expires, from B, without Prometheus' query function", () => {
    const own = rules.get('probekit-p11-cert-crit')!.annotations!;
    expect(own.summary).toBe(
      '{{ $labels.probe }} ({{ $labels.target }}) of {{ $labels.server }}: its TLS certificate {{ if lt $values.B.Value 0.0 }}has expired{{ else }}expires in {{ printf "%.1f" $values.B.Value }} days{{ end }}',
    );
    expect(own.description).toContain('expires in less than the critical threshold of 7 days.');
    expect(own.description).not.toContain('query');
    expect(own.runbook_url).toBe('https://wiki.example/certs');
    expect(rules.get('probekit-s1-cert-warn')!.annotations!.description)
      .toContain('This is the built-in default of probes with TLS (warning 14 days, critical 3 days ahead); set a certExpiry threshold at level warning on the server or probe to change it.');
  });

  it('take the earliest expiry of the locations of a server on several gateways: one instance per probe', () => {
    const multi = grafanaRules({ servers: [server(1, { gateways: ['gw-a', 'gw-b', 'gw-c'] })], probes: [probe(10, 1, TLS)] });
    const crit = multi.get('probekit-s1-cert-crit')!;
    expect(expr(crit)).toBe(days('server_id="1"'));
    expect(crit.data).toHaveLength(3);
    expect([...multi.keys()].filter((uid) => uid.includes('-cert-'))).toEqual(['probekit-s1-cert-warn', 'probekit-s1-cert-crit']);
  });
});

describe('the Prometheus rules file', () => {
  const config: AlertingConfig = {
    servers: [server(1, { name: 'mail {{ relay }}', thresholds: [cert({ level: 'warning', value: 21, for: '1h', team: 'mail' })] })],
    probes: [probe(10, 1, STARTTLS), probe(11, 1, { ...TLS, thresholds: [cert({ level: 'critical', value: 5, team: 'mail' })] })],
  };
  const file = prometheusRuleGroups(config);
  const certRules = file.groups[0]!.rules.filter((rule) => rule.alert === 'TcpProbeCertExpiring');

  it('passes promtool check rules', async () => {
    const path = join(dir, 'cert-rules.yml');
    writeFileSync(path, stringify(file, { lineWidth: 0 }));
    expect(await checkRules(path)).toMatch(/SUCCESS: 6 rules found/);
  });

  it("holds the Grafana rules' queries and conditions, with the server's level, the default and the probe's own", () => {
    expect(certRules.map((rule) => [rule.expr, rule.for, rule.labels.severity, rule.labels.team])).toEqual([
      [`${days('server_id="1"')} < 21`, '1h', 'warning', 'mail'],
      [`${days('server_id="1",probe_id!~"^(11)$"')} < 3`, undefined, 'critical', undefined],
      [`${days('probe_id="11"')} < 5`, undefined, 'critical', 'mail'],
    ]);
  });

  it('names the leaf certificate by querying tcpprobe_tls_info', () => {
    expect(certRules[0]!.annotations.summary).toContain('{{ if lt $value 0.0 }}has expired{{ else }}expires in {{ printf "%.1f" $value }} days{{ end }}');
    expect(certRules[0]!.annotations.description).toContain(
      '{{ with printf `tcpprobe_tls_info{probe_id=%q}` $labels.probe_id | query }}{{ with first . }} Leaf certificate: {{ label "subject" . }}, issued by {{ label "issuer" . }}',
    );
    expect(certRules[0]!.annotations.description).toContain('threshold of 21 days for 1h.');
  });
});
