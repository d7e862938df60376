// The gateways (probing locations) and the answering gateway's readiness.
import { gatewayRequest } from './client';
import type { GatewayInfo, GatewayPatch, GatewaysResponse, Readiness } from './types';

export function listGateways(): Promise<GatewaysResponse> {
  return gatewayRequest('/api/v1/gateways');
}

/** Sets the team a location's path alerts go to (null: the threshold's team); admins only. */
export function updateGateway(id: string, patch: GatewayPatch): Promise<GatewayInfo> {
  return gatewayRequest(`/api/v1/gateways/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
}

/** GET /readyz (no token needed): resolves when ready, rejects with a `notReady` GatewayError on 503. */
export function getReadiness(): Promise<Readiness> {
  return gatewayRequest('/readyz');
}
