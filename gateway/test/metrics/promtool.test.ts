// Prometheus' own linter must find nothing to say about /metrics, weird label values included.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { deepSuccess, failure, labelsFor, parseSamples, success, tlsDetails } from './helpers.js';

const PROMTOOL = '/usr/bin/promtool';

function promtoolCheckMetrics(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

describe('promtool check metrics', () => {
  it('is installed', () => {
    expect(existsSync(PROMTOOL), `${PROMTOOL} is missing: apt-get install prometheus`).toBe(true);
  });

  it('accepts the gateway\'s /metrics with every kind of series and awkward label values', async () => {
    const metrics = createMetrics({ gateway: 'gw "quoted" \\ backslash' });
    const { probeMetrics } = metrics;
    const weird = [
      labelsFor('p1', { probe: 'say "hello"', server: 'C:\\servers\\new' }),
      labelsFor('p2', { probe: 'two\nlines', site: '' }),
      labelsFor('p3', { probe: 'Zürich 東京 🚀', target: '[2001:db8::1]:443' }),
      labelsFor('p4'),
      labelsFor('p5', { probe: 'smtp "mail"', target: 'mail.example.com:25' }),
    ];
    weird.forEach((labels) => probeMetrics.upsertProbe(labels.probe_id, labels));
    probeMetrics.record('p1', success());
    probeMetrics.record('p1', failure('timeout'));
    probeMetrics.record('p2', failure('dns_error', { actualHost: null, actualIpv4: null, dnsMs: null }));
    probeMetrics.record('p3', success({ actualIpv4: null, actualAddress: '2001:db8::1', connectMs: 25_000 }));
    probeMetrics.setActive('p4', false);
    // TLS and dialogue series, with a subject as certificates have them: quotes, commas, backslashes, non-ASCII.
    probeMetrics.record('p5', deepSuccess({ tls: tlsDetails({ subject: 'CN=mail.example.com, O="Müller \\ Söhne, GmbH"', issuer: 'CN=東京 CA' }) }));
    probeMetrics.record('p5', failure('unexpected_response', { tls: null, responseMs: null, transcript: [] }));
    probeMetrics.observeSchedulerLag(40);
    probeMetrics.setInFlight(2);
    probeMetrics.setInFlightLimit(512);
    probeMetrics.countMissedSlot('queued');
    const text = await metrics.render();
    await metrics.shutdown();

    const { code, output } = await promtoolCheckMetrics(text);
    expect(output).toBe('');
    expect(code).toBe(0);
    // promtool does not look for duplicate series, which Prometheus rejects at scrape time.
    const series = parseSamples(text).map(({ name, labels }) => JSON.stringify([name, labels]));
    expect(new Set(series).size).toBe(series.length);
  });
});
