// /healthz (the process answers) and /readyz (the store answers and probing has started); no token needed.
import type { FastifyPluginAsync } from 'fastify';
import type { ConfigStore } from '../store/index.js';

const STORE_CHECK_TIMEOUT_MS = 1000;

export interface HealthOptions {
  store: ConfigStore;
  /** False until start-up has finished (e.g. the engine has loaded its probes). */
  isReady: () => boolean;
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { store, isReady }) => {
  // Health checks come every few seconds from Docker and Kubernetes: log them only when something is wrong.
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  // A load balancer takes a replica whose database does not answer out of rotation; the check never waits past ~1 s.
  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    const storeOk = await store.isHealthy(STORE_CHECK_TIMEOUT_MS);
    if (!storeOk) return reply.status(503).send({ status: 'not ready', store: 'unavailable' });
    const ready = isReady();
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting', store: 'ok' });
  });
};
