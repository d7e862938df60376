// An agent with two control-plane URLs against real HTTP servers on loopback standing in for two replicas: it moves to
// the second at once when the first refuses connections or answers 5xx, after a timeout when the first hangs, and
// returns to the first once it answers again.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentSync } from '../../src/agents/agent-sync.js';
import { RETURN_AFTER_MS } from '../../src/agents/control-plane-urls.js';
import { SignatureVerifier } from '../../src/agents/signature.js';
import { snapshotTag } from '../../src/api/agents.js';
import { ConfigService } from '../../src/domain/config-service.js';
import { parseAllowlist } from '../../src/domain/targets.js';
import type { ProbeEngine } from '../../src/engine/probe-engine.js';
import { ConfigStore, type GatewaySnapshot } from '../../src/store/index.js';
import { freePort } from '../helpers/prometheus.js';
import { until } from '../helpers/until.js';

const AGENT_TOKEN = 'failover-agent-token-0123456789';
const AGENT_ID = 'agent-1';
const dir = mkdtempSync(join(tmpdir(), 'probekit-failover-'));

/** The control planes' shared database (the replicas stand-ins serve its snapshot and check signatures against it). */
let shared: ConfigStore;
let snapshot: GatewaySnapshot;
let agentFiles = 0;
const cleanups: (() => Promise<void>)[] = [];

interface StandIn {
  url: string;
  /** Times (ms) of the signed requests it accepted, with their paths. */
  requests: { at: number; path: string }[];
  close(): Promise<void>;
}

/** A control-plane replica: the agent's snapshot (304 after a short hold when the agent has it), heartbeats accepted. */
async function standIn(port = 0, status = 200): Promise<StandIn> {
  const verifier = new SignatureVerifier(AGENT_TOKEN, shared.nonces);
  const requests: StandIn['requests'] = [];
  const server: HttpServer = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', async () => {
      const verdict = await verifier.verify(request.headers, request.method!, request.url!, body);
      if (!verdict.ok) return response.writeHead(401).end(verdict.reason);
      requests.push({ at: Date.now(), path: request.url! });
      if (status !== 200) return response.writeHead(status).end('the stand-in is told to fail');
      if (request.url!.startsWith('/api/v1/agent/heartbeat')) return response.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":0}');
      const tag = snapshotTag(snapshot);
      if (request.headers['if-none-match'] === tag) {
        setTimeout(() => response.writeHead(304, { etag: tag }).end(), 200);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', etag: tag }).end(JSON.stringify(snapshot));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A replica that accepts connections and never answers. */
async function hangingReplica(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

interface LogLine { level: string; msg: string; fields: Record<string, unknown> }

function recordingLogger(lines: LogLine[]): FastifyBaseLogger {
  const at = (level: string) => (fields: unknown, msg?: string) => {
    if (typeof fields === 'string') lines.push({ level, msg: fields, fields: {} });
    else lines.push({ level, msg: msg ?? '', fields: fields as Record<string, unknown> });
  };
  const logger = { level: 'debug', trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), silent: () => {} };
  return { ...logger, child: () => logger } as unknown as FastifyBaseLogger;
}

/** An agent (its own SQLite store) syncing from `urls`. */
async function startAgent(urls: string[]) {
  const store = await ConfigStore.open({ kind: 'sqlite', file: join(dir, `agent-${++agentFiles}.db`) });
  const service = new ConfigService(store, { gatewayId: AGENT_ID, allowlist: parseAllowlist(undefined) });
  const log: LogLine[] = [];
  // The link only takes the engine's reports for heartbeats; probing is not this test's subject.
  const engine = { takeReports: () => [] } as unknown as ProbeEngine;
  const sync = new AgentSync({
    controlPlaneUrls: urls, token: AGENT_TOKEN, gatewayId: AGENT_ID, version: 'test', advertisedUrl: 'http://127.0.0.1:1',
    service, engine, log: recordingLogger(log), heartbeatMs: 500, pollWaitSeconds: 1,
  });
  const startedAt = Date.now();
  sync.start();
  cleanups.push(async () => { await sync.stop(); await store.close(); });
  const serverNames = async () => (await store.servers.all()).map((s) => s.name);
  return { sync, log, startedAt, serverNames };
}

beforeAll(async () => {
  shared = await ConfigStore.open({ kind: 'sqlite', file: join(dir, 'shared.db') });
  const service = new ConfigService(shared, { gatewayId: 'cp', allowlist: parseAllowlist(undefined) });
  await service.createServer({ name: 'from-the-control-plane', gateway: AGENT_ID } as never, 'test');
  snapshot = await shared.snapshots.snapshotFor(AGENT_ID, new Date(0).toISOString());
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await shared?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent failover between control-plane URLs', () => {
  it('uses the second URL at once when the first refuses connections, and returns to the first when it is back', async () => {
    const firstPort = await freePort();
    const second = await standIn();
    cleanups.push(() => second.close());
    const agent = await startAgent([`http://127.0.0.1:${firstPort}`, second.url]);

    await until('the configuration from the second replica', async () => ((await agent.serverNames()).includes('from-the-control-plane') ? true : undefined), 5000);
    expect(agent.sync.currentUrl).toBe(second.url);
    // At once: no back-off (its first step is 1 s) between the refused connection and the second replica.
    expect(second.requests[0]!.at - agent.startedAt).toBeLessThan(700);
    const switchLog = agent.log.filter((l) => l.msg.includes('switching to'));
    expect(switchLog).toHaveLength(1);
    expect(switchLog[0]).toMatchObject({ level: 'warn', fields: { from: `http://127.0.0.1:${firstPort}`, to: second.url } });

    const first = await standIn(firstPort);
    cleanups.push(() => first.close());
    const backAt = Date.now();
    await until('the agent back on the first replica', () => (agent.sync.currentUrl === first.url ? true : undefined), RETURN_AFTER_MS + 3000);
    // Not sooner than the first's last failure allows, and within that wait of it answering again.
    expect(first.requests[0]!.at - agent.startedAt).toBeGreaterThanOrEqual(RETURN_AFTER_MS - 50);
    expect(Date.now() - backAt).toBeLessThan(RETURN_AFTER_MS + 3000);
    expect(agent.log.filter((l) => l.msg.includes('switching back'))).toEqual([
      expect.objectContaining({ level: 'info', fields: { from: second.url, to: first.url } }),
    ]);
    // From then on both the poll and the heartbeat go to the first.
    const secondCount = second.requests.length;
    await new Promise((r) => setTimeout(r, 2000));
    expect(second.requests.length - secondCount).toBeLessThanOrEqual(1);
    expect(first.requests.some((r) => r.path.startsWith('/api/v1/agent/config'))).toBe(true);
    expect(first.requests.some((r) => r.path.startsWith('/api/v1/agent/heartbeat'))).toBe(true);
  }, 40_000);

  it('moves on at once from a replica that answers 5xx', async () => {
    const failing = await standIn(0, 503);
    const second = await standIn();
    cleanups.push(() => failing.close(), () => second.close());
    const agent = await startAgent([failing.url, second.url]);
    await until('the configuration from the second replica', async () => ((await agent.serverNames()).length > 0 ? true : undefined), 5000);
    expect(failing.requests.length).toBeGreaterThanOrEqual(1);
    expect(second.requests[0]!.at - failing.requests[0]!.at).toBeLessThan(500);
    expect(agent.sync.currentUrl).toBe(second.url);
  });

  it('gives up on a replica that accepts and never answers after the timeout, then uses the second', async () => {
    const hanging = await hangingReplica();
    const second = await standIn();
    cleanups.push(() => hanging.close(), () => second.close());
    const agent = await startAgent([hanging.url, second.url]);
    await until('the configuration from the second replica', async () => ((await agent.serverNames()).length > 0 ? true : undefined), 15_000);
    expect(hanging.connections()).toBeGreaterThanOrEqual(1);
    // The heartbeat gives up after 10 s, the poll (wait 1 s) after 11 s: whichever does first moves the agent.
    const movedAfter = second.requests[0]!.at - agent.startedAt;
    expect(movedAfter).toBeGreaterThanOrEqual(9_900);
    expect(movedAfter).toBeLessThan(12_000);
    expect(agent.sync.currentUrl).toBe(second.url);
  }, 30_000);

  it('backs off when every URL fails, and keeps trying', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const agent = await startAgent([`http://127.0.0.1:${a}`, `http://127.0.0.1:${b}`]);
    await new Promise((r) => setTimeout(r, 2500));
    const warnings = agent.log.filter((l) => l.msg.startsWith('no configuration from the control plane'));
    // Without a back-off this would be hundreds of attempts; with it a few (1 s, 2 s, ...).
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(3);
    expect(warnings[0]!.fields.retryInMs).toBe(1000);
  });
});
