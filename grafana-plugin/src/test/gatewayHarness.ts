// Real probekit gateways for tests: the gateway's own code (gateway/src/start.ts, readSettings from settings.ts) with
// a fresh SQLite folder, listening on 127.0.0.1 with an OS-chosen port, run in a worker thread of this test process
// (gatewayHost.mjs explains why a thread). Tests arrange data through `seed` (plain HTTP with the token, like curl)
// and exercise the plugin's own client through Grafana's proxy (grafanaRuntime.ts), so arranging never depends on
// the code under test.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Probe, ProbeInput, ProbeServer, Schedule, ScheduleInput, ServerInput } from '../api/types';

export const TEST_GATEWAY_TOKEN = 'plugin-test-token-0123456789';
export const TEST_GATEWAY_ID = 'gw-test';

export interface TestGateway {
  /** Base URL, e.g. http://127.0.0.1:41234 (what an admin types as the app's gateway URL). */
  url: string;
  token: string;
  /** GATEWAY_ID: the `gateway` every new server defaults to. */
  gatewayId: string;
  /** Direct HTTP to the gateway with the token, for arranging and checking state outside the plugin. */
  seed: GatewaySeed;
  /** Stops the gateway and removes its data folder. */
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

interface HostReply {
  id?: number;
  ok?: boolean;
  ready?: boolean;
  result?: unknown;
  error?: string;
}

/** One worker per test file hosts every gateway the file starts; it loads the gateway's code once. */
class GatewayHost {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(join(here, 'gatewayHost.mjs'), { workerData: { gatewaySrc: resolve(here, '../../../gateway/src') } });
    this.worker.unref();
    this.ready = new Promise((resolveReady, rejectReady) => {
      this.worker.once('error', rejectReady);
      this.worker.on('message', (reply: HostReply) => {
        if (reply.ready) return resolveReady();
        const waiter = this.pending.get(reply.id ?? 0);
        if (!waiter) return;
        this.pending.delete(reply.id ?? 0);
        if (reply.ok) waiter.resolve(reply.result);
        else waiter.reject(new Error(`gateway host: ${reply.error}`));
      });
    });
  }

  async call<T>(message: Record<string, unknown>): Promise<T> {
    await this.ready;
    const id = this.nextId++;
    return new Promise<T>((resolveCall, rejectCall) => {
      this.pending.set(id, { resolve: resolveCall as (value: unknown) => void, reject: rejectCall });
      this.worker.postMessage({ ...message, id });
    });
  }
}

let host: GatewayHost | undefined;

/**
 * Starts a gateway. `env` adds or overrides GATEWAY_* settings, e.g. `{ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' }`;
 * the defaults are loopback, port 0, GATEWAY_ID gw-test, TEST_GATEWAY_TOKEN and time zone UTC.
 */
export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  host ??= new GatewayHost();
  const started = await host.call<{ key: string; url: string; token: string; gatewayId: string }>({
    type: 'start',
    env: {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_ID: TEST_GATEWAY_ID,
      GATEWAY_API_TOKEN: TEST_GATEWAY_TOKEN,
      GATEWAY_TIME_ZONE: 'UTC',
      ...env,
    },
  });
  const gatewayHost = host;
  return {
    url: started.url,
    token: started.token,
    gatewayId: started.gatewayId,
    seed: new GatewaySeed(started.url, started.token),
    close: () => gatewayHost.call({ type: 'close', key: started.key }),
  };
}

/** Arranges gateway state over HTTP; throws with the gateway's message on any non-2xx answer. */
export class GatewaySeed {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  createServer(input: ServerInput): Promise<ProbeServer> {
    return this.request('POST', '/api/v1/servers', input);
  }

  updateServer(id: number, patch: Partial<ServerInput>): Promise<ProbeServer> {
    return this.request('PATCH', `/api/v1/servers/${id}`, patch);
  }

  getServer(id: number): Promise<ProbeServer> {
    return this.request('GET', `/api/v1/servers/${id}`);
  }

  /** Status code of GET /api/v1/servers/{id}: 200 while it exists, 404 after a delete. */
  async serverStatus(id: number): Promise<number> {
    const response = await fetch(`${this.baseUrl}/api/v1/servers/${id}`, { headers: this.headers() });
    await response.body?.cancel();
    return response.status;
  }

  createProbe(serverId: number, input: ProbeInput): Promise<Probe> {
    return this.request('POST', `/api/v1/servers/${serverId}/probes`, input);
  }

  createSchedule(input: ScheduleInput): Promise<Schedule> {
    return this.request('POST', '/api/v1/schedules', input);
  }

  /** Runs a probe now so that /status has a result for it. */
  runProbe(id: number): Promise<unknown> {
    return this.request('POST', `/api/v1/probes/${id}/run`);
  }

  /** Any request; throws with the gateway's answer unless it is 2xx. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.send(method, path, body);
    if (status < 200 || status > 299) throw new Error(`seed ${method} ${path}: ${status} ${JSON.stringify(answer)}`);
    return answer as T;
  }

  /** Any request; returns status and parsed body whatever the status. */
  async send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: this.headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  private headers(json = false): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...(json ? { 'content-type': 'application/json' } : {}) };
  }
}
