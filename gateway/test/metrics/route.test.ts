// GET /metrics through fastify: status, exact content type, and a streamed body that parses; over real HTTP,
// concurrent scrapes, a scraper that hangs up, and the chunks that go back to the pool.

import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
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

describe('GET /metrics over HTTP on loopback', () => {
  async function serve(probes: number) {
    const metrics = createMetrics({ gateway: 'gw-test' });
    for (let i = 0; i < probes; i++) {
      metrics.probeMetrics.upsertProbe(`p${i}`, labelsFor(`p${i}`));
      metrics.probeMetrics.record(`p${i}`, success());
    }
    const released: Buffer[] = [];
    const release = metrics.release;
    metrics.release = (chunk) => {
      released.push(chunk);
      release(chunk);
    };
    const app = Fastify();
    await app.register(metricsRoute, { metrics });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const close = async () => {
      await app.close();
      await metrics.shutdown();
    };
    return { metrics, released, url: `http://127.0.0.1:${port}/metrics`, close };
  }

  it('serves concurrent scrapes whole and alike while their chunks are reused, and hands every chunk back', async () => {
    const server = await serve(2_000);
    try {
      const expected = await server.metrics.render();
      const bodies = await Promise.all([1, 2, 3].map(async () => (await fetch(server.url)).text()));
      // A fourth scrape after the others, from chunks they handed back.
      bodies.push(await (await fetch(server.url)).text());
      for (const body of bodies) expect(body).toBe(expected);
      expect(expected.length).toBeGreaterThan(4 << 20);
      expect(server.released.length).toBeGreaterThan(4 * 16);
    } finally {
      await server.close();
    }
  });

  it('survives a scraper that hangs up mid-body, and the next scrape is whole', async () => {
    const server = await serve(2_000);
    try {
      const expected = await server.metrics.render();
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(server.url, (response) => {
          response.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (error) => (error.message.includes('aborted') || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(error)));
        req.end();
      });
      expect(await (await fetch(server.url)).text()).toBe(expected);
    } finally {
      await server.close();
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const server = await serve(10);
    try {
      const response = await fetch(server.url, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(await response.text()).toBe('');
    } finally {
      await server.close();
    }
  });
});
