// An agent's link to its control plane: pulls its configuration (long-poll), keeps it on disk, heartbeats results.
import type { FastifyBaseLogger } from 'fastify';
import type { ConfigService } from '../domain/config-service.js';
import type { ProbeEngine } from '../engine/probe-engine.js';
import { agentKey } from '../secrets/cipher.js';
import { agentAccountValues, type AgentSnapshot } from './agent-snapshot.js';
import { signedHeaders } from './signature.js';

export interface AgentSyncOptions {
  controlPlaneUrl: string;
  token: string;
  gatewayId: string;
  version: string;
  /** Where Prometheus reaches this agent's /metrics. */
  advertisedUrl: string;
  service: ConfigService;
  engine: ProbeEngine;
  log: FastifyBaseLogger;
  heartbeatMs?: number;
  /** How long the control plane may hold a config poll open. */
  pollWaitSeconds?: number;
}

// Short enough that an agent is back within seconds of the control plane; a failed poll costs next to nothing.
const MAX_BACKOFF_MS = 5_000;

export class AgentSync {
  private readonly abort = new AbortController();
  private etag: string | null = null;
  /** What the control plane seals this agent's account material with; derived, never sent. */
  private readonly accountKey: Buffer;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pollLoop: Promise<void> | null = null;
  /** Time of the last successful exchange with the control plane, for /readyz-style status. */
  lastContactAt: number | null = null;

  constructor(private readonly options: AgentSyncOptions) {
    this.accountKey = agentKey(options.token, options.gatewayId);
  }

  start(): void {
    this.pollLoop = this.poll();
    const beat = () => {
      this.heartbeat().finally(() => {
        if (!this.abort.signal.aborted) this.heartbeatTimer = setTimeout(beat, this.options.heartbeatMs ?? 5000);
      });
    };
    beat();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    await this.pollLoop;
  }

  private async poll(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const path = `/api/v1/agent/config?wait=${this.options.pollWaitSeconds ?? 25}`;
        const response = await this.request('GET', path, '', this.etag ? { 'if-none-match': this.etag } : {});
        if (response.status === 200) {
          this.applySnapshot((await response.json()) as AgentSnapshot);
          this.etag = response.headers.get('etag');
        } else if (response.status !== 304) {
          throw new Error(`control plane answered ${response.status}: ${await response.text()}`);
        }
        this.lastContactAt = Date.now();
        failures = 0;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        failures++;
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
        this.options.log.warn({ err: error, retryInMs: delay }, 'cannot reach the control plane; probing goes on with the last configuration');
        await sleep(delay, this.abort.signal);
      }
    }
  }

  /** Writes the snapshot to the local store (the cache an agent restarts from) and lets the engine follow. */
  private applySnapshot(snapshot: AgentSnapshot): void {
    const { service, log } = this.options;
    const { accounts: sealedAccounts, ...config } = snapshot;
    const accounts = sealedAccounts && agentAccountValues(sealedAccounts, this.accountKey);
    // The accounts' material stays sealed on disk; it is opened in memory when a check needs it.
    const diff = service.store.transaction(() => {
      const applied = service.store.snapshots.apply(config);
      if (accounts) service.store.sharedAccounts.replaceAll(accounts.values, 'control plane', new Date().toISOString());
      return applied;
    });
    service.announce({ serverIds: diff.serverIds, removedProbeIds: diff.removedProbeIds });
    for (const { name, reason } of accounts?.refused ?? []) log.warn({ account: name }, `shared account "${name}" from the control plane is not usable: ${reason}`);
    log.info({ servers: snapshot.servers.length, probes: snapshot.probes.length, accounts: accounts?.values.length }, 'configuration from the control plane applied');
  }

  private async heartbeat(): Promise<void> {
    const reports = this.options.engine.takeReports();
    const body = JSON.stringify({ version: this.options.version, address: this.options.advertisedUrl, reports });
    try {
      const response = await this.request('POST', '/api/v1/agent/heartbeat', body, { 'content-type': 'application/json' });
      if (!response.ok) throw new Error(`control plane answered ${response.status}: ${await response.text()}`);
      this.lastContactAt = Date.now();
    } catch (error) {
      if (this.abort.signal.aborted) return;
      // The reports are lost; the next heartbeat carries newer ones for probes that run again.
      this.options.log.debug({ err: error }, 'heartbeat failed');
    }
  }

  private request(method: string, path: string, body: string, headers: Record<string, string>): Promise<Response> {
    const { controlPlaneUrl, token, gatewayId } = this.options;
    return fetch(new URL(path, controlPlaneUrl), {
      method,
      body: method === 'GET' ? undefined : body,
      headers: { ...headers, ...signedHeaders(token, gatewayId, method, path, body) },
      signal: this.abort.signal,
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
