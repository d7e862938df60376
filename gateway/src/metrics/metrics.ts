// Wires the gateway's metrics through the OpenTelemetry SDK: probe producer, MeterProvider, pull reader, Prometheus text.

import { diag, type Meter } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { ProbeMetrics, type ProbeMetricsOptions } from './probe-metrics.js';
import { PrometheusTextSerializer } from './prometheus-text.js';

/** A MetricReader that only collects when asked: a Prometheus scrape is the pull. */
class ScrapeReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}

  protected override async onForceFlush(): Promise<void> {}
}

export interface GatewayMetrics {
  probeMetrics: ProbeMetrics;
  /** For ordinary SDK instruments elsewhere in the gateway; they appear on the same /metrics. */
  meter: Meter;
  /** One scrape as Prometheus text (UTF-8), in chunks, with event-loop turns between them. */
  scrape(): AsyncIterable<Buffer>;
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
  const serializer = new PrometheusTextSerializer();

  async function* scrape(): AsyncGenerator<Buffer> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('metrics collection errors', ...errors);
    yield* serializer.serialize(resourceMetrics);
  }

  return {
    probeMetrics,
    meter: meterProvider.getMeter('@probekit/gateway'),
    scrape,
    async render() {
      const chunks: Buffer[] = [];
      for await (const chunk of scrape()) chunks.push(chunk);
      return Buffer.concat(chunks).toString();
    },
    shutdown: () => meterProvider.shutdown(),
  };
}
