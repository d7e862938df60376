// Thresholds -> Grafana-managed alert rules (pure); every payload is validated against Grafana's own schema.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLD, grafanaRuleGroups, RULE_UID_MAX_LENGTH, RULE_UID_PATTERN,
  type AlertRuleGroup, type AlertingConfig, type ProvisionedAlertRule,
} from '../../src/alerting/index.js';
import { GRAFANA, availability, connect, grafanaSchemaProblems, largeConfig, probe, ratio, server } from './fixtures.js';

function groups(config: AlertingConfig, options: Partial<typeof GRAFANA> & Record<string, unknown> = {}): AlertRuleGroup[] {
  const result = grafanaRuleGroups(config, { ...GRAFANA, ...options });
  for (const group of result) expect(grafanaSchemaProblems(group), group.title).toEqual([]);
  return result;
}

const rules = (result: AlertRuleGroup[]) => result.flatMap((group) => group.rules);
const byUid = (result: AlertRuleGroup[]) => new Map(rules(result).map((rule) => [rule.uid!, rule]));
const expr = (rule: ProvisionedAlertRule) => rule.data[0]!.model.expr as string;
const evaluator = (rule: ProvisionedAlertRule) => (rule.data[2]!.model.conditions as { evaluator: unknown }[])[0]!.evaluator;

/** Server 1 uses the default; server 2 sets availability and connect time, which two of its probes override. */
const mixed: AlertingConfig = {
  servers: [
    server(1, { name: 'erp-prod', gateways: ['gw-a'] }),
    server(2, {
      name: 'db-prod', site: null, role: 'production', gateways: ['gw-b'],
      thresholds: [availability({ for: '2m', team: 'db', runbookUrl: 'https://wiki.example/db-down' }), connect({ team: 'db', contactPoint: 'db-oncall' })],
    }),
  ],
  probes: [
    probe(10, 1, { intervalSeconds: 30 }),
    probe(11, 1, { intervalSeconds: 300 }),
    probe(20, 2, { intervalSeconds: 60 }),
    probe(21, 2, { intervalSeconds: 60, thresholds: [availability({ for: '30s', team: 'payments', contactPoint: 'payments-pager' })] }),
    probe(22, 2, { intervalSeconds: 20, thresholds: [connect({ value: 40, team: 'db' }), ratio({ value: 99.9, window: '6h', team: 'db' })] }),
  ],
};

describe('groups', () => {
  it('makes one group per probe server, named by id, and one for the gateways, all in the app folder', () => {
    const result = groups(mixed);
    expect(result.map((group) => group.title)).toEqual(['server-1', 'server-2', 'gateways']);
    for (const group of result) {
      expect(group.folderUid).toBe('probekit');
      for (const rule of group.rules) expect([rule.folderUID, rule.ruleGroup, rule.orgID]).toEqual(['probekit', group.title, 1]);
    }
  });

  it('gives a server without probes its default rule, and no gateway rule without probes', () => {
    const result = groups({ servers: [server(5)], probes: [] });
    expect(result.map((group) => group.title)).toEqual(['server-5']);
    expect(rules(result).map((rule) => rule.uid)).toEqual(['probekit-s5-down-crit']);
  });

  it('ignores probes whose server is not in the configuration', () => {
    expect(rules(groups({ servers: [server(1)], probes: [probe(10, 1), probe(99, 42, { thresholds: [connect()] })] })).map((rule) => rule.uid))
      .toEqual(['probekit-s1-down-crit', 'probekit-gateway-down', 'probekit-gateway-saturated']);
  });

  it.each([
    { intervals: [1], interval: 10, why: "Grafana's base interval is the floor" },
    { intervals: [15], interval: 10, why: 'rounded down to a multiple of 10 s' },
    { intervals: [25, 300], interval: 20, why: 'the fastest probe decides' },
    { intervals: [30, 60], interval: 30, why: 'as often as the fastest probe checks' },
    { intervals: [60], interval: 60, why: 'a minute' },
    { intervals: [300, 3600], interval: 60, why: 'at least every minute, however slow the probes' },
    { intervals: [], interval: 60, why: 'a server without probes' },
  ])('evaluates probes checked every $intervals s every $interval s: $why', ({ intervals, interval }) => {
    const [group] = groups({ servers: [server(1)], probes: intervals.map((seconds, i) => probe(i + 1, 1, { intervalSeconds: seconds })) });
    expect(group!.interval).toBe(interval);
  });
});

describe('rules of a server and of its overriding probes', () => {
  const result = groups(mixed);
  const rule = byUid(result);

  it('has one rule per (server, effective threshold) and one per probe override', () => {
    expect(result.map((group) => group.rules.map((r) => r.uid))).toEqual([
      ['probekit-s1-down-crit'],
      ['probekit-s2-down-crit', 'probekit-s2-connect-warn', 'probekit-p21-down-crit', 'probekit-p22-ratio-warn', 'probekit-p22-connect-warn'],
      ['probekit-gateway-down', 'probekit-gateway-saturated'],
    ]);
  });

  it("selects a server's probes by server_id and excludes those that override the threshold", () => {
    expect(expr(rule.get('probekit-s1-down-crit')!)).toBe('tcpprobe_consecutive_failures{server_id="1"}');
    expect(expr(rule.get('probekit-s2-down-crit')!)).toBe('tcpprobe_availability{server_id="2",probe_id!~"^(21)$"}');
    // Probe 22 brings its own connect time (and a ratio, which the server does not set): only that rule excludes it.
    expect(expr(rule.get('probekit-s2-connect-warn')!)).toBe('tcpprobe_connect_seconds{server_id="2",probe_id!~"^(22)$"} * 1000');
    expect(expr(rule.get('probekit-p21-down-crit')!)).toBe('tcpprobe_availability{probe_id="21"}');
    expect(expr(rule.get('probekit-p22-connect-warn')!)).toBe('tcpprobe_connect_seconds{probe_id="22"} * 1000');
    expect(expr(rule.get('probekit-p22-ratio-warn')!)).toBe(
      '(avg_over_time(tcpprobe_availability{probe_id="22"}[6h]) * 100 and on (probe_id) tcpprobe_availability{probe_id="22"})',
    );
  });

  it('excludes a probe with its own availability threshold of another level from the default rule', () => {
    const config = { servers: [server(1)], probes: [probe(10, 1), probe(11, 1, { thresholds: [availability({ level: 'warning' })] })] };
    const own = byUid(groups(config));
    expect(expr(own.get('probekit-s1-down-crit')!)).toBe('tcpprobe_consecutive_failures{server_id="1",probe_id!~"^(11)$"}');
    expect(own.get('probekit-p11-down-warn')).toBeDefined();
    expect(own.has('probekit-p11-down-crit')).toBe(false);
  });

  it('queries the configured Prometheus data source (A), reduces to the last value (B) and compares it (C)', () => {
    for (const r of rules(result)) {
      expect(r.condition).toBe('C');
      expect(r.data.map((query) => [query.refId, query.datasourceUid])).toEqual([['A', 'prometheus-uid'], ['B', '__expr__'], ['C', '__expr__']]);
      expect(r.data[0]!.model).toEqual({ refId: 'A', expr: expect.any(String), instant: true });
      expect(r.data[0]!.relativeTimeRange!.to).toBe(0);
      expect(r.data[1]!.model).toMatchObject({ refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', settings: { mode: 'dropNN' } });
      expect(r.data[2]!.model).toMatchObject({ refId: 'C', type: 'threshold', expression: 'B' });
    }
  });

  it('compares availability below 1, the ratio below its percentage, connect time above its milliseconds', () => {
    expect(evaluator(rule.get('probekit-s2-down-crit')!)).toEqual({ type: 'lt', params: [1] });
    expect(evaluator(rule.get('probekit-p22-ratio-warn')!)).toEqual({ type: 'lt', params: [99.9] });
    expect(evaluator(rule.get('probekit-s2-connect-warn')!)).toEqual({ type: 'gt', params: [250] });
    expect(evaluator(rule.get('probekit-p22-connect-warn')!)).toEqual({ type: 'gt', params: [40] });
    expect(evaluator(rule.get('probekit-gateway-down')!)).toEqual({ type: 'gt', params: [0] });
  });

  it('reads the whole ratio window, and ten minutes otherwise', () => {
    expect(rule.get('probekit-p22-ratio-warn')!.data[0]!.relativeTimeRange).toEqual({ from: 21_600, to: 0 });
    expect(rule.get('probekit-s2-down-crit')!.data[0]!.relativeTimeRange).toEqual({ from: 600, to: 0 });
  });

  it('reads "no data" (outside a window, a gateway gone) as OK, and a failing query as an error', () => {
    for (const r of rules(result)) expect([r.noDataState, r.execErrState, r.isPaused]).toEqual(['OK', 'Error', false]);
  });
});

describe('pending periods', () => {
  const forOf = (threshold: Parameters<typeof availability>[0], intervals: number[], options = {}) =>
    rules(groups({ servers: [server(1, { thresholds: [availability(threshold)] })], probes: intervals.map((s, i) => probe(i + 1, 1, { intervalSeconds: s })) }, options))[0]!.for;

  it('takes `for` as given', () => {
    expect(forOf({ for: '2m' }, [60])).toBe('2m');
    expect(forOf({ for: '1h30m' }, [60])).toBe('1h30m');
  });

  it('fires at once without `for`', () => {
    expect(forOf({}, [60])).toBe('0s');
    expect(forOf({ for: '0s' }, [60])).toBe('0s');
  });

  it('raises a `for` shorter than the evaluation interval to it', () => {
    expect(forOf({ for: '2s' }, [1])).toBe('10s');
    expect(forOf({ for: '45s' }, [300])).toBe('1m');
  });

  it('keeps `for` as given with N consecutive checks, whatever the probes\' intervals and the scrape interval', () => {
    expect(forOf({ consecutiveChecks: 3 }, [60, 300])).toBe('0s');
    expect(forOf({ for: '2m', consecutiveChecks: 3 }, [60, 300], { scrapeIntervalSeconds: 15 })).toBe('2m');
    expect(forOf({ for: '5m', consecutiveChecks: 2 }, [3600])).toBe('5m');
    expect(forOf({ for: '5m', consecutiveChecks: 2 }, [])).toBe('5m');
  });

  it('gives a server with 10 s and 300 s probes the rule of a server with 10 s probes only', () => {
    const threshold = availability({ for: '2m', consecutiveChecks: 2 });
    const serverRule = (intervals: number[]) => {
      const [rule] = rules(groups({ servers: [server(1, { thresholds: [threshold] })], probes: intervals.map((s, i) => probe(i + 1, 1, { intervalSeconds: s })) }));
      return { for: rule!.for, expr: expr(rule!), evaluator: evaluator(rule!) };
    };
    expect(serverRule([10, 10, 300])).toEqual(serverRule([10, 10]));
    expect(serverRule([10, 10, 300])).toEqual({ for: '2m', expr: 'tcpprobe_consecutive_failures{server_id="1"}', evaluator: { type: 'gt', params: [1] } });
  });

  it('reads N consecutive checks from the run of failures, and one check from availability', () => {
    const condition = (consecutiveChecks: number | undefined) => {
      const [rule] = rules(groups({ servers: [server(1, { thresholds: [availability({ for: '1m', consecutiveChecks })] })], probes: [probe(1, 1)] }));
      return `${expr(rule!)} ${JSON.stringify(evaluator(rule!))}`;
    };
    expect(condition(3)).toBe('tcpprobe_consecutive_failures{server_id="1"} {"type":"gt","params":[2]}');
    expect(condition(2)).toBe('tcpprobe_consecutive_failures{server_id="1"} {"type":"gt","params":[1]}');
    expect(condition(1)).toBe('tcpprobe_availability{server_id="1"} {"type":"lt","params":[1]}');
    expect(condition(undefined)).toBe('tcpprobe_availability{server_id="1"} {"type":"lt","params":[1]}');
  });

  it('gives the default two failed checks in a row, then five minutes, for every interval', () => {
    const forDefault = (interval: number) => rules(groups({ servers: [server(1)], probes: [probe(1, 1, { intervalSeconds: interval })] }))[0]!.for;
    expect(DEFAULT_THRESHOLD.consecutiveChecks).toBe(2);
    expect(forDefault(10)).toBe('5m');
    expect(forDefault(300)).toBe('5m');
    expect(forDefault(3600)).toBe('5m');
  });

  it('waits three scrapes before a gateway is down', () => {
    const gatewayFor = (options = {}) => byUid(groups(mixed, options)).get('probekit-gateway-down')!.for;
    expect(gatewayFor()).toBe('3m');
    expect(gatewayFor({ scrapeIntervalSeconds: 15 })).toBe('45s');
  });
});

describe('labels, annotations and notifications', () => {
  const rule = byUid(groups(mixed));

  it('labels a rule with team, severity, server, site, role and managed_by; the series add probe, probe_id and target', () => {
    expect(rule.get('probekit-s2-down-crit')!.labels).toEqual({ team: 'db', severity: 'critical', server: 'db-prod', role: 'production', managed_by: 'probekit' });
    expect(rule.get('probekit-s1-down-crit')!.labels).toEqual({ severity: 'critical', server: 'erp-prod', site: 'fra', role: 'production', managed_by: 'probekit' });
    expect(rule.get('probekit-p21-down-crit')!.labels).toEqual({
      team: 'payments', severity: 'critical', server: 'db-prod', role: 'production', probe_id: '21', managed_by: 'probekit',
    });
    expect(rule.get('probekit-gateway-down')!.labels).toEqual({ severity: 'critical', managed_by: 'probekit' });
    expect(byUid(groups(mixed, { gatewayTeam: 'platform' })).get('probekit-gateway-down')!.labels).toEqual({ team: 'platform', severity: 'critical', managed_by: 'probekit' });
  });

  it('titles each rule with its alert name, level and owner, unique in the folder', () => {
    const titles = [...rule.values()].map((r) => r.title);
    expect(titles).toEqual([
      'TcpProbeDown critical: erp-prod',
      'TcpProbeDown critical: db-prod', 'TcpProbeConnectSlow warning: db-prod', 'TcpProbeDown critical: db-prod, probe probe-21',
      'TcpProbeAvailabilityLow warning: db-prod, probe probe-22', 'TcpProbeConnectSlow warning: db-prod, probe probe-22',
      'TcpProbeGatewayDown',
      'TcpProbeGatewaySaturated',
    ]);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('cuts titles of very long names to 190 characters', () => {
    const long = { servers: [server(1, { name: 's'.repeat(128) })], probes: [probe(2, 1, { name: 'p'.repeat(128), thresholds: [ratio()] })] };
    const title = byUid(groups(long)).get('probekit-p2-ratio-warn')!.title;
    expect(title).toHaveLength(190);
    expect(title.endsWith('…')).toBe(true);
  });

  it('summarises and describes the alert from the series labels, with the value from B', () => {
    expect(rule.get('probekit-s2-down-crit')!.annotations).toEqual({
      summary: '{{ $labels.probe }} ({{ $labels.target }}) of {{ $labels.server }} is down',
      description: 'TCP connects from gateway {{ $labels.gateway }} to {{ $labels.target }} are failing: down for 2m.'
        + ' The probe page (probe_url) shows the latest result and its failure reason.',
      runbook_url: 'https://wiki.example/db-down',
      probe_url: 'https://grafana.example/a/probekit-tcpprobe-app/probes/{{ $labels.probe_id }}',
    });
    expect(rule.get('probekit-p22-ratio-warn')!.annotations!.summary).toBe(
      '{{ $labels.probe }} ({{ $labels.target }}) of {{ $labels.server }} was up {{ printf "%.2f" $values.B.Value }}% of the last 6h',
    );
    expect(rule.get('probekit-p22-ratio-warn')!.annotations!.description).toMatch(/below the warning threshold of 99\.9% over 6h\./);
    expect(rule.get('probekit-s2-connect-warn')!.annotations!.summary).toMatch(/connects in \{\{ printf "%\.0f" \$values\.B\.Value \}\} ms$/);
    expect(rule.get('probekit-s2-connect-warn')!.annotations!.description).toMatch(/above the warning threshold of 250 ms\./);
  });

  it('says when an alert comes from the built-in default, and names no runbook it does not have', () => {
    const annotations = rule.get('probekit-s1-down-crit')!.annotations!;
    expect(annotations.description).toMatch(/are failing: down for 5m after 2 failed checks in a row\. This is the built-in default/);
    expect(annotations).not.toHaveProperty('runbook_url');
  });

  it('uses no Prometheus-only template functions (Grafana has no `query`)', () => {
    for (const r of rule.values()) expect(Object.values(r.annotations!).join(' ')).not.toMatch(/\bquery\b|\$value\b/);
  });

  it('keeps a name with "{{" as text in labels, where Grafana expands templates', () => {
    const odd = byUid(groups({ servers: [server(1, { name: 'erp {{ prod }}', site: '{{x}}' })], probes: [] }));
    expect(odd.get('probekit-s1-down-crit')!.labels).toMatchObject({ server: 'erp {{ "{{" }} prod }}', site: '{{ "{{" }}x}}' });
    expect(odd.get('probekit-s1-down-crit')!.title).toBe('TcpProbeDown critical: erp {{ prod }}');
  });

  it('sends to the contact point of a threshold that names one, and leaves routing to the policies otherwise', () => {
    expect(rule.get('probekit-s2-connect-warn')!.notification_settings).toEqual({ receiver: 'db-oncall' });
    expect(rule.get('probekit-p21-down-crit')!.notification_settings).toEqual({ receiver: 'payments-pager' });
    expect(rule.get('probekit-s2-down-crit')).not.toHaveProperty('notification_settings');
    expect(rule.get('probekit-p22-connect-warn')).not.toHaveProperty('notification_settings');
    expect(byUid(groups(mixed, { gatewayContactPoint: 'platform-pager' })).get('probekit-gateway-down')!.notification_settings).toEqual({ receiver: 'platform-pager' });
  });

  it('takes the organisation, folder and data source from the options', () => {
    const [group] = groups({ servers: [server(1)], probes: [] }, { folderUid: 'other', datasourceUid: 'mimir', orgId: 3 } as never);
    expect(group!.folderUid).toBe('other');
    expect(group!.rules[0]).toMatchObject({ folderUID: 'other', orgID: 3, data: [{ datasourceUid: 'mimir' }, {}, {}] });
  });
});

describe('the gateway-saturated rule', () => {
  it('fires per gateway that missed over 1 % of its slots in 5 minutes, for five scrapes, for the gateways\' team', () => {
    const rule = byUid(groups(mixed, { gatewayTeam: 'platform', gatewayContactPoint: 'platform-pager', scrapeIntervalSeconds: 15 })).get('probekit-gateway-saturated')!;
    expect(rule.title).toBe('TcpProbeGatewaySaturated');
    expect(expr(rule)).toBe(
      '(100 * sum by (gateway) (rate(tcpprobe_scheduler_skipped_total[5m])) / (sum by (gateway) (rate(tcpprobe_scheduler_lag_seconds_count[5m]))' +
      ' + sum by (gateway) (rate(tcpprobe_scheduler_skipped_total{reason!="late"}[5m]))))');
    expect(evaluator(rule)).toEqual({ type: 'gt', params: [1] });
    expect(rule.for).toBe('1m15s');
    expect(byUid(groups(mixed)).get('probekit-gateway-saturated')!.for).toBe('5m');
    expect(rule.labels).toEqual({ team: 'platform', severity: 'warning', managed_by: 'probekit' });
    expect(rule.notification_settings).toEqual({ receiver: 'platform-pager' });
    expect(rule.annotations!.summary).toBe('probekit gateway {{ $labels.gateway }} misses {{ printf "%.1f" $values.B.Value }}% of its probes\' slots');
    expect(rule.annotations!.description).toMatch(/tcpprobe_scheduler_skipped_total\{reason\} says why/);
  });
});

describe('the gateway-down rule', () => {
  it('expects every gateway that runs a probe, once, and fires one alert per gateway', () => {
    const config = {
      servers: [server(1, { gateways: ['gw-b'] }), server(2, { gateways: ['gw-a'] }), server(3, { gateways: ['gw-b'] }), server(4, { gateways: ['gw-idle'] })],
      probes: [probe(10, 1), probe(20, 2), probe(30, 3)],
    };
    const rule = byUid(groups(config)).get('probekit-gateway-down')!;
    expect(expr(rule)).toBe('(absent(tcpprobe_probes_configured{gateway="gw-a"}) or absent(tcpprobe_probes_configured{gateway="gw-b"}))');
    expect(rule.annotations!.summary).toBe('probekit gateway {{ $labels.gateway }} is not being scraped');
  });
});

describe('stability', () => {
  it('maps the same configuration to the same payloads, whatever the order it is read in', () => {
    const reversed = { servers: [...mixed.servers].reverse(), probes: [...mixed.probes].reverse() };
    expect(groups(reversed)).toEqual(groups(mixed));
    expect(JSON.stringify(groups(mixed))).toBe(JSON.stringify(groups(structuredClone(mixed))));
  });

  it('keeps every UID when a server or probe is renamed or a threshold changes', () => {
    const renamed = {
      servers: mixed.servers.map((s) => ({ ...s, name: `${s.name}-renamed`, thresholds: s.thresholds.map((t) => ({ ...t, for: '9m' })) })),
      probes: mixed.probes.map((p) => ({ ...p, name: `${p.name}-renamed` })),
    };
    expect(rules(groups(renamed)).map((r) => r.uid)).toEqual(rules(groups(mixed)).map((r) => r.uid));
    expect(groups(renamed).map((g) => g.title)).toEqual(groups(mixed).map((g) => g.title));
  });

  it('gives valid, unique UIDs', () => {
    const uids = rules(groups(largeConfig())).map((r) => r.uid!);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) {
      expect(uid.length).toBeLessThanOrEqual(RULE_UID_MAX_LENGTH);
      expect(uid).toMatch(RULE_UID_PATTERN);
    }
  });
});

describe('scale', () => {
  it('covers 10,000 probes in 50 servers with 87 rules, not 10,000', () => {
    const config = largeConfig();
    expect(config.probes).toHaveLength(10_000);
    const result = groups(config);
    expect(result).toHaveLength(51);
    // 50 default availability rules + 25 server connect-time warnings + 10 probes with their own availability + the two gateway rules.
    expect(rules(result)).toHaveLength(87);
    const vip = rules(result).filter((r) => r.labels!.team === 'vip');
    expect(vip.map((r) => r.uid)).toEqual(config.overridingProbeIds.map((id) => `probekit-p${id}-down-crit`));
    expect(expr(byUid(result).get('probekit-s5-down-crit')!)).toBe('tcpprobe_consecutive_failures{server_id="5",probe_id!~"^(5007)$"}');
    expect(expr(byUid(result).get('probekit-s6-down-crit')!)).toBe('tcpprobe_consecutive_failures{server_id="6"}');
  });
});
