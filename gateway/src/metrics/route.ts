// The fastify plugin serving GET /metrics to Prometheus.

import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayMetrics } from './metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js';

export interface MetricsRouteOptions {
  metrics: Pick<GatewayMetrics, 'scrape' | 'release'>;
}

/**
 * GET /metrics, without auth: Prometheus scrapes it and it carries no secrets. The body is
 * streamed chunk by chunk, so a 50k-probe scrape (hundreds of MB) is never one string in memory.
 * The response is written by hand rather than through `reply.send(stream)`: a chunk goes back
 * to the pool only when the socket has taken its bytes, which only the write callback tells.
 */
export const metricsRoute: FastifyPluginAsync<MetricsRouteOptions> = async (app, { metrics }) => {
  app.get('/metrics', async (request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    try {
      for await (const chunk of metrics.scrape()) {
        // The scraper hung up: stop rendering for nobody.
        if (response.destroyed) break;
        if (!response.write(chunk, () => metrics.release(chunk))) await drainedOrClosed(response);
      }
      response.end();
    } catch (error) {
      request.log.error({ err: error }, 'metrics scrape failed');
      response.destroy(error as Error);
    }
  });
};

function drainedOrClosed(response: ServerResponse): Promise<void> {
  // Closed already: 'close' has been emitted and would never come again.
  if (response.destroyed || response.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
