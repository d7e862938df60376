// The fastify plugin serving GET /metrics to Prometheus.

import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayMetrics } from './metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js';

export interface MetricsRouteOptions {
  metrics: Pick<GatewayMetrics, 'scrape'>;
}

/**
 * GET /metrics, without auth: Prometheus scrapes it and it carries no secrets. The body is
 * streamed chunk by chunk, so a 50k-probe scrape (hundreds of MB) is never one string in memory.
 */
export const metricsRoute: FastifyPluginAsync<MetricsRouteOptions> = async (app, { metrics }) => {
  app.get('/metrics', async (_request, reply) => {
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(Readable.from(metrics.scrape()));
  });
};
