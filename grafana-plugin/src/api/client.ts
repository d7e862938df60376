// The one way the plugin talks to its gateway: Grafana's backend service, through the app's `gateway/*` proxy route,
// which adds the API token and the signed-in user on Grafana's server.
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { GATEWAY_PROXY_URL } from '../constants';
import { toGatewayError } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | null | undefined;

export interface GatewayRequest {
  method?: HttpMethod;
  /** Query parameters; undefined, null and '' are left out. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
}

/** `?a=1&b=x` from the set parameters, in the given order; '' when none is set. */
export function toQueryString(query: Record<string, QueryValue> = {}): string {
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/**
 * Calls the gateway at `path` (e.g. `/api/v1/servers`) and returns the parsed body; rejects with a GatewayError.
 * Grafana's own error toasts are off: every caller shows the error where it happened.
 */
export async function gatewayRequest<T>(path: string, request: GatewayRequest = {}): Promise<T> {
  const method = request.method ?? 'GET';
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${GATEWAY_PROXY_URL}${path}${toQueryString(request.query)}`,
        method,
        // Grafana's backend service sends an object body as JSON with Content-Type application/json.
        data: request.body,
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    return response.data;
  } catch (error) {
    throw toGatewayError(error);
  }
}
