// An agent's link to its control plane: pulls its configuration (long-poll), keeps it on disk, heartbeats results.
import type { FastifyBaseLogger } from 'fastify';
import type { ConfigService } from '../domain/config-service.js';
import type { ProbeEngine } from '../engine/probe-engine.js';
import { agentKey } from '../secrets/cipher.js';
import { agentAccountValues, type AgentSnapshot } from './agent-snapshot.js';
import { ControlPlaneUrls } from './control-plane-urls.js';
import { signedHeaders } from './signature.js';

export interface AgentSyncOptions {
  /** The control plane's replicas, the preferred one first. */
  controlPlaneUrls: string[];
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
/** A replica that accepted a request and then says nothing is as good as down: give up on it after this. */
const REQUEST_TIMEOUT_MS = 10_000;

export class AgentSync {
  private readonly abort = new AbortController();
  private etag: string | null = null;
  /** What the control plane seals this agent's account material with; derived, never sent. */
  private readonly accountKey: Buffer;
  private readonly urls: ControlPlaneUrls;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pollLoop: Promise<void> | null = null;
  /** Time of the last successful exchange with the control plane, for /readyz-style status. */
  lastContactAt: number | null = null;

  constructor(private readonly options: AgentSyncOptions) {
    this.accountKey = agentKey(options.token, options.gatewayId);
    this.urls = new ControlPlaneUrls(options.controlPlaneUrls, ({ from, to, kind }) => {
      if (kind === 'return') options.log.info({ from, to }, `control plane ${to} answers again; switching back to it from ${from}`);
      else options.log.warn({ from, to }, `control plane ${from} does not answer; switching to ${to}`);
    });
  }

  /** The control-plane URL requests go to now. */
  get currentUrl(): string {
    return this.urls.currentUrl;
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
    let answerFailures = 0;
    while (!this.abort.signal.aborted) {
      const url = this.urls.pick(Date.now());
      try {
        const snapshot = await this.fetchSnapshot(url);
        this.urls.succeeded(url);
        this.lastContactAt = Date.now();
        if (snapshot) await this.applySnapshot(snapshot.body, snapshot.etag);
        answerFailures = 0;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        let failures: number;
        if (error instanceof ControlPlaneTrouble) {
          if (!this.urls.failed(url, Date.now())) continue;
          failures = this.urls.exhaustedRounds;
        } else {
          failures = ++answerFailures;
        }
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
        this.options.log.warn({ err: error, url, retryInMs: delay }, 'no configuration from the control plane; probing goes on with the last one');
        await sleep(delay, this.abort.signal);
      }
    }
  }

  /** One long poll at `url`: the new snapshot, or null when it has not changed. */
  private async fetchSnapshot(url: string): Promise<{ body: AgentSnapshot; etag: string | null } | null> {
    const waitSeconds = this.options.pollWaitSeconds ?? 25;
    const path = `/api/v1/agent/config?wait=${waitSeconds}`;
    const headers: Record<string, string> = this.etag ? { 'if-none-match': this.etag } : {};
    return this.exchange(url, 'GET', path, '', headers, waitSeconds * 1000 + REQUEST_TIMEOUT_MS, async (response) => {
      if (response.status === 304) return null;
      return { body: (await response.json()) as AgentSnapshot, etag: response.headers.get('etag') };
    });
  }

  /** Writes the snapshot to the local store (the cache an agent restarts from) and lets the engine follow. */
  private async applySnapshot(snapshot: AgentSnapshot, etag: string | null): Promise<void> {
    const { service, log } = this.options;
    const { accounts: sealedAccounts, ...config } = snapshot;
    const accounts = sealedAccounts && agentAccountValues(sealedAccounts, this.accountKey);
    // The accounts' material stays sealed on disk; it is opened in memory when a check needs it.
    const diff = await service.store.transaction(async (tx) => {
      const applied = await tx.snapshots.apply(config);
      if (accounts) await tx.sharedAccounts.replaceAll(accounts.values, 'control plane', new Date().toISOString());
      return applied;
    });
    this.etag = etag;
    service.announce({ serverIds: diff.serverIds, removedProbeIds: diff.removedProbeIds });
    for (const { name, reason } of accounts?.refused ?? []) log.warn({ account: name }, `shared account "${name}" from the control plane is not usable: ${reason}`);
    log.info({ servers: snapshot.servers.length, probes: snapshot.probes.length, accounts: accounts?.values.length }, 'configuration from the control plane applied');
  }

  private async heartbeat(): Promise<void> {
    const reports = this.options.engine.takeReports();
    const body = JSON.stringify({ version: this.options.version, address: this.options.advertisedUrl, reports });
    const url = this.urls.pick(Date.now());
    try {
      await this.exchange(url, 'POST', '/api/v1/agent/heartbeat', body, { 'content-type': 'application/json' }, REQUEST_TIMEOUT_MS, async () => undefined);
      this.urls.succeeded(url);
      this.lastContactAt = Date.now();
    } catch (error) {
      if (this.abort.signal.aborted) return;
      // The reports are lost; the next heartbeat (to the next replica, when this one is in trouble) carries newer ones.
      if (error instanceof ControlPlaneTrouble) this.urls.failed(url, Date.now());
      this.options.log.debug({ err: error, url }, 'heartbeat failed');
    }
  }

  /**
   * One signed request to `base`, its successful answer read by `read`, all within `timeoutMs`. Network errors,
   * timeouts and 5xx answers become ControlPlaneTrouble (another replica may do better); other answers a plain Error.
   */
  private async exchange<T>(base: string, method: string, path: string, body: string, headers: Record<string, string>,
    timeoutMs: number, read: (response: Response) => Promise<T>): Promise<T> {
    const { token, gatewayId } = this.options;
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        method,
        body: method === 'GET' ? undefined : body,
        headers: { ...headers, ...signedHeaders(token, gatewayId, method, path, body) },
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      if (response.ok || response.status === 304) return await read(response);
    } catch (error) {
      throw new ControlPlaneTrouble(describeFailure(error), { cause: error });
    }
    const answer = `control plane answered ${response.status}: ${await response.text().catch(() => '')}`;
    throw response.status >= 500 ? new ControlPlaneTrouble(answer) : new Error(answer);
  }
}

/** A replica's trouble (no answer, too slow, 5xx): worth trying the next one. */
class ControlPlaneTrouble extends Error {}

function describeFailure(error: unknown): string {
  const { name, message, cause } = error as Error & { cause?: Error };
  if (name === 'TimeoutError') return 'no answer in time';
  return cause?.message ? `${message}: ${cause.message}` : message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
