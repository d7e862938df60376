// Builds the HTTP service: every resource a fastify plugin, schemas as the one source of validation and OpenAPI.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireBearerToken } from './auth.js';
import { installErrorHandler } from './api/errors.js';
import { validatorCompiler } from './api/validation.js';
import { serverRoutes } from './api/servers.js';
import { probeRoutes } from './api/probes.js';
import { scheduleRoutes } from './api/schedules.js';
import { gatewayRoutes } from './api/gateways.js';
import { configRoutes } from './api/config.js';
import { alertRuleRoutes } from './api/alert-rules.js';
import { healthRoutes } from './api/health.js';
import { sharedAccountRoutes } from './api/shared-accounts.js';
import type { ConfigService } from './domain/config-service.js';
import type { SharedAccountService } from './secrets/shared-account-service.js';
import { GATEWAY_VERSION } from './version.js';

export interface AppDependencies {
  service: ConfigService;
  apiToken: string;
  /** Shared accounts need the secret key, so the API for them comes with the service that holds it. */
  sharedAccounts?: SharedAccountService;
  logger?: FastifyServerOptions['logger'];
  bodyLimitBytes?: number;
  /** /readyz answers 503 until this returns true. */
  isReady?: () => boolean;
  /** Further API plugins (probing, metrics) registered beside the configuration API. */
  extend?: (app: FastifyInstance) => Promise<void> | void;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimitBytes ?? 16 * 1024 * 1024,
    // The gateway sits behind Grafana's proxy or on loopback; ids are numbers in paths.
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  installErrorHandler(app);
  requireBearerToken(app, deps.apiToken);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'probekit gateway', version: GATEWAY_VERSION, description: 'Probe servers, probes, schedules and results of a TCP probing gateway' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  await app.register(healthRoutes, { store: deps.service.store, isReady: deps.isReady ?? (() => true) });
  await app.register(async (api) => {
    const options = { service: deps.service };
    await api.register(serverRoutes, options);
    await api.register(probeRoutes, options);
    await api.register(scheduleRoutes, options);
    await api.register(gatewayRoutes, options);
    await api.register(configRoutes, options);
    await api.register(alertRuleRoutes, options);
    if (deps.sharedAccounts) await api.register(sharedAccountRoutes, { ...options, accounts: deps.sharedAccounts });
  }, { prefix: '/api/v1' });
  if (deps.extend) await deps.extend(app);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
