// Wires a running gateway together: store, token, config service, HTTP API; returns a handle to stop it.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './app.js';
import { loadApiToken, type ApiToken } from './auth.js';
import { ConfigService } from './domain/config-service.js';
import { GATEWAY_HEARTBEAT_MS } from './api/gateways.js';
import type { Settings } from './settings.js';
import { startCheckpointer } from './store/checkpointer.js';
import { ConfigStore } from './store/index.js';
import { connectTiming } from './probing/kernel-timing.js';
import { GATEWAY_VERSION } from './version.js';
import { createMetrics, metricsRoute, type GatewayMetrics } from './metrics/index.js';
import { createResolver } from './probing/resolve.js';
import { machineInFlightCap } from './probing/in-flight-cap.js';
import { ProbeEngine } from './engine/probe-engine.js';
import { probingRoutes } from './api/probing.js';
import { agentRoutes } from './api/agents.js';
import { AgentSync } from './agents/agent-sync.js';
import { agentKey } from './secrets/cipher.js';
import { loadSecretKey, type SecretKey } from './secrets/key-file.js';
import { assertMaterialOpens, StoredAccountMaterial, type AccountMaterialSource } from './secrets/account-material.js';
import { SharedAccountService } from './secrets/shared-account-service.js';

export interface RunningGateway {
  app: FastifyInstance;
  service: ConfigService;
  engine: ProbeEngine;
  metrics: GatewayMetrics;
  token: ApiToken;
  /** The key file shared-account material is encrypted with; null on an agent (its key is derived from the agent token). */
  secretKey: SecretKey | null;
  /** The shared accounts' material as checks get it (opened in memory). */
  accounts: AccountMaterialSource;
  /** Base URL the API listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export async function startGateway(settings: Settings, logger: FastifyServerOptions['logger'] = false): Promise<RunningGateway> {
  const token = loadApiToken(settings);
  const agentOf = settings.controlPlaneUrl;
  // An agent keeps its accounts sealed as the control plane sent them, under the key both derive from the agent token.
  const secretKey = agentOf ? null : loadSecretKey(settings);
  const store = ConfigStore.open(settings.dbFile);
  try {
    if (secretKey) assertMaterialOpens(store.sharedAccounts.allSealed(), secretKey.key, secretKey.file);
  } catch (error) {
    store.close();
    throw error;
  }
  const accountKey = secretKey?.key ?? agentKey(settings.controlPlaneToken!, settings.gatewayId);
  let warn: (message: string) => void = () => {};
  const checkpointer = startCheckpointer(store.db, settings.dbFile, { onError: (message) => warn(`WAL checkpoint failed: ${message}`) });
  const service = new ConfigService(store, {
    gatewayId: settings.gatewayId,
    allowlist: settings.allowlist,
    ...(agentOf ? { readOnlyReason: `this gateway is an agent of ${agentOf}; change the configuration there` } : {}),
  });
  const sharedAccounts = new SharedAccountService(service, accountKey);
  const accounts = new StoredAccountMaterial(service, accountKey, (name, message) => warn(`shared account "${name}" cannot be used: ${message}`));
  const metrics = createMetrics({ gateway: settings.gatewayId });
  const inFlightCap = machineInFlightCap(settings.maxInFlight);
  const engine = new ProbeEngine({
    service,
    metrics: metrics.probeMetrics,
    resolver: createResolver({ servers: settings.dnsServers }),
    timeZone: settings.timeZone,
    maxInFlight: inFlightCap.maxInFlight,
    accounts,
  });
  let ready = false;
  const app = await buildApp({
    service,
    apiToken: token.token,
    sharedAccounts,
    logger,
    bodyLimitBytes: settings.bodyLimitBytes,
    isReady: () => ready,
    extend: async (root) => {
      await root.register(metricsRoute, { metrics });
      await root.register(probingRoutes, { prefix: '/api/v1', service, engine });
      // A control plane with an agent token accepts agents; an agent itself does not.
      if (!agentOf && settings.controlPlaneToken) {
        await root.register(agentRoutes, { prefix: '/api/v1', service, engine, agentToken: settings.controlPlaneToken, accounts: sharedAccounts });
      }
    },
  });

  let address: string;
  try {
    address = await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    // e.g. EADDRINUSE: leave nothing open behind the error.
    await app.close();
    await checkpointer.stop();
    store.close();
    throw error;
  }
  warn = (message) => {
    app.log.warn(message);
  };
  const url = address.replace('[::]', '[::1]').replace('0.0.0.0', '127.0.0.1');
  const advertisedUrl = settings.advertiseUrl ?? url;
  const heartbeat = () => store.gateways.touch({ id: settings.gatewayId, version: GATEWAY_VERSION, address: advertisedUrl }, new Date().toISOString());
  heartbeat();
  const heartbeatTimer = setInterval(heartbeat, GATEWAY_HEARTBEAT_MS).unref();
  if (secretKey) app.log.info({ secretKeyFile: secretKey.file }, `shared accounts are encrypted with the key in ${secretKey.file}${secretKey.source === 'generated' ? ' (generated, mode 0600; back it up with the database)' : ''}`);
  if (connectTiming.source === 'kernel') app.log.info('connect times: the kernel\'s handshake round trip (TCP_INFO)');
  else app.log.warn(`connect times: timed in JavaScript, event-loop delays included (${connectTiming.reason})`);
  const { maxInFlight, source, openFilesLimit, descriptorCap } = inFlightCap;
  app.log.info({ maxInFlight, source, openFilesLimit, descriptorCap }, `checks in flight: at most ${maxInFlight} (${source === 'setting' ? 'GATEWAY_MAX_IN_FLIGHT' : source === 'fallback' ? 'open-file limit unknown: the fallback' : `sized to the ${source === 'memory' ? 'memory' : 'open-file limit'}`})`);
  if (inFlightCap.warning !== null) app.log.warn(inFlightCap.warning);
  engine.start();
  const agent = agentOf
    ? new AgentSync({
      controlPlaneUrl: agentOf,
      token: settings.controlPlaneToken!,
      gatewayId: settings.gatewayId,
      version: GATEWAY_VERSION,
      advertisedUrl,
      service,
      engine,
      log: app.log,
    })
    : null;
  agent?.start();
  ready = true;

  return {
    app,
    service,
    engine,
    metrics,
    token,
    secretKey,
    accounts,
    url,
    async close() {
      ready = false;
      clearInterval(heartbeatTimer);
      await agent?.stop();
      await app.close();
      await engine.stop();
      accounts.close();
      await metrics.shutdown();
      await checkpointer.stop();
      store.close();
    },
  };
}
