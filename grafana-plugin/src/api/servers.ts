// Probe servers: /api/v1/servers.
import { gatewayRequest } from './client';
import type { DeleteServerResponse, Page, ProbeServer, ServerInput, ServerPatch, ServerQuery } from './types';

/** The gateway's largest page. */
const MAX_PAGE = 1000;

export function listServers(query: ServerQuery = {}): Promise<Page<ProbeServer>> {
  return gatewayRequest('/api/v1/servers', { query: { ...query } });
}

/** Every server matching the filters, fetched page by page. */
export async function listAllServers(query: Omit<ServerQuery, 'limit' | 'offset'> = {}): Promise<ProbeServer[]> {
  const servers: ProbeServer[] = [];
  for (;;) {
    const page = await listServers({ ...query, limit: MAX_PAGE, offset: servers.length });
    servers.push(...page.items);
    if (page.items.length === 0 || servers.length >= page.total) return servers;
  }
}

export function getServer(id: number): Promise<ProbeServer> {
  return gatewayRequest(`/api/v1/servers/${id}`);
}

export function createServer(input: ServerInput): Promise<ProbeServer> {
  return gatewayRequest('/api/v1/servers', { method: 'POST', body: input });
}

/** Changes the given fields; send the `version` you loaded to get 409 instead of overwriting someone else's change. */
export function updateServer(id: number, patch: ServerPatch): Promise<ProbeServer> {
  return gatewayRequest(`/api/v1/servers/${id}`, { method: 'PATCH', body: patch });
}

/** Replaces the whole server: fields left out (e.g. thresholds) take their defaults. */
export function replaceServer(id: number, input: ServerInput): Promise<ProbeServer> {
  return gatewayRequest(`/api/v1/servers/${id}`, { method: 'PUT', body: input });
}

/** Deletes the server and all its probes. */
export function deleteServer(id: number): Promise<DeleteServerResponse> {
  return gatewayRequest(`/api/v1/servers/${id}`, { method: 'DELETE' });
}
