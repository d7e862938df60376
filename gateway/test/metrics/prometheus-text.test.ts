// The ResourceMetrics -> Prometheus text serializer: format details, SDK instruments, and agreement with the stock serializer.

import { describe, expect, it } from 'vitest';
import { ValueType, type Attributes } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createMetrics } from '../../src/metrics/metrics.js';
import { ChunkPool, prerenderLabels, PrometheusTextSerializer, SharedLabelParts } from '../../src/metrics/prometheus-text.js';
import { failure, labelsFor, parseSamples, success } from './helpers.js';

const WHEN: [number, number] = [1_700_000_000, 0];

function resourceMetrics(...metrics: MetricData[]): ResourceMetrics {
  return { resource: emptyResource(), scopeMetrics: [{ scope: { name: 'test', version: '1.0.0' }, metrics }] };
}

function gauge(name: string, points: [Attributes, number][], description = 'A gauge.'): MetricData {
  return {
    descriptor: { name, description, unit: '', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: points.map(([attributes, value]) => ({ startTime: WHEN, endTime: WHEN, attributes, value })),
  };
}

async function serialize(data: ResourceMetrics): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of new PrometheusTextSerializer().serialize(data)) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe('label values', () => {
  it('escapes backslash, double quote and line feed, and keeps Unicode as UTF-8', async () => {
    const text = await serialize(resourceMetrics(gauge('weird', [[{ path: 'C:\\probes\\"new"\nline', city: 'Zürich 東京 🚀' }, 1]])));
    expect(text).toContain('weird{path="C:\\\\probes\\\\\\"new\\"\\nline",city="Zürich 東京 🚀"} 1\n');
  });

  it('gives the same block whether prerendered or rendered on the fly', async () => {
    const base = { gateway: 'g"1', site: 'a\\b' };
    const derived = { ...base, result: 'time\nout' };
    const plain = await serialize(resourceMetrics(gauge('m', [[base, 1], [derived, 2]])));
    const prerendered = await serialize(resourceMetrics(gauge('m', [[prerenderLabels({ ...base }), 1], [prerenderLabels({ ...derived }, prerenderLabels({ ...base })), 2]])));
    expect(prerendered).toBe(plain);
    expect(plain).toContain('m{gateway="g\\"1",site="a\\\\b",result="time\\nout"} 2\n');
  });

  it('shares added parts between attributes adding the same labels, until the last is released', async () => {
    const parts = new SharedLabelParts();
    const base1 = prerenderLabels({ probe: 'a' });
    const base2 = prerenderLabels({ probe: 'b' });
    const derived1 = prerenderLabels({ probe: 'a', actual_host: 'h"1' }, base1, parts);
    const derived2 = prerenderLabels({ probe: 'b', actual_host: 'h"1' }, base2, parts);
    expect(parts.size).toBe(1);
    expect(await serialize(resourceMetrics(gauge('m', [[derived1, 1], [derived2, 2]])))).toContain('m{probe="a",actual_host="h\\"1"} 1\nm{probe="b",actual_host="h\\"1"} 2\n');
    parts.release(base1); // nothing added: not a part's user
    parts.release(derived1);
    expect(parts.size).toBe(1);
    parts.release(derived2);
    expect(parts.size).toBe(0);
    expect(() => prerenderLabels({ probe: 'a', actual_host: 'x', result: 'ok' }, derived1)).toThrow(/base attributes/);
  });

  it('leaves a prerendered block invisible to the ways attributes are read (keys, entries, JSON)', () => {
    const attributes = prerenderLabels({ gateway: 'g1' });
    expect(Object.keys(attributes)).toEqual(['gateway']);
    expect(Object.entries(attributes)).toEqual([['gateway', 'g1']]);
    expect(JSON.stringify(attributes)).toBe('{"gateway":"g1"}');
  });

  it('makes attribute keys valid label names and writes non-string values as text', async () => {
    const text = await serialize(resourceMetrics(gauge('m', [[{ 'service.name': 'gw', '1st': 2, ok: true, list: ['a', 'b'] }, 1]])));
    expect(text).toContain('m{service_name="gw",_1st="2",ok="true",list="[\\"a\\",\\"b\\"]"} 1\n');
  });
});

describe('metric families', () => {
  it('writes HELP (escaped) and TYPE, omits braces without labels, and formats special values', async () => {
    const text = await serialize(resourceMetrics(gauge('plain', [[{}, Infinity], [{ a: '1' }, -Infinity], [{ a: '2' }, NaN], [{ a: '3' }, 1.5e-7]], 'Line one\nback\\slash')));
    expect(text).toBe(
      '# HELP plain Line one\\nback\\\\slash\n# TYPE plain gauge\nplain +Inf\nplain{a="1"} -Inf\nplain{a="2"} NaN\nplain{a="3"} 1.5e-7\n',
    );
  });

  it('writes monotonic sums as counters named _total and other sums as gauges', async () => {
    const sum = (name: string, isMonotonic: boolean): MetricData => ({
      descriptor: { name, description: name, unit: '', valueType: ValueType.INT },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic,
      dataPoints: [{ startTime: WHEN, endTime: WHEN, attributes: {}, value: 3 }],
    });
    const text = await serialize(resourceMetrics(sum('requests', true), sum('errors_total', true), sum('queue.depth', false)));
    expect(text).toContain('# TYPE requests_total counter\nrequests_total 3\n');
    expect(text).toContain('# TYPE errors_total counter\nerrors_total 3\n');
    expect(text).toContain('# TYPE queue_depth gauge\nqueue_depth 3\n');
  });

  it('writes histograms as cumulative buckets up to +Inf, then _sum and _count', async () => {
    const histogram: MetricData = {
      descriptor: { name: 'latency_seconds', description: 'Latency.', unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [{ startTime: WHEN, endTime: WHEN, attributes: { path: '/x' }, value: { buckets: { boundaries: [0.1, 1], counts: [2, 0, 1] }, sum: 2.25, count: 3 } }],
    };
    expect(await serialize(resourceMetrics(histogram))).toBe(
      [
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{path="/x",le="0.1"} 2',
        'latency_seconds_bucket{path="/x",le="1"} 2',
        'latency_seconds_bucket{path="/x",le="+Inf"} 3',
        'latency_seconds_sum{path="/x"} 2.25',
        'latency_seconds_count{path="/x"} 3',
        '',
      ].join('\n'),
    );
  });

  it('skips families without data points', async () => {
    expect(await serialize(resourceMetrics(gauge('empty', []), gauge('full', [[{}, 1]])))).toBe('# HELP full A gauge.\n# TYPE full gauge\nfull 1\n');
  });

  it('splits a large scrape into chunks whose concatenation is the whole text', async () => {
    const points: [Attributes, number][] = Array.from({ length: 20_000 }, (_, i) => [{ probe_id: `p${i}`, padding: 'x'.repeat(100) }, i]);
    const chunks: Buffer[] = [];
    for await (const chunk of new PrometheusTextSerializer().serialize(resourceMetrics(gauge('big', points)))) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    const samples = parseSamples(Buffer.concat(chunks).toString());
    expect(samples.map((s) => s.value)).toEqual(points.map(([, value]) => value));
  });
});

describe('the whole pipeline', () => {
  it('serializes SDK instruments created on the gateway meter next to the probe series, without scope labels', async () => {
    const metrics = createMetrics({ gateway: 'gw-test' });
    const requests = metrics.meter.createCounter('http_requests', { description: 'HTTP requests.' });
    const duration = metrics.meter.createHistogram('http_request_duration_seconds', { advice: { explicitBucketBoundaries: [0.1, 1] } });
    requests.add(2, { route: '/api/v1/probes' });
    duration.record(0.5, { route: '/api/v1/probes' });
    metrics.probeMetrics.upsertProbe('p1', labelsFor('p1'));
    const text = await metrics.render();
    await metrics.shutdown();
    expect(text).toContain('# TYPE http_requests_total counter\nhttp_requests_total{route="/api/v1/probes"} 2\n');
    expect(text).toContain('http_request_duration_seconds_bucket{route="/api/v1/probes",le="1"} 1\n');
    expect(text).toContain('tcpprobe_checks_total{');
    expect(text).not.toMatch(/otel_scope|target_info/);
  });

  it('yields the same samples as the exporter\'s stock PrometheusSerializer', async () => {
    const metrics = createMetrics({ gateway: 'gw-test' });
    const { probeMetrics } = metrics;
    probeMetrics.upsertProbe('p1', labelsFor('p1', { probe: 'quote " and \\ and\nnewline', site: 'Zürich' }));
    probeMetrics.upsertProbe('p2', labelsFor('p2'));
    probeMetrics.record('p1', success({ connectMs: 0.7 }));
    probeMetrics.record('p1', failure('timeout'));
    probeMetrics.record('p2', success({ connectMs: 4200, actualIpv4: null }));
    probeMetrics.observeSchedulerLag(12);

    const reader = new (class extends MetricReader {
      protected override async onShutdown(): Promise<void> {}
      protected override async onForceFlush(): Promise<void> {}
    })({ metricProducers: [probeMetrics] });
    const provider = new MeterProvider({ readers: [reader] });
    const { resourceMetrics: collected } = await reader.collect();
    const stock = new PrometheusSerializer('', false, undefined, true, true).serialize(collected);
    const ours = await serialize(collected);
    await provider.shutdown();
    await metrics.shutdown();

    const sorted = (text: string) => parseSamples(text).map((s) => JSON.stringify(s)).sort();
    expect(sorted(ours)).toEqual(sorted(stock));
    expect(sorted(ours).length).toBeGreaterThan(50);
  });
});

describe('ChunkPool', () => {
  it('hands a released chunk out again, from the chunk or from a view of it, and only once', () => {
    const pool = new ChunkPool(4);
    const first = pool.take();
    expect(first.length).toBe(1 << 18);
    pool.release(first.subarray(0, 10));
    pool.release(first);
    expect(pool.pooled).toBe(1);
    const again = pool.take();
    expect(again.buffer).toBe(first.buffer);
    expect(again.length).toBe(1 << 18);
    expect(pool.pooled).toBe(0);
  });

  it('keeps no Buffer it did not make the size of, and at most its bound', () => {
    const pool = new ChunkPool(2);
    pool.release(Buffer.from('not a chunk'));
    pool.release(Buffer.allocUnsafe(1 << 19));
    expect(pool.pooled).toBe(0);
    const chunks = [pool.take(), pool.take(), pool.take()];
    for (const chunk of chunks) pool.release(chunk);
    expect(pool.pooled).toBe(2);
  });

  it('serializes correctly from reused chunks that still hold an earlier scrape', async () => {
    const pool = new ChunkPool();
    const serializer = new PrometheusTextSerializer(pool);
    const many = (value: number) => gauge('reuse_test', Array.from({ length: 20_000 }, (_, i): [Attributes, number] => [{ series: `s${i}` }, value]));
    const scrape = async (value: number) => {
      const parts: Buffer[] = [];
      for await (const chunk of serializer.serialize(resourceMetrics(many(value)))) parts.push(chunk);
      const text = Buffer.concat(parts).toString();
      for (const part of parts) pool.release(part);
      return { text, chunks: parts.length };
    };
    const first = await scrape(1);
    expect(first.chunks).toBeGreaterThan(1);
    expect(pool.pooled).toBeGreaterThan(1);
    const second = await scrape(22);
    expect(second.text).toBe(first.text.replaceAll(/ 1\n/g, ' 22\n'));
    expect(parseSamples(second.text).every((sample) => sample.value === 22)).toBe(true);
  });
});
