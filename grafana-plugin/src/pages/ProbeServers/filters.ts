// Search and filters of the probe server list, and the choices the filters offer. Pure.
import type { ProbeServer } from '../../api/types';

export interface ServerFilters {
  /** Case-insensitive text in name, description, owner or organization (the gateway's `q`). */
  search: string;
  role: string | null;
  site: string | null;
  gateway: string | null;
}

export const NO_FILTERS: ServerFilters = { search: '', role: null, site: null, gateway: null };

export function hasFilters(filters: ServerFilters): boolean {
  return filters.search.trim() !== '' || filters.role !== null || filters.site !== null || filters.gateway !== null;
}

export function filterServers(servers: readonly ProbeServer[], filters: ServerFilters): ProbeServer[] {
  const needle = filters.search.trim().toLowerCase();
  return servers.filter((server) => {
    if (filters.role !== null && server.role !== filters.role) return false;
    if (filters.site !== null && server.site !== filters.site) return false;
    if (filters.gateway !== null && !server.gateways.includes(filters.gateway)) return false;
    if (needle === '') return true;
    return [server.name, server.description, server.owner, server.organization].some((text) => text?.toLowerCase().includes(needle));
  });
}

export interface FilterChoices {
  roles: string[];
  sites: string[];
  gateways: string[];
}

const distinct = (values: Array<string | null>) =>
  [...new Set(values.filter((value): value is string => value !== null && value !== ''))].sort((a, b) => a.localeCompare(b));

/** The values present in the list, sorted: a filter only offers what can match. */
export function filterChoices(servers: readonly ProbeServer[]): FilterChoices {
  return {
    roles: distinct(servers.map((s) => s.role)),
    sites: distinct(servers.map((s) => s.site)),
    gateways: distinct(servers.flatMap((s) => s.gateways)),
  };
}
