// Test helpers for the metrics module: check results, probe labels, and a Prometheus text parser.

import type { ProbeMetricLabels } from '../../src/metrics/probe-metrics.js';
import type { CheckResult, TlsDetails } from '../../src/probing/types.js';

export function labelsFor(id: string, overrides: Partial<ProbeMetricLabels> = {}): ProbeMetricLabels {
  return {
    gateway: 'gw-test',
    server: 'db servers',
    server_id: 'srv-1',
    probe: `probe ${id}`,
    probe_id: id,
    target: 'db.example.com:5432',
    role: 'production',
    site: 'Frankfurt',
    ...overrides,
  };
}

export function success(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    outcome: 'success',
    error: null,
    startedAt: 1_700_000_000_000,
    dnsMs: 2,
    connectMs: 3,
    actualHost: 'db-1.example.com',
    actualIpv4: '10.0.0.7',
    actualAddress: '10.0.0.7',
    ...overrides,
  };
}

/** What a TLS handshake to db.example.com showed, as probing/tls.ts reports it. */
export function tlsDetails(overrides: Partial<TlsDetails> = {}): TlsDetails {
  return {
    handshakeMs: 8,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    subject: 'CN=db.example.com',
    issuer: 'CN=Example CA, O=Example',
    fingerprintSha256: 'ab'.repeat(32),
    notBefore: 1_690_000_000_000,
    notAfter: 1_710_000_000_000,
    chainExpiresAt: 1_705_000_000_000,
    ...overrides,
  };
}

/** A deeper check's success: a handshake and, unless overridden, a dialogue whose expects matched. */
export function deepSuccess(overrides: Partial<CheckResult> = {}): CheckResult {
  return success({ tls: tlsDetails(), responseMs: 40, transcript: [], ...overrides });
}

export function failure(outcome: CheckResult['outcome'], overrides: Partial<CheckResult> = {}): CheckResult {
  return success({ outcome, error: `connect failed: ${outcome}`, connectMs: null, ...overrides });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

let lastParsed: { text: string; samples: Sample[] } | undefined;

/** Parses sample lines of Prometheus text 0.0.4 (comments skipped), unescaping label values. */
export function parseSamples(text: string): Sample[] {
  // Tests look at one scrape many times; parsing a 5,000-probe scrape once is enough.
  if (lastParsed?.text === text) return lastParsed.samples;
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]!.replace('+Inf', 'Infinity')) });
  }
  lastParsed = { text, samples };
  return samples;
}

/** The samples of one metric name, optionally narrowed to those whose labels include `where`. */
export function samplesOf(text: string, name: string, where: Record<string, string> = {}): Sample[] {
  return parseSamples(text).filter(
    (sample) => sample.name === name && Object.entries(where).every(([key, value]) => sample.labels[key] === value),
  );
}
