// /api/v1/gateways: the probing locations and when each was last seen.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorResponses } from '../schemas/common.js';
import { GatewayInfo, GatewayParams, GatewayPatch } from '../schemas/gateway.js';
import type { ConfigService } from '../domain/config-service.js';
import { editor, type ApiOptions } from './context.js';

/** A gateway heartbeats every 15 s; one that has been silent for four beats is offline. */
export const GATEWAY_HEARTBEAT_MS = 15_000;
export const GATEWAY_OFFLINE_AFTER_MS = 4 * GATEWAY_HEARTBEAT_MS;

/** A gateway is online when it is this one or was seen within GATEWAY_OFFLINE_AFTER_MS. */
export function isGatewayOnline(gateway: { id: string; lastSeenAt: string | null }, selfId: string, nowMs: number): boolean {
  return gateway.id === selfId || (gateway.lastSeenAt !== null && nowMs - Date.parse(gateway.lastSeenAt) < GATEWAY_OFFLINE_AFTER_MS);
}

/** Every gateway anyone knows of: those that announced themselves, and names only servers use or a team was set on. */
export async function listGateways(service: ConfigService, nowMs: number): Promise<GatewayInfo[]> {
  const { store } = service;
  const [usage, teams, registered] = await Promise.all([store.servers.gatewayUsage(), store.gateways.teams(), store.gateways.all()]);
  const known = new Set(registered.map((g) => g.id));
  const unseen = [...new Set([...usage.keys(), ...teams.keys()])].filter((id) => !known.has(id) && id !== service.gatewayId);
  const items: GatewayInfo[] = [
    ...registered.map((gateway) => {
      const online = isGatewayOnline(gateway, service.gatewayId, nowMs);
      return { ...gateway, online, state: online ? 'online' as const : 'offline' as const, serverCount: usage.get(gateway.id) ?? 0, self: gateway.id === service.gatewayId };
    }),
    ...unseen.map((id) => ({
      id, version: null, address: null, registeredAt: null, lastSeenAt: null, online: false, state: 'never_seen' as const,
      self: false, team: teams.get(id) ?? null, serverCount: usage.get(id) ?? 0,
    })),
  ];
  return items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
  }, async () => (await service.store.gateways.all()).flatMap((gateway) => {
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
    schema: {
      tags: ['gateways'],
      summary: 'List gateways: those that announced themselves and those servers name that never did (state never_seen)',
      response: { 200: Type.Object({ items: Type.Array(GatewayInfo) }), ...ErrorResponses },
    },
  }, async () => ({ items: await listGateways(service, Date.now()) }));

  app.patch('/gateways/:id', {
    schema: {
      tags: ['gateways'],
      summary: "Set a gateway's team: where its path alerts go (it need not have announced itself yet)",
      params: GatewayParams,
      body: GatewayPatch,
      response: { 200: GatewayInfo, ...ErrorResponses },
    },
  }, async (request) => {
    service.assertWritable();
    await service.store.gateways.setTeam(request.params.id, request.body.team, editor(request), service.timestamp());
    return (await listGateways(service, Date.now())).find((gateway) => gateway.id === request.params.id)!;
  });
};
