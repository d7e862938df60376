// The metrics module's public face: what the engine, the API and main.ts import.

export { createMetrics, type GatewayMetrics } from './metrics.js';
export { ProbeMetrics, DEFAULT_CONNECT_BUCKETS_SECONDS, type ProbeMetricLabels, type ProbeMetricsOptions } from './probe-metrics.js';
export { PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js';
export { metricsRoute, type MetricsRouteOptions } from './route.js';
