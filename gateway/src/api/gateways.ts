// /api/v1/gateways: the probing locations and when each was last seen.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorResponses } from '../schemas/common.js';
import { GatewayInfo } from '../schemas/gateway.js';
import type { ApiOptions } from './context.js';

/** A gateway heartbeats every 15 s; one that has been silent for four beats is offline. */
export const GATEWAY_HEARTBEAT_MS = 15_000;
export const GATEWAY_OFFLINE_AFTER_MS = 4 * GATEWAY_HEARTBEAT_MS;

/** A gateway is online when it is this one or was seen within GATEWAY_OFFLINE_AFTER_MS. */
export function isGatewayOnline(gateway: { id: string; lastSeenAt: string }, selfId: string, nowMs: number): boolean {
  return gateway.id === selfId || nowMs - Date.parse(gateway.lastSeenAt) < GATEWAY_OFFLINE_AFTER_MS;
}

/** One target group of Prometheus' HTTP service discovery. */
const SdTargetGroup = Type.Object({ targets: Type.Array(Type.String()), labels: Type.Record(Type.String(), Type.String()) });

export const gatewayRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { service }) => {
  app.get('/sd/prometheus', {
    schema: {
      tags: ['gateways'],
      summary: "Prometheus HTTP service discovery: every registered gateway's /metrics address",
      response: { 200: Type.Array(SdTargetGroup), ...ErrorResponses },
    },
  }, async () => service.store.gateways.all().flatMap((gateway) => {
    if (!gateway.address) return [];
    const url = new URL(gateway.address);
    return [{
      targets: [url.host],
      // Not a `gateway` target label: the series carry that label themselves, and Prometheus would rename theirs to
      // exported_gateway. The meta label is there for relabelling (e.g. onto `up`).
      labels: { __scheme__: url.protocol.replace(':', ''), __metrics_path__: '/metrics', __meta_probekit_gateway: gateway.id },
    }];
  }));

  app.get('/gateways', {
    schema: { tags: ['gateways'], summary: 'List gateways', response: { 200: Type.Object({ items: Type.Array(GatewayInfo) }), ...ErrorResponses } },
  }, async () => {
    const now = Date.now();
    return {
      items: service.store.gateways.all().map((gateway) => ({
        ...gateway,
        online: isGatewayOnline(gateway, service.gatewayId, now),
        self: gateway.id === service.gatewayId,
      })),
    };
  });
};
