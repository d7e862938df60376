// Wires the gateway's metrics through the OpenTelemetry SDK: probe producer, MeterProvider, pull reader, Prometheus text.

import { diag, type Meter } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { ProbeMetrics, type ProbeMetricsOptions } from './probe-metrics.js';
import { ChunkPool, PrometheusTextSerializer } from './prometheus-text.js';

/** A MetricReader that only collects when asked: a Prometheus scrape is the pull. */
class ScrapeReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}

  protected override async onForceFlush(): Promise<void> {}
}

export interface GatewayMetrics {
  probeMetrics: ProbeMetrics;
  /** For ordinary SDK instruments elsewhere in the gateway; they appear on the same /metrics. */
  meter: Meter;
  /**
   * One scrape as Prometheus text (UTF-8), in chunks, with event-loop turns between them. Hand each chunk back with
   * `release()` once its bytes are written, so that the next scrape reuses it; a chunk not handed back is garbage.
   */
  scrape(): AsyncIterable<Buffer>;
  release(chunk: Buffer): void;
  /** One scrape as a single string (tests, tools); the route streams `scrape()` instead. */
  render(): Promise<string>;
  shutdown(): Promise<void>;
}

export function createMetrics(options: ProbeMetricsOptions): GatewayMetrics {
  const probeMetrics = new ProbeMetrics(options);
  // Cumulative temporality and default aggregations are what a Prometheus pull needs; the probe
  // series bypass SDK aggregation (and so its cardinality limit) by coming from a producer.
  const reader = new ScrapeReader({ metricProducers: [probeMetrics] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const chunks = new ChunkPool();
  const serializer = new PrometheusTextSerializer(chunks);

  async function* scrape(): AsyncGenerator<Buffer> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('metrics collection errors', ...errors);
    yield* serializer.serialize(resourceMetrics);
  }

  return {
    probeMetrics,
    meter: meterProvider.getMeter('@probekit/gateway'),
    scrape,
    release: (chunk) => chunks.release(chunk),
    async render() {
      const parts: Buffer[] = [];
      for await (const chunk of scrape()) parts.push(chunk);
      const text = Buffer.concat(parts).toString();
      for (const part of parts) chunks.release(part);
      return text;
    },
    shutdown: () => meterProvider.shutdown(),
  };
}
