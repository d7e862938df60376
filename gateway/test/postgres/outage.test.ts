// A database that goes away: PgDatabase answers StoreUnavailableError within its timeouts, never hangs, and carries
// on with the same pool once the database is back.
import { createServer, Socket, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, PgDatabase } from '../../src/store/sql/postgres.js';
import { StoreUnavailableError, type SqlDatabase } from '../../src/store/sql/types.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

let cluster: TestPostgres;
beforeAll(async () => { cluster = await startPostgres(); });
afterAll(async () => { await cluster?.dispose(); });

async function failsUnavailable(operation: Promise<unknown>): Promise<number> {
  const started = Date.now();
  const error = await operation.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StoreUnavailableError);
  return Date.now() - started;
}

describe('a stopped cluster', () => {
  let db: SqlDatabase;
  beforeAll(async () => {
    db = await openPostgres({ url: await cluster.createDatabase(), replicaId: 'a' });
    await db.run('CREATE TABLE notes (text text NOT NULL)');
  });
  afterAll(async () => { await db?.close(); });

  it('fails fast while it is down, and works again with the same pool after it returns', async () => {
    // Idle connections in the pool when it goes: they must be dropped, not handed out dead, nor crash the process.
    await Promise.all([1, 2, 3].map(() => db.value('SELECT pg_sleep(0.05)')));
    await cluster.stop();
    try {
      expect(await failsUnavailable(db.value('SELECT 1'))).toBeLessThan(5000);
      expect(await failsUnavailable(db.run('INSERT INTO notes (text) VALUES (?)', ['lost']))).toBeLessThan(5000);
      expect(await failsUnavailable(db.transaction((tx) => tx.run('INSERT INTO notes (text) VALUES (?)', ['lost'])))).toBeLessThan(5000);
      expect(await failsUnavailable(db.ping(500))).toBeLessThan(1000);
      const error = await db.value('SELECT 1').catch((e: Error) => e);
      expect((error as Error).message).toMatch(/^the configuration database is unavailable \(connection refused\); try again shortly$/);
    } finally {
      await cluster.start();
    }
    await db.ping(1000);
    await db.run('INSERT INTO notes (text) VALUES (?)', ['kept']);
    expect(await db.column('SELECT text FROM notes')).toEqual(['kept']);
  });

  it('fails a transaction whose connection is cut between two statements, and the next one works', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let started!: () => void;
    const begun = new Promise<void>((resolve) => { started = resolve; });
    const cut = db.transaction(async (tx) => {
      await tx.run('INSERT INTO notes (text) VALUES (?)', ['cut']);
      started();
      await gate;
      await tx.run('INSERT INTO notes (text) VALUES (?)', ['cut too']);
    });
    await begun;
    await cluster.stop();
    await cluster.start();
    release();
    await failsUnavailable(cut);
    expect(await db.value('SELECT count(*) FROM notes WHERE text LIKE ?', ['cut%'])).toBe(0);
  });
});

/** Forwards TCP to the cluster until frozen: then it keeps the connections open and passes nothing, like a cut network. */
async function freezableProxy(port: number): Promise<{ port: number; freeze(): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    client.on('error', () => {});
    upstream.on('error', () => client.destroy());
    upstream.connect(port, '127.0.0.1');
    client.on('data', (chunk) => { if (!frozen) upstream.write(chunk); });
    upstream.on('data', (chunk) => { if (!frozen) client.write(chunk); });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    freeze: () => { frozen = true; },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a database that stops answering', () => {
  it('times out queries, connects and pings instead of hanging', async () => {
    const database = new URL(await cluster.createDatabase()).pathname.slice(1);
    const proxy = await freezableProxy(cluster.port);
    const url = cluster.urlFor(database).replace(`:${cluster.port}/`, `:${proxy.port}/`);
    const db = new PgDatabase({ url, replicaId: 'a', connectTimeoutMs: 1000, statementTimeoutMs: 1000 });
    try {
      expect(await db.value('SELECT 1')).toBe(1);
      proxy.freeze();
      // The pooled connection: its query gets no answer (query_timeout).
      expect(await failsUnavailable(db.value('SELECT 2'))).toBeLessThan(4000);
      // New connections: no answer to the start-up message (connect timeout).
      expect(await failsUnavailable(db.transaction((tx) => tx.value('SELECT 3')))).toBeLessThan(4000);
      expect(await failsUnavailable(db.ping(300))).toBeLessThan(1000);
    } finally {
      await proxy.close();
      await db.close();
    }
  });
});
