// Probes: /api/v1/servers/{id}/probes and /api/v1/probes/{id}.
import { gatewayRequest } from './client';
import type { Page, Probe, ProbeInput, ProbePatch, ProbeQuery } from './types';

export function listProbes(serverId: number, query: ProbeQuery = {}): Promise<Page<Probe>> {
  return gatewayRequest(`/api/v1/servers/${serverId}/probes`, { query: { ...query } });
}

export function getProbe(id: number): Promise<Probe> {
  return gatewayRequest(`/api/v1/probes/${id}`);
}

export function createProbe(serverId: number, input: ProbeInput): Promise<Probe> {
  return gatewayRequest(`/api/v1/servers/${serverId}/probes`, { method: 'POST', body: input });
}

/** Changes the given fields; send the `version` you loaded to get 409 instead of overwriting someone else's change. */
export function updateProbe(id: number, patch: ProbePatch): Promise<Probe> {
  return gatewayRequest(`/api/v1/probes/${id}`, { method: 'PATCH', body: patch });
}

/** Replaces the whole probe: fields left out take their defaults. */
export function replaceProbe(id: number, input: ProbeInput): Promise<Probe> {
  return gatewayRequest(`/api/v1/probes/${id}`, { method: 'PUT', body: input });
}

export async function deleteProbe(id: number): Promise<void> {
  await gatewayRequest<unknown>(`/api/v1/probes/${id}`, { method: 'DELETE' });
}
