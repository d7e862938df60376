// Generates an import document (POST /api/v1/import) with many probes spread over targets: the fastest way to create them.
import type { ConfigDocument } from '../../src/schemas/config-document.js';
import type { Target } from './listeners.js';

export interface FleetOptions {
  probes: number;
  intervalSeconds: number;
  timeoutMs: number;
  targets: Target[];
  /** Probes per server; 25 is a typical SAP system (dispatchers, gateways, message servers). */
  probesPerServer?: number;
  /** Prefix of server names, so a second document can add servers without touching the first's. */
  prefix?: string;
  /**
   * Each server's locations; rotated by one per server, so the gateway under test holds every slot (phase) in turn.
   * Left out: the server runs from the importing gateway alone.
   */
  gateways?: string[];
}

/** Realistic label lengths: the names end up in every series of /metrics. */
export function fleetDocument(options: FleetOptions): ConfigDocument {
  const perServer = options.probesPerServer ?? 25;
  const prefix = options.prefix ?? 'bench';
  const servers: NonNullable<ConfigDocument['servers']> = [];
  for (let first = 0; first < options.probes; first += perServer) {
    const index = servers.length;
    const probes = [];
    for (let i = first; i < Math.min(options.probes, first + perServer); i++) {
      const target = options.targets[i % options.targets.length]!;
      probes.push({
        name: `dispatcher ${index}-${i - first}`,
        host: target.host,
        port: target.port,
        intervalSeconds: options.intervalSeconds,
        timeoutMs: options.timeoutMs,
      });
    }
    const locations = options.gateways && [...options.gateways.slice(index % options.gateways.length), ...options.gateways.slice(0, index % options.gateways.length)];
    servers.push({ name: `${prefix} SAP ERP production ${index}`, role: 'production', site: 'Frankfurt', ...(locations ? { gateways: locations } : {}), probes });
  }
  return { apiVersion: 'probekit/v1', kind: 'Configuration', servers };
}
