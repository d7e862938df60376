// The PromQL builders, durations and rule UIDs (pure).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROBE_INTERVAL_SECONDS, GATEWAY_DOWN_RULE_UID, RULE_UID_MAX_LENGTH, RULE_UID_PATTERN, alertExpr, availabilityQuery, availabilityRatioQuery, connectTimeMsQuery,
  formatDuration, gatewayDownQuery, parseDurationMs, scopeMatchers, thresholdRuleUid,
} from '../../src/alerting/index.js';
import { DEFAULT_INTERVAL_SECONDS } from '../../src/schemas/probe.js';

describe('probe scopes', () => {
  it('selects a server by server_id, so a probe saved later is covered without a new rule', () => {
    expect(scopeMatchers({ serverId: 7, excludedProbeIds: [] })).toBe('server_id="7"');
  });

  it('excludes the overriding probes with one anchored regex, in id order', () => {
    expect(scopeMatchers({ serverId: 7, excludedProbeIds: [13, 12] })).toBe('server_id="7",probe_id!~"^(12|13)$"');
    expect(scopeMatchers({ serverId: 7, excludedProbeIds: [5, 100, 20] })).toBe('server_id="7",probe_id!~"^(5|20|100)$"');
  });

  it('selects one probe by probe_id', () => {
    expect(scopeMatchers({ probeId: 12 })).toBe('probe_id="12"');
  });
});

describe('queries', () => {
  const scope = { serverId: 7, excludedProbeIds: [12] };

  it('reads availability, ratio and connect time from the metric contract', () => {
    expect(availabilityQuery(scope)).toBe('tcpprobe_availability{server_id="7",probe_id!~"^(12)$"}');
    expect(availabilityRatioQuery({ probeId: 12 }, 5_400_000)).toBe(
      '(avg_over_time(tcpprobe_availability{probe_id="12"}[1h30m]) * 100 and on (probe_id) tcpprobe_availability{probe_id="12"})',
    );
    expect(connectTimeMsQuery({ probeId: 12 })).toBe('tcpprobe_connect_seconds{probe_id="12"} * 1000');
  });

  it('makes one absent() per expected gateway, so each down gateway is one series named after it', () => {
    expect(gatewayDownQuery(['gw-a'])).toBe('(absent(tcpprobe_probes_configured{gateway="gw-a"}))');
    expect(gatewayDownQuery(['gw-a', 'gw-b'])).toBe(
      '(absent(tcpprobe_probes_configured{gateway="gw-a"}) or absent(tcpprobe_probes_configured{gateway="gw-b"}))',
    );
  });

  it('appends the comparison to queries that are safe operands of it', () => {
    expect(alertExpr(availabilityQuery({ probeId: 1 }), { operator: '<', value: 1 })).toBe('tcpprobe_availability{probe_id="1"} < 1');
    // Without the parentheses `and`/`or` would bind looser than the comparison and compare only their right side.
    expect(alertExpr(availabilityRatioQuery({ probeId: 1 }, 3_600_000), { operator: '<', value: 99.5 })).toMatch(/^\(.*\) < 99\.5$/);
    expect(alertExpr(gatewayDownQuery(['a', 'b']), { operator: '>', value: 0 })).toMatch(/^\(.*\) > 0$/);
  });
});

describe('durations', () => {
  it.each([
    ['0s', 0], ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000], ['2d', 172_800_000], ['1w', 604_800_000], ['1m1s1ms', 61_001],
  ])('parses %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '5', 'five minutes', '5m ', '1.5h', '-1m'])('refuses %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow(/not a duration/);
  });

  it.each([
    [0, '0s'], [500, '500ms'], [1_000, '1s'], [90_000, '1m30s'], [300_000, '5m'], [3_600_000, '1h'], [172_800_000, '48h'], [61_001, '1m1s1ms'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('rule UIDs', () => {
  it('derive from the owner, kind and level', () => {
    expect(thresholdRuleUid({ serverId: 7 }, 'availability', 'critical')).toBe('probekit-s7-down-crit');
    expect(thresholdRuleUid({ probeId: 12 }, 'availabilityRatio', 'warning')).toBe('probekit-p12-ratio-warn');
    expect(thresholdRuleUid({ probeId: 12 }, 'connectTime', 'critical')).toBe('probekit-p12-connect-crit');
    expect(GATEWAY_DOWN_RULE_UID).toBe('probekit-gateway-down');
  });

  it("stay within Grafana's 40 characters of [a-zA-Z0-9-_] for the largest ids", () => {
    const uids = [{ serverId: Number.MAX_SAFE_INTEGER }, { probeId: Number.MAX_SAFE_INTEGER }].flatMap((owner) =>
      (['availability', 'availabilityRatio', 'connectTime'] as const).flatMap((kind) =>
        (['warning', 'critical'] as const).map((level) => thresholdRuleUid(owner, kind, level))));
    expect(new Set(uids).size).toBe(12);
    for (const uid of [...uids, GATEWAY_DOWN_RULE_UID]) {
      expect(uid.length).toBeLessThanOrEqual(RULE_UID_MAX_LENGTH);
      expect(uid).toMatch(RULE_UID_PATTERN);
    }
  });
});

it("assumes the gateway's default probe interval for a server without probes", () => {
  expect(DEFAULT_PROBE_INTERVAL_SECONDS).toBe(DEFAULT_INTERVAL_SECONDS);
});
