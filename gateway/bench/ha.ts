// Bench "ha": configuration writes per second through the API, and how long a change takes to reach an agent,
// on SQLite (one control plane) beside PostgreSQL (two replicas sharing one database; the change is made on the
// replica the agent does not poll, so it travels as a notification).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.js';
import { onCleanup, sleep } from './lib/cleanup.js';
import { BENCH_TOKEN, spawnGateway, type GatewayProcess } from './lib/gateway-process.js';
import { loadAverage } from './lib/proc.js';
import { formatTable, log, row, writeReport, type Row } from './lib/results.js';
import { round, summarize } from './lib/stats.js';

const WRITE_WINDOW_MS = Number(process.env.BENCH_HA_WRITE_MS ?? 10_000);
const CONCURRENCY = 16;
const CHANGES = Number(process.env.BENCH_HA_CHANGES ?? 40);
const AGENT_TOKEN = 'bench-agent-token-0123456789';

interface Setup {
  name: string;
  /** Where writes go. */
  writers: GatewayProcess[];
  /** The replica the agent long-polls (its first URL) and the one changes are made on. */
  polled: GatewayProcess;
  changedOn: GatewayProcess;
  agent: GatewayProcess;
  stop(): Promise<void>;
}

interface WriteFigures {
  perSecond: number;
  latencyMs: ReturnType<typeof summarize>;
  failed: number;
}

/** Creates servers as fast as `clients` sequential clients can, spread over `targets`, for the window. */
async function measureWrites(targets: GatewayProcess[], clients: number, label: string): Promise<WriteFigures> {
  const latencies: number[] = [];
  let failed = 0;
  const until = performance.now() + WRITE_WINDOW_MS;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, lane) => {
    const api = targets[lane % targets.length]!.api;
    for (let i = 0; performance.now() < until; i++) {
      const sent = performance.now();
      const answer = await api.post('/api/v1/servers', { name: `${label}-${lane}-${i}`, gateways: ['nowhere'] });
      if (answer.status === 201) latencies.push(performance.now() - sent);
      else failed++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: latencies.length / seconds, latencyMs: summarize(latencies), failed };
}

/** PATCHes the agent's probe on `changedOn` and times until the agent's own API shows the new version. */
async function measureChangeLatency(setup: Setup, probeId: number): Promise<ReturnType<typeof summarize>> {
  const samples: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const sent = performance.now();
    const answer = await setup.changedOn.api.patch(`/api/v1/probes/${probeId}`, { description: `change ${i}` });
    if (answer.status !== 200) throw new Error(`PATCH answered ${answer.status}`);
    for (;;) {
      const seen = await setup.agent.api.get(`/api/v1/probes/${probeId}`);
      if (seen.status === 200 && seen.body.version >= answer.body.version) break;
      if (performance.now() - sent > 30_000) throw new Error('the change did not reach the agent within 30 s');
      await sleep(5);
    }
    samples.push(performance.now() - sent);
    // Spread the changes over the poll cycle rather than right behind each answer.
    await sleep(50 + Math.random() * 200);
  }
  return summarize(samples);
}

function sharedFiles(): { dir: string; secretKeyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-bench-ha-'));
  onCleanup('bench ha folder', () => rmSync(dir, { recursive: true, force: true }));
  const secretKeyFile = join(dir, 'secret.key');
  writeFileSync(secretKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  return { dir, secretKeyFile };
}

async function startAgent(urls: string[]): Promise<GatewayProcess> {
  return spawnGateway({ env: { GATEWAY_ID: 'bench-agent', GATEWAY_CONTROL_PLANE_URL: urls.join(','), GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN } });
}

async function sqliteSetup(): Promise<Setup> {
  const controlPlane = await spawnGateway({ env: { GATEWAY_ID: 'cp', GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN } });
  const agent = await startAgent([controlPlane.url]);
  return {
    name: 'SQLite, one control plane',
    writers: [controlPlane],
    polled: controlPlane,
    changedOn: controlPlane,
    agent,
    async stop() {
      await agent.stop();
      await controlPlane.stop();
    },
  };
}

async function postgresSetup(postgres: TestPostgres): Promise<Setup> {
  const { secretKeyFile } = sharedFiles();
  const databaseUrl = await postgres.createDatabase();
  const replica = (id: string) => spawnGateway({
    env: {
      GATEWAY_ID: id, GATEWAY_DATABASE_URL: databaseUrl, GATEWAY_SECRET_KEY_FILE: secretKeyFile,
      GATEWAY_API_TOKEN: BENCH_TOKEN, GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
    },
  });
  const cp1 = await replica('cp1');
  const cp2 = await replica('cp2');
  const agent = await startAgent([cp1.url, cp2.url]);
  return {
    name: 'PostgreSQL, two replicas',
    writers: [cp1, cp2],
    polled: cp1,
    changedOn: cp2,
    agent,
    async stop() {
      await agent.stop();
      await Promise.all([cp1.stop(), cp2.stop()]);
    },
  };
}

async function measure(setup: Setup) {
  const server = await setup.changedOn.api.post('/api/v1/servers', { name: 'agent-server', gateways: ['bench-agent'] });
  const probe = await setup.changedOn.api.post(`/api/v1/servers/${server.body.id}/probes`, { name: 'p', host: '127.0.0.1', port: 9, intervalSeconds: 60 });
  if (probe.status !== 201) throw new Error(`probe create answered ${probe.status}`);
  // The agent has its configuration before anything is timed.
  for (let i = 0; (await setup.agent.api.get(`/api/v1/probes/${probe.body.id}`)).status !== 200; i++) {
    if (i > 300) throw new Error('the agent never got its configuration');
    await sleep(100);
  }
  const load = loadAverage();
  const one = await measureWrites([setup.writers[0]!], 1, 'seq');
  const many = await measureWrites(setup.writers, CONCURRENCY, 'conc');
  const change = await measureChangeLatency(setup, probe.body.id);
  return { one, many, change, loadAverage: load };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const postgres = await startPostgres({ durable: true });
  onCleanup('bench postgres', () => {});
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  try {
    // BENCH_HA_DIALECTS=sqlite measures SQLite alone (e.g. to compare a build from before PostgreSQL).
    const dialects = (process.env.BENCH_HA_DIALECTS ?? 'sqlite,postgres').split(',');
    const setups = [...(dialects.includes('sqlite') ? [sqliteSetup] : []), ...(dialects.includes('postgres') ? [() => postgresSetup(postgres)] : [])];
    for (const start of setups) {
      const setup = await start();
      try {
        log(`${setup.name}: measuring`);
        results[setup.name] = await measure(setup);
      } finally {
        await setup.stop();
      }
    }
  } finally {
    await postgres.dispose();
  }
  const rows: Row[] = [];
  for (const [name, r] of Object.entries(results)) {
    rows.push(row(`${name}: writes/s, 1 client (p50 / p99 ms)`, 'info', `${round(r.one.perSecond, 0)} (${round(r.one.latencyMs.p50, 1)} / ${round(r.one.latencyMs.p99, 1)})`, null));
    rows.push(row(`${name}: writes/s, ${CONCURRENCY} clients (p50 / p99 ms)`, 'info', `${round(r.many.perSecond, 0)} (${round(r.many.latencyMs.p50, 1)} / ${round(r.many.latencyMs.p99, 1)})${r.many.failed ? `, ${r.many.failed} failed` : ''}`, r.many.failed === 0));
    rows.push(row(`${name}: change to agent, p50 / p99 / max ms (${r.change.n} changes)`, 'p99 < 1000 ms', `${round(r.change.p50, 0)} / ${round(r.change.p99, 0)} / ${round(r.change.max, 0)}`, r.change.p99 < 1000));
  }
  writeReport('ha', startedAt, rows, { results, windowMs: WRITE_WINDOW_MS, concurrency: CONCURRENCY });
  console.log(formatTable(rows));
}

await main();
