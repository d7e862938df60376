// Two control-plane replicas on one PostgreSQL and one agent, all real processes on loopback: a replica killed in the
// middle of a stream of writes loses none it acknowledged, the agent fails over to the other one and follows changes
// made there, and a 20 s database outage answers 503 without losing anything, then heals on its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/gateway.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { recordingListener } from '../helpers/listeners.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const API_TOKEN = 'replicas-api-token-0123456789';
const AGENT_TOKEN = 'replicas-agent-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'probekit-replicas-'));
const apiTokenFile = join(dir, 'api-token');
const secretKeyFile = join(dir, 'secret.key');
writeFileSync(apiTokenFile, API_TOKEN, { mode: 0o600 });
writeFileSync(secretKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });

let postgres: TestPostgres;
let databaseUrl: string;
const replicas: Record<string, GatewayProcess> = {};
let agent: GatewayProcess;
let target: Awaited<ReturnType<typeof recordingListener>>;
let agentServerId: number;

const startReplica = (id: string, port?: number) => spawnGateway({
  GATEWAY_ID: id,
  GATEWAY_DATABASE_URL: databaseUrl,
  GATEWAY_DATABASE_PASSWORD_FILE: postgres.passwordFile,
  GATEWAY_API_TOKEN_FILE: apiTokenFile,
  GATEWAY_SECRET_KEY_FILE: secretKeyFile,
  GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
  GATEWAY_DB: join(dir, id, 'unused.db'),
  ...(port ? { GATEWAY_PORT: String(port) } : {}),
});
const apiOf = (gateway: GatewayProcess) => new ApiClient(gateway.url, API_TOKEN);
const metricsOf = async (gateway: GatewayProcess) => (await fetch(`${gateway.url}/metrics`)).text();
const probeIdsIn = (text: string) => new Set([...text.matchAll(/^tcpprobe_availability\{[^}]*probe_id="(\d+)"/gm)].map((m) => Number(m[1])));
const checksOf = (text: string) => [...text.matchAll(/^tcpprobe_checks_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = await read();
      if (accept(value)) return value;
    } catch {
      // not answering yet
    }
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value instanceof Set ? [...value] : value)}`);
    await sleep(100);
  }
}

/** Every server whose name starts with `prefix`, read through `gateway`. */
async function serverNames(gateway: GatewayProcess, prefix: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (let offset = 0; ; offset += 500) {
    const page = await apiOf(gateway).get(`/api/v1/servers?q=${encodeURIComponent(prefix)}&limit=500&offset=${offset}`);
    expect(page.status).toBe(200);
    for (const server of page.body.items) if (server.name.startsWith(prefix)) names.add(server.name);
    if (offset + 500 >= page.body.total) return names;
  }
}

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = postgres.urlFor(new URL(await postgres.createDatabase()).pathname.slice(1), false);
  target = await recordingListener();
  // Started together: the migrations run once, under the advisory lock.
  [replicas.cp1, replicas.cp2] = await Promise.all([startReplica('cp1'), startReplica('cp2')]);
  agent = await spawnGateway({
    GATEWAY_ID: 'agent-1', GATEWAY_DB: join(dir, 'agent-1', 'gateway.db'), GATEWAY_API_TOKEN: API_TOKEN,
    GATEWAY_CONTROL_PLANE_URL: `${replicas.cp1!.url},${replicas.cp2!.url}`, GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
  });
  const server = await apiOf(replicas.cp1!).post('/api/v1/servers', { name: 'on-agent', gateways: ['agent-1'] });
  expect(server.status).toBe(201);
  agentServerId = server.body.id;
  const probe = await apiOf(replicas.cp1!).post(`/api/v1/servers/${agentServerId}/probes`, {
    name: 'listener', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500,
  });
  expect(probe.status).toBe(201);
  await eventually(async () => probeIdsIn(await metricsOf(agent)), (ids) => ids.has(probe.body.id));
}, 180_000);

afterAll(async () => {
  await Promise.all([...Object.values(replicas), agent].map((g) => g?.stop('SIGKILL')));
  await target?.close();
  await postgres?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('two control-plane replicas on PostgreSQL and one agent', () => {
  it('shows a write on one replica on the other at once, and lets only one of two PUTs with the same version win', async () => {
    const created = await apiOf(replicas.cp1!).post('/api/v1/servers', { name: 'shared-view', gateways: ['elsewhere'] });
    expect(created.status).toBe(201);
    const seen = await apiOf(replicas.cp2!).get(`/api/v1/servers/${created.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.name).toBe('shared-view');

    const put = (gateway: GatewayProcess, description: string) => apiOf(gateway).put(`/api/v1/servers/${created.body.id}`, {
      name: 'shared-view', gateways: ['elsewhere'], description, version: created.body.version,
    });
    const answers = await Promise.all([put(replicas.cp1!, 'from cp1'), put(replicas.cp2!, 'from cp2')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!;
    expect((await apiOf(replicas.cp1!).get(`/api/v1/servers/${created.body.id}`)).body.description).toBe(winner.body.description);
  });

  it('brings a change made on the replica the agent does not poll to the agent, without waiting for the poll to time out', async () => {
    // The agent long-polls its first URL (cp1); the change goes through cp2 and reaches cp1 as a notification.
    const started = Date.now();
    const probe = await apiOf(replicas.cp2!).post(`/api/v1/servers/${agentServerId}/probes`, {
      name: 'via-cp2', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500,
    });
    expect(probe.status).toBe(201);
    const agentApi = apiOf(agent);
    await eventually(async () => (await agentApi.get(`/api/v1/probes/${probe.body.id}`)).status, (status) => status === 200, 10_000);
    // The poll waits 25 s: arriving well before shows the notification woke it (the bench measures the latency).
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps every write a replica acknowledged before it was killed, and the agent fails over to the survivor', async () => {
    const acknowledged: string[] = [];
    let stop = false;
    const cp1 = apiOf(replicas.cp1!);
    // A stream of writes through cp1, a few at a time, until cp1 stops answering.
    const writer = async (lane: number) => {
      for (let i = 0; !stop; i++) {
        const name = `stream-${lane}-${i}`;
        try {
          const answer = await cp1.post('/api/v1/servers', { name, gateways: ['elsewhere'] });
          if (answer.status === 201) acknowledged.push(name);
        } catch {
          return; // the replica is gone: what it did not answer was not acknowledged
        }
      }
    };
    const lanes = [0, 1, 2, 3].map(writer);
    await eventually(async () => acknowledged.length, (n) => n >= 200, 60_000);
    await replicas.cp1!.stop('SIGKILL');
    stop = true;
    await Promise.all(lanes);

    const survivor = replicas.cp2!;
    expect((await fetch(`${survivor.url}/readyz`)).status).toBe(200);
    const stored = await serverNames(survivor, 'stream-');
    const missing = acknowledged.filter((name) => !stored.has(name));
    console.info(`[replicas] ${acknowledged.length} writes acknowledged by cp1 before SIGKILL, ${stored.size} stored, ${missing.length} missing`);
    expect(missing).toEqual([]);

    // The agent keeps probing its configuration...
    const before = checksOf(await metricsOf(agent));
    await eventually(async () => checksOf(await metricsOf(agent)), (n) => n >= before + 3);
    // ...and follows a change made on the survivor.
    const failedOverAt = Date.now();
    const probe = await apiOf(survivor).post(`/api/v1/servers/${agentServerId}/probes`, {
      name: 'after-failover', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500,
    });
    expect(probe.status).toBe(201);
    await eventually(async () => probeIdsIn(await metricsOf(agent)), (ids) => ids.has(probe.body.id), 20_000);
    console.info(`[replicas] the agent ran a probe added on cp2 ${Date.now() - failedOverAt} ms after it was added`);

    // cp1 comes back on its port; the agent returns to it in the background (its first URL).
    replicas.cp1 = await startReplica('cp1', replicas.cp1!.port);
    expect((await apiOf(replicas.cp1).get(`/api/v1/probes/${probe.body.id}`)).status).toBe(200);
  }, 120_000);

  it('answers 503 and not-ready while PostgreSQL is stopped for 20 s, keeps the agent probing, and heals on its own', async () => {
    const cp2 = apiOf(replicas.cp2!);
    const before = await cp2.post('/api/v1/servers', { name: 'before-outage', gateways: ['elsewhere'] });
    expect(before.status).toBe(201);
    const checksBefore = checksOf(await metricsOf(agent));

    await postgres.stop();
    const outageEnds = Date.now() + 20_000;
    let writesRefused = 0;
    let slowest = 0;
    while (Date.now() < outageEnds) {
      for (const replica of [replicas.cp1!, replicas.cp2!]) {
        expect((await fetch(`${replica.url}/readyz`)).status).toBe(503);
        const sent = Date.now();
        const write = await apiOf(replica).post('/api/v1/servers', { name: `during-outage-${sent}`, gateways: ['elsewhere'] });
        slowest = Math.max(slowest, Date.now() - sent);
        expect(write.status).toBe(503);
        expect(write.body.message).toMatch(/database is unavailable/);
        writesRefused++;
      }
      await sleep(1000);
    }
    console.info(`[replicas] ${writesRefused} writes refused with 503 during the outage, the slowest answer after ${slowest} ms`);
    expect(slowest).toBeLessThan(5_000);
    // The agent probes from its own copy all along.
    expect(checksOf(await metricsOf(agent))).toBeGreaterThanOrEqual(checksBefore + 10);

    await postgres.start();
    for (const replica of [replicas.cp1!, replicas.cp2!]) {
      await eventually(async () => (await fetch(`${replica.url}/readyz`)).status, (status) => status === 200, 30_000);
    }
    const after = await apiOf(replicas.cp1!).post('/api/v1/servers', { name: 'after-outage', gateways: ['elsewhere'] });
    expect(after.status).toBe(201);
    const names = await serverNames(replicas.cp2!, '');
    expect(names.has('before-outage')).toBe(true);
    expect(names.has('after-outage')).toBe(true);
    expect([...names].filter((name) => name.startsWith('during-outage-'))).toEqual([]);

    // And the agent channel works again: a change reaches the agent.
    const probe = await apiOf(replicas.cp2!).post(`/api/v1/servers/${agentServerId}/probes`, {
      name: 'after-outage', host: '127.0.0.1', port: target.port, intervalSeconds: 1, timeoutMs: 500,
    });
    expect(probe.status).toBe(201);
    await eventually(async () => probeIdsIn(await metricsOf(agent)), (ids) => ids.has(probe.body.id), 30_000);
  }, 120_000);
});
