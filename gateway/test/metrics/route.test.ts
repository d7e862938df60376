// GET /metrics through fastify: status, exact content type, and a streamed body that parses.

import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { metricsRoute } from '../../src/metrics/route.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../src/metrics/prometheus-text.js';
import { labelsFor, parseSamples, samplesOf, success } from './helpers.js';

describe('GET /metrics', () => {
  it('answers 200 with the Prometheus text content type, without auth, streaming every probe', async () => {
    const metrics = createMetrics({ gateway: 'gw-test' });
    // Enough probes for several chunks, so the streamed body is exercised.
    for (let i = 0; i < 500; i++) {
      metrics.probeMetrics.upsertProbe(`p${i}`, labelsFor(`p${i}`));
      metrics.probeMetrics.record(`p${i}`, success());
    }
    const app = Fastify();
    await app.register(metricsRoute, { metrics });

    const response = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    await metrics.shutdown();

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.rawPayload.length).toBeGreaterThan(1 << 20);
    expect(samplesOf(response.body, 'tcpprobe_availability')).toHaveLength(500);
    expect(parseSamples(response.body).length).toBeGreaterThan(500 * 20);
  });
});
