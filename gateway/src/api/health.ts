// /healthz (the process answers) and /readyz (the store answers and probing has started); no token needed.
import type { FastifyPluginAsync } from 'fastify';
import type { ConfigStore } from '../store/index.js';

export interface HealthOptions {
  store: ConfigStore;
  /** False until start-up has finished (e.g. the engine has loaded its probes). */
  isReady: () => boolean;
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { store, isReady }) => {
  // Health checks come every few seconds from Docker and Kubernetes: log them only when something is wrong.
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    let storeOk = false;
    try {
      storeOk = store.isHealthy();
    } catch {
      storeOk = false;
    }
    const ready = storeOk && isReady();
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting', store: storeOk ? 'ok' : 'unavailable' });
  });
};
