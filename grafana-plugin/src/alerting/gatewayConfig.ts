// What the rules are made from, read from the gateway: one server with all its probes, or every server and probe,
// and the gateways' teams.
import { listGateways } from '../api/gateways';
import { getServer, listAllServers } from '../api/servers';
import { listProbes } from '../api/probes';
import type { Probe, ProbeServer } from '../api/types';
import type { AlertingGateway } from './mapping';

/** The gateway's largest page. */
const MAX_PAGE = 1000;

export async function listAllProbes(serverId: number): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (;;) {
    const page = await listProbes(serverId, { limit: MAX_PAGE, offset: probes.length });
    probes.push(...page.items);
    if (page.items.length === 0 || probes.length >= page.total) return probes;
  }
}

export interface ServerConfig {
  server: ProbeServer;
  probes: Probe[];
}

/** A server and its probes; null when the server does not exist (any more). */
export async function loadServerConfig(serverId: number): Promise<ServerConfig | null> {
  let server: ProbeServer;
  try {
    server = await getServer(serverId);
  } catch (error) {
    if ((error as { kind?: string }).kind === 'notFound') return null;
    throw error;
  }
  return { server, probes: await listAllProbes(serverId) };
}

/** Each location's team: the path alerts (TcpProbePathDown) of servers on several gateways go to it. */
export async function loadGatewayTeams(): Promise<AlertingGateway[]> {
  return (await listGateways()).items.map(({ id, team }) => ({ id, team }));
}

export interface FullConfig {
  servers: ProbeServer[];
  probes: Probe[];
  gateways: AlertingGateway[];
}

/** Every server and probe; the probes of a few servers at a time. */
export async function loadFullConfig(): Promise<FullConfig> {
  const servers = await listAllServers();
  const probes: Probe[] = [];
  const queue = servers.filter((server) => server.probeCount > 0);
  const workers = Array.from({ length: Math.min(4, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) probes.push(...(await listAllProbes(next.id)));
  });
  const [gateways] = await Promise.all([loadGatewayTeams(), ...workers]);
  return { servers, probes, gateways };
}
