// The gateways (probing locations) and the answering gateway's readiness.
import { gatewayRequest } from './client';
import type { GatewaysResponse, Readiness } from './types';

export function listGateways(): Promise<GatewaysResponse> {
  return gatewayRequest('/api/v1/gateways');
}

/** GET /readyz (no token needed): resolves when ready, rejects with a `notReady` GatewayError on 503. */
export function getReadiness(): Promise<Readiness> {
  return gatewayRequest('/readyz');
}
