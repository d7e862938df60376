// /api/v1/gateways: the probing locations and when each was last seen.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorResponses } from '../schemas/common.js';
import { GatewayInfo } from '../schemas/gateway.js';
import type { ApiOptions } from './context.js';

/** A gateway heartbeats every 15 s; one that has been silent for four beats is offline. */
export const GATEWAY_HEARTBEAT_MS = 15_000;
export const GATEWAY_OFFLINE_AFTER_MS = 4 * GATEWAY_HEARTBEAT_MS;

export const gatewayRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { service }) => {
  app.get('/gateways', {
    schema: { tags: ['gateways'], summary: 'List gateways', response: { 200: Type.Object({ items: Type.Array(GatewayInfo) }), ...ErrorResponses } },
  }, async () => {
    const now = Date.now();
    return {
      items: service.store.gateways.all().map((gateway) => ({
        ...gateway,
        online: gateway.id === service.gatewayId || now - Date.parse(gateway.lastSeenAt) < GATEWAY_OFFLINE_AFTER_MS,
        self: gateway.id === service.gatewayId,
      })),
    };
  });
};
