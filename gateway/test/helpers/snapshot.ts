// What a store holds, seen through the API: the export document as bytes, and every object with its version and audit
// fields (the export leaves those out), so a test can prove that a refused request changed nothing at all.
import type { ApiClient } from './gateway.js';

/** GET /api/v1/export exactly as the gateway sends it (no parse/stringify round trip). */
export async function exportText(api: ApiClient, query = ''): Promise<string> {
  const response = await fetch(`${api.baseUrl}/api/v1/export${query}`, { headers: { authorization: `Bearer ${api.token}` } });
  if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
  return response.text();
}

/** Fields the probe engine writes as checks run; they are results, not configuration. */
const RUN_TIME_FIELDS = ['lastResult', 'actualHost', 'actualIpv4', 'actualIp'];

/** Every server, probe and schedule with all its configuration fields (versions, audit stamps), as one JSON string. */
export async function storeState(api: ApiClient): Promise<string> {
  const servers = (await api.get('/api/v1/servers?limit=1000')).body;
  const probes: unknown[] = [];
  for (const server of servers.items as { id: number }[]) {
    const page = (await api.get(`/api/v1/servers/${server.id}/probes?limit=1000`)).body;
    const items = (page.items as Record<string, unknown>[]).map((probe) =>
      Object.fromEntries(Object.entries(probe).filter(([key]) => !RUN_TIME_FIELDS.includes(key))));
    probes.push({ ...page, items });
  }
  const schedules = (await api.get('/api/v1/schedules?limit=1000')).body;
  return JSON.stringify({ servers, probes, schedules });
}

/** Both views at once. */
export async function snapshot(api: ApiClient): Promise<{ exported: string; state: string }> {
  return { exported: await exportText(api), state: await storeState(api) };
}

/** A probe without the fields the engine writes as checks run, for comparing configuration. */
export function probeConfig<T extends Record<string, unknown>>(probe: T): Omit<T, 'lastResult' | 'actualHost' | 'actualIpv4' | 'actualIp'> {
  return Object.fromEntries(Object.entries(probe).filter(([key]) => !RUN_TIME_FIELDS.includes(key))) as Omit<T, 'lastResult' | 'actualHost' | 'actualIpv4' | 'actualIp'>;
}
