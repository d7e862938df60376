// The probe series as /metrics shows them, through the whole OTel path: producer, MetricReader, serializer.

import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type GatewayMetrics } from '../../src/metrics/metrics.js';
import { CHECK_OUTCOMES } from '../../src/probing/types.js';
import { deepSuccess, failure, labelsFor, parseSamples, samplesOf, success, tlsDetails } from './helpers.js';

const PER_PROBE_METRICS = [
  'tcpprobe_availability',
  'tcpprobe_consecutive_failures',
  'tcpprobe_connect_seconds',
  'tcpprobe_dns_lookup_seconds',
  'tcpprobe_last_check_timestamp_seconds',
  'tcpprobe_info',
  'tcpprobe_checks_total',
  'tcpprobe_connect_duration_seconds_count',
];

let metrics: GatewayMetrics;

function setup(): GatewayMetrics {
  metrics = createMetrics({ gateway: 'gw-test' });
  return metrics;
}

afterEach(async () => {
  await metrics.shutdown();
});

describe('a probe before its first check', () => {
  it('has no availability, connect, DNS, last-check or info series, but zeroed success count and histogram', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    const text = await render();
    for (const name of ['tcpprobe_availability', 'tcpprobe_consecutive_failures', 'tcpprobe_connect_seconds', 'tcpprobe_dns_lookup_seconds', 'tcpprobe_last_check_timestamp_seconds', 'tcpprobe_info']) {
      expect(samplesOf(text, name), name).toEqual([]);
    }
    expect(samplesOf(text, 'tcpprobe_checks_total', { probe_id: 'p1' })).toEqual([
      { name: 'tcpprobe_checks_total', labels: { ...labelsFor('p1'), result: 'success' }, value: 0 },
    ]);
    expect(samplesOf(text, 'tcpprobe_connect_duration_seconds_count', { probe_id: 'p1' })[0]?.value).toBe(0);
  });
});

describe('after checks', () => {
  it('reports availability 1 and the check values for a success', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success({ connectMs: 12.5, dnsMs: 1.5, startedAt: 1_700_000_123_456 }));
    const text = await render();
    const labels = labelsFor('p1');
    expect(samplesOf(text, 'tcpprobe_availability')).toEqual([{ name: 'tcpprobe_availability', labels, value: 1 }]);
    expect(samplesOf(text, 'tcpprobe_connect_seconds')).toEqual([{ name: 'tcpprobe_connect_seconds', labels, value: 0.0125 }]);
    expect(samplesOf(text, 'tcpprobe_dns_lookup_seconds')).toEqual([{ name: 'tcpprobe_dns_lookup_seconds', labels, value: 0.0015 }]);
    expect(samplesOf(text, 'tcpprobe_last_check_timestamp_seconds')).toEqual([
      { name: 'tcpprobe_last_check_timestamp_seconds', labels, value: 1_700_000_123.456 },
    ]);
  });

  it('reports availability 0 on a failure and keeps the last successful connect time', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success({ connectMs: 12.5 }));
    probeMetrics.record('p1', failure('timeout', { dnsMs: null }));
    const text = await render();
    expect(samplesOf(text, 'tcpprobe_availability')[0]?.value).toBe(0);
    expect(samplesOf(text, 'tcpprobe_connect_seconds')[0]?.value).toBe(0.0125);
    // The latest check resolved nothing, so there is no current DNS time.
    expect(samplesOf(text, 'tcpprobe_dns_lookup_seconds')).toEqual([]);
  });

  it('counts the failed checks in a row, back to 0 at a success, whatever the failure reasons', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    const run = async () => samplesOf(await render(), 'tcpprobe_consecutive_failures');
    probeMetrics.record('p1', failure('refused'));
    expect(await run()).toEqual([{ name: 'tcpprobe_consecutive_failures', labels: labelsFor('p1'), value: 1 }]);
    probeMetrics.record('p1', failure('timeout'));
    probeMetrics.record('p1', failure('dns_error', { dnsMs: null }));
    expect((await run())[0]?.value).toBe(3);
    probeMetrics.record('p1', success());
    expect((await run())[0]?.value).toBe(0);
    probeMetrics.record('p1', failure('refused'));
    expect((await run())[0]?.value).toBe(1);
  });

  it('counts checks per result: success from the start, each failure reason from its first occurrence', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    for (const outcome of ['success', 'success', 'timeout', 'refused', 'timeout', 'dns_error'] as const) {
      probeMetrics.record('p1', outcome === 'success' ? success() : failure(outcome));
    }
    const counts = Object.fromEntries(samplesOf(await render(), 'tcpprobe_checks_total').map((s) => [s.labels.result, s.value]));
    expect(counts).toEqual({ success: 2, timeout: 2, refused: 1, dns_error: 1 });
  });

  it('accepts every outcome of the contract as a result label', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    for (const outcome of CHECK_OUTCOMES) probeMetrics.record('p1', outcome === 'success' ? success() : failure(outcome));
    const results = samplesOf(await render(), 'tcpprobe_checks_total').map((s) => s.labels.result);
    expect(results).toEqual([...CHECK_OUTCOMES]);
  });

  it('fills the connect-duration histogram from successful connects only', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    for (const connectMs of [0.4, 0.5, 3, 700, 20_000]) probeMetrics.record('p1', success({ connectMs }));
    probeMetrics.record('p1', failure('refused'));
    const text = await render();
    const buckets = Object.fromEntries(samplesOf(text, 'tcpprobe_connect_duration_seconds_bucket').map((s) => [s.labels.le, s.value]));
    expect(buckets).toEqual({
      '0.0005': 2, '0.001': 2, '0.0025': 2, '0.005': 3, '0.01': 3, '0.025': 3, '0.05': 3, '0.1': 3,
      '0.25': 3, '0.5': 3, '1': 4, '2.5': 4, '5': 4, '10': 4, '+Inf': 5,
    });
    expect(samplesOf(text, 'tcpprobe_connect_duration_seconds_count')[0]?.value).toBe(5);
    expect(samplesOf(text, 'tcpprobe_connect_duration_seconds_sum')[0]?.value).toBeCloseTo(20.7039, 6);
  });

  it('shows where the probe connected in tcpprobe_info, keeping it through a failed lookup', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success({ actualHost: 'db-2.example.com', actualIpv4: '10.0.0.8' }));
    probeMetrics.record('p1', failure('dns_error', { actualHost: null, actualIpv4: null, dnsMs: null }));
    expect(samplesOf(await render(), 'tcpprobe_info')).toEqual([
      { name: 'tcpprobe_info', labels: { ...labelsFor('p1'), actual_host: 'db-2.example.com', actual_ipv4: '10.0.0.8' }, value: 1 },
    ]);
    // An IPv6 connection has no IPv4 address: the label is empty, and the series is replaced, not added.
    probeMetrics.record('p1', success({ actualHost: 'db-6.example.com', actualIpv4: null, actualAddress: '2001:db8::6' }));
    expect(samplesOf(await render(), 'tcpprobe_info').map((s) => [s.labels.actual_host, s.labels.actual_ipv4])).toEqual([['db-6.example.com', '']]);
  });
});

describe('windows', () => {
  it('hides availability and the connect and DNS gauges while inactive, keeping counters and history', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success());
    probeMetrics.setActive('p1', false);
    const text = await render();
    expect(samplesOf(text, 'tcpprobe_availability')).toEqual([]);
    expect(samplesOf(text, 'tcpprobe_consecutive_failures')).toEqual([]);
    expect(samplesOf(text, 'tcpprobe_connect_seconds')).toEqual([]);
    expect(samplesOf(text, 'tcpprobe_dns_lookup_seconds')).toEqual([]);
    expect(samplesOf(text, 'tcpprobe_checks_total', { result: 'success' })[0]?.value).toBe(1);
    expect(samplesOf(text, 'tcpprobe_last_check_timestamp_seconds')).toHaveLength(1);
    expect(samplesOf(text, 'tcpprobe_info')).toHaveLength(1);
  });

  it('reports availability again only after the first check of the next window', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success());
    probeMetrics.setActive('p1', false);
    probeMetrics.setActive('p1', true);
    expect(samplesOf(await render(), 'tcpprobe_availability')).toEqual([]);
    probeMetrics.record('p1', failure('refused'));
    expect(samplesOf(await render(), 'tcpprobe_availability')[0]?.value).toBe(0);
  });

  it('starts the run of failures afresh in each window: the last window\'s failures are not current', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', failure('refused'));
    probeMetrics.record('p1', failure('refused'));
    probeMetrics.setActive('p1', false);
    probeMetrics.setActive('p1', true);
    expect(samplesOf(await render(), 'tcpprobe_consecutive_failures')).toEqual([]);
    probeMetrics.record('p1', failure('refused'));
    expect(samplesOf(await render(), 'tcpprobe_consecutive_failures')[0]?.value).toBe(1);
  });
});

describe('configuration changes', () => {
  it('removes every series of a deleted probe, and a late result does not bring them back', async () => {
    const { probeMetrics, render } = setup();
    for (const id of ['p1', 'p2']) {
      probeMetrics.upsertProbe(id, labelsFor(id));
      probeMetrics.record(id, failure('timeout'));
      probeMetrics.record(id, success());
    }
    probeMetrics.removeProbe('p1');
    probeMetrics.record('p1', success());
    const text = await render();
    expect(parseSamples(text).filter((s) => s.labels.probe_id === 'p1')).toEqual([]);
    for (const name of PER_PROBE_METRICS) expect(samplesOf(text, name, { probe_id: 'p2' }).length, name).toBeGreaterThan(0);
    expect(samplesOf(text, 'tcpprobe_probes_configured')[0]?.value).toBe(1);
  });

  it('moves every series to new labels on a config change, keeping counts', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success());
    probeMetrics.record('p1', failure('refused'));
    probeMetrics.upsertProbe('p1', labelsFor('p1', { probe: 'renamed', target: 'db.example.com:6432' }));
    const text = await render();
    for (const sample of parseSamples(text).filter((s) => s.labels.probe_id === 'p1')) {
      expect(sample.labels, sample.name).toMatchObject({ probe: 'renamed', target: 'db.example.com:6432' });
    }
    for (const name of PER_PROBE_METRICS) expect(samplesOf(text, name, { probe: 'renamed' }).length, name).toBeGreaterThan(0);
    expect(samplesOf(text, 'tcpprobe_checks_total', { result: 'refused' })[0]?.value).toBe(1);
    expect(samplesOf(text, 'tcpprobe_consecutive_failures')[0]?.value).toBe(1);
    expect(samplesOf(text, 'tcpprobe_info')[0]?.labels).toMatchObject({ probe: 'renamed', actual_host: 'db-1.example.com' });
  });

  it('shares the result and address labels between probes, and lets each go with its last series', async () => {
    const { probeMetrics, render } = setup();
    const at = (host: string, ip: string) => success({ actualHost: host, actualIpv4: ip, actualAddress: ip });
    for (const id of ['p1', 'p2']) {
      probeMetrics.upsertProbe(id, labelsFor(id));
      probeMetrics.record(id, at('sap-1.example.com', '10.0.0.1'));
    }
    expect(probeMetrics.sharedLabelParts).toBe(2); // result="success"; the address
    probeMetrics.record('p1', failure('refused'));
    probeMetrics.record('p1', at('sap-2.example.com', '10.0.0.2'));
    expect(probeMetrics.sharedLabelParts).toBe(4); // + result="refused"; p1's new address, p2 still on the old one
    const info = (text: string) => samplesOf(text, 'tcpprobe_info').map((s) => [s.labels.probe_id, s.labels.actual_host, s.labels.actual_ipv4]);
    expect(info(await render())).toEqual([['p1', 'sap-2.example.com', '10.0.0.2'], ['p2', 'sap-1.example.com', '10.0.0.1']]);
    probeMetrics.removeProbe('p2');
    expect(probeMetrics.sharedLabelParts).toBe(3);
    probeMetrics.upsertProbe('p1', labelsFor('p1', { probe: 'renamed' }));
    expect(probeMetrics.sharedLabelParts).toBe(3);
    const text = await render();
    expect(info(text)).toEqual([['p1', 'sap-2.example.com', '10.0.0.2']]);
    expect(samplesOf(text, 'tcpprobe_checks_total').map((s) => [s.labels.probe, s.labels.result, s.value])).toEqual([['renamed', 'success', 2], ['renamed', 'refused', 1]]);
    probeMetrics.removeProbe('p1');
    expect(probeMetrics.sharedLabelParts).toBe(0);
  });

  it('keeps one series per probe and metric at 5,000 probes, with no SDK overflow series', async () => {
    const { probeMetrics, render } = setup();
    for (let i = 0; i < 5_000; i++) {
      probeMetrics.upsertProbe(`p${i}`, labelsFor(`p${i}`));
      probeMetrics.record(`p${i}`, success());
    }
    const text = await render();
    expect(text).not.toContain('otel_metric_overflow');
    for (const name of PER_PROBE_METRICS) expect(new Set(samplesOf(text, name).map((s) => s.labels.probe_id)).size, name).toBe(5_000);
    expect(samplesOf(text, 'tcpprobe_probes_configured')[0]?.value).toBe(5_000);
  });
});

describe('TLS and dialogue series', () => {
  const DEEP_METRICS = ['tcpprobe_tls_handshake_seconds', 'tcpprobe_tls_cert_expiry_timestamp_seconds', 'tcpprobe_tls_info', 'tcpprobe_response_seconds'];
  const deepSamples = (text: string) => DEEP_METRICS.flatMap((name) => samplesOf(text, name));
  const tlsInfo = { tls_version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', subject: 'CN=db.example.com', issuer: 'CN=Example CA, O=Example', fingerprint_sha256: 'ab'.repeat(32) };

  it('are absent for plain probes, whatever their results', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success());
    probeMetrics.record('p1', failure('refused'));
    const text = await render();
    expect(deepSamples(text)).toEqual([]);
    expect(text).not.toMatch(/tcpprobe_(tls|response)_/);
  });

  it('report the handshake time, the chain expiry, the TLS info and the response time of a deeper check', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', deepSuccess({ tls: tlsDetails({ handshakeMs: 12.5, chainExpiresAt: 1_705_000_000_250 }), responseMs: 42 }));
    const text = await render();
    const labels = labelsFor('p1');
    expect(samplesOf(text, 'tcpprobe_tls_handshake_seconds')).toEqual([{ name: 'tcpprobe_tls_handshake_seconds', labels, value: 0.0125 }]);
    expect(samplesOf(text, 'tcpprobe_tls_cert_expiry_timestamp_seconds')).toEqual([
      { name: 'tcpprobe_tls_cert_expiry_timestamp_seconds', labels, value: 1_705_000_000.25 },
    ]);
    expect(samplesOf(text, 'tcpprobe_tls_info')).toEqual([{ name: 'tcpprobe_tls_info', labels: { ...labels, ...tlsInfo }, value: 1 }]);
    expect(samplesOf(text, 'tcpprobe_response_seconds')).toEqual([{ name: 'tcpprobe_response_seconds', labels, value: 0.042 }]);
    expect(text).toContain('# TYPE tcpprobe_tls_cert_expiry_timestamp_seconds gauge\n');
  });

  it('keep their last values through a deeper check that failed before its handshake (tls null)', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', deepSuccess());
    const before = deepSamples(await render());
    probeMetrics.record('p1', failure('timeout', { tls: null, responseMs: null, transcript: [] }));
    expect(deepSamples(await render())).toEqual(before);
    // A handshake that worked, and a dialogue that then did not match: TLS values move on, the response time stays.
    probeMetrics.record('p1', failure('unexpected_response', { tls: tlsDetails({ handshakeMs: 30 }), responseMs: null, transcript: [] }));
    const text = await render();
    expect(samplesOf(text, 'tcpprobe_tls_handshake_seconds')[0]?.value).toBe(0.03);
    expect(samplesOf(text, 'tcpprobe_response_seconds')[0]?.value).toBe(0.04);
  });

  it('keep the certificate of a handshake whose certificate failed verification', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', failure('cert_expired', { tls: tlsDetails({ chainExpiresAt: 1_600_000_000_000 }), responseMs: null, transcript: null }));
    const text = await render();
    expect(samplesOf(text, 'tcpprobe_tls_cert_expiry_timestamp_seconds')[0]?.value).toBe(1_600_000_000);
    expect(samplesOf(text, 'tcpprobe_checks_total', { result: 'cert_expired' })[0]?.value).toBe(1);
  });

  it('go with a plain result (tls and responseMs undefined): the probe is plain now', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', deepSuccess());
    expect(probeMetrics.sharedLabelParts).toBe(3); // result="success"; the address; the TLS info
    probeMetrics.record('p1', success());
    expect(deepSamples(await render())).toEqual([]);
    expect(probeMetrics.sharedLabelParts).toBe(2);
  });

  it('go with a successful deeper check that had no handshake, or no expect, to make: the probe no longer asks for it', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', deepSuccess());
    // TLS without a dialogue now: the response series goes, TLS stays.
    probeMetrics.record('p1', deepSuccess({ responseMs: null, transcript: null }));
    let text = await render();
    expect(samplesOf(text, 'tcpprobe_response_seconds')).toEqual([]);
    expect(samplesOf(text, 'tcpprobe_tls_info')).toHaveLength(1);
    // A banner check without TLS now: the TLS series go, the response time is back.
    probeMetrics.record('p1', deepSuccess({ tls: null, responseMs: 5 }));
    text = await render();
    expect(deepSamples(text).map((s) => s.name)).toEqual(['tcpprobe_response_seconds']);
    expect(probeMetrics.sharedLabelParts).toBe(2);
  });

  it('keep one tcpprobe_tls_info series a probe, replaced when the certificate, version or cipher changes', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', deepSuccess());
    probeMetrics.record('p1', deepSuccess({ tls: tlsDetails({ fingerprintSha256: 'cd'.repeat(32), subject: 'CN=db.example.com, O="Renewed, Inc."' }) }));
    probeMetrics.record('p1', deepSuccess({ tls: tlsDetails({ fingerprintSha256: 'cd'.repeat(32), subject: 'CN=db.example.com, O="Renewed, Inc."', protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }) }));
    expect(samplesOf(await render(), 'tcpprobe_tls_info').map((s) => [s.labels.fingerprint_sha256, s.labels.subject, s.labels.tls_version, s.labels.cipher])).toEqual([
      ['cd'.repeat(32), 'CN=db.example.com, O="Renewed, Inc."', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256'],
    ]);
    expect(probeMetrics.sharedLabelParts).toBe(3);
  });

  it('share the TLS info of probes on one certificate, and let it go with its last series', async () => {
    const { probeMetrics } = setup();
    for (const id of ['p1', 'p2']) {
      probeMetrics.upsertProbe(id, labelsFor(id));
      probeMetrics.record(id, deepSuccess());
    }
    expect(probeMetrics.sharedLabelParts).toBe(3);
    probeMetrics.removeProbe('p1');
    expect(probeMetrics.sharedLabelParts).toBe(3);
    probeMetrics.removeProbe('p2');
    expect(probeMetrics.sharedLabelParts).toBe(0);
  });

  it('move to new labels on a config change, and go with a deleted probe', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.upsertProbe('p2', labelsFor('p2'));
    probeMetrics.record('p1', deepSuccess());
    probeMetrics.record('p2', deepSuccess());
    probeMetrics.upsertProbe('p1', labelsFor('p1', { probe: 'renamed', target: 'db.example.com:6432' }));
    expect(probeMetrics.sharedLabelParts).toBe(3); // result="success"; the address; the TLS info, still shared
    let text = await render();
    for (const name of DEEP_METRICS) {
      expect(samplesOf(text, name, { probe_id: 'p1' }).map((s) => [s.labels.probe, s.labels.target]), name).toEqual([['renamed', 'db.example.com:6432']]);
    }
    expect(samplesOf(text, 'tcpprobe_tls_info', { probe_id: 'p1' })[0]?.labels).toEqual({ ...labelsFor('p1', { probe: 'renamed', target: 'db.example.com:6432' }), ...tlsInfo });
    probeMetrics.removeProbe('p1');
    probeMetrics.record('p1', deepSuccess());
    text = await render();
    expect(deepSamples(text).filter((s) => s.labels.probe_id === 'p1')).toEqual([]);
    expect(deepSamples(text)).toHaveLength(4);
    probeMetrics.removeProbe('p2');
    expect(probeMetrics.sharedLabelParts).toBe(0);
  });

  it("hide the handshake and response times outside the probe's window, keeping the certificate's expiry and info", async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', deepSuccess());
    probeMetrics.setActive('p1', false);
    const names = async () => [...new Set(deepSamples(await render()).map((s) => s.name))];
    expect(await names()).toEqual(['tcpprobe_tls_cert_expiry_timestamp_seconds', 'tcpprobe_tls_info']);
    probeMetrics.setActive('p1', true);
    expect(await names()).toEqual(['tcpprobe_tls_cert_expiry_timestamp_seconds', 'tcpprobe_tls_info']);
    probeMetrics.record('p1', deepSuccess());
    expect(await names()).toEqual(DEEP_METRICS);
  });
});

describe('gateway self-metrics', () => {
  it('reports scheduler lag, checks in flight and their limit, probes configured and missed slots by reason, labelled by gateway', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.upsertProbe('p2', labelsFor('p2'));
    probeMetrics.observeSchedulerLag(3);
    probeMetrics.observeSchedulerLag(1_500);
    probeMetrics.setInFlight(7);
    probeMetrics.setInFlightLimit(900);
    probeMetrics.countMissedSlot('overlap');
    probeMetrics.countMissedSlot('late');
    probeMetrics.countMissedSlot('late');
    const text = await render();
    const gateway = { gateway: 'gw-test' };
    expect(samplesOf(text, 'tcpprobe_checks_in_flight')).toEqual([{ name: 'tcpprobe_checks_in_flight', labels: gateway, value: 7 }]);
    expect(samplesOf(text, 'tcpprobe_probes_configured')).toEqual([{ name: 'tcpprobe_probes_configured', labels: gateway, value: 2 }]);
    expect(samplesOf(text, 'tcpprobe_checks_in_flight_limit')).toEqual([{ name: 'tcpprobe_checks_in_flight_limit', labels: gateway, value: 900 }]);
    // Every reason from the start (a counter that appears with its first increment loses that increment to rate()).
    expect(samplesOf(text, 'tcpprobe_scheduler_skipped_total')).toEqual([
      { name: 'tcpprobe_scheduler_skipped_total', labels: { ...gateway, reason: 'overlap' }, value: 1 },
      { name: 'tcpprobe_scheduler_skipped_total', labels: { ...gateway, reason: 'queued' }, value: 0 },
      { name: 'tcpprobe_scheduler_skipped_total', labels: { ...gateway, reason: 'late' }, value: 2 },
    ]);
    expect(samplesOf(text, 'tcpprobe_scheduler_lag_seconds_count')).toEqual([{ name: 'tcpprobe_scheduler_lag_seconds_count', labels: gateway, value: 2 }]);
    expect(samplesOf(text, 'tcpprobe_scheduler_lag_seconds_bucket', { le: '0.005' })[0]?.value).toBe(1);
    expect(samplesOf(text, 'tcpprobe_scheduler_lag_seconds_bucket', { le: '2.5' })[0]?.value).toBe(2);
  });

  it('has HELP and TYPE for every family, and no OTel scope labels or target_info', async () => {
    const { probeMetrics, render } = setup();
    probeMetrics.upsertProbe('p1', labelsFor('p1'));
    probeMetrics.record('p1', success());
    const text = await render();
    expect(text).toContain('# TYPE tcpprobe_availability gauge\n');
    expect(text).toContain('# TYPE tcpprobe_consecutive_failures gauge\n');
    expect(text).toContain('# TYPE tcpprobe_checks_total counter\n');
    expect(text).toContain('# TYPE tcpprobe_connect_duration_seconds histogram\n');
    expect(text).toContain('# TYPE tcpprobe_scheduler_lag_seconds histogram\n');
    expect(text).not.toMatch(/otel_scope|target_info/);
    expect(text.match(/^# HELP /gm)).toHaveLength(text.match(/^# TYPE /gm)!.length);
  });
});
