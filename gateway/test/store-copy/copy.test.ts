// Moving a gateway from SQLite to PostgreSQL: a real SQLite store with every kind of row is copied into a real
// PostgreSQL cluster; every row arrives as it was, ids keep going up from where SQLite left them, a target that
// already holds rows is refused and left as it was, and the command line does the same and says so.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeValues, scheduleValues, serverValues } from '../../src/domain/values.js';
import { copyStore } from '../../src/store/copy.js';
import { ConfigStore } from '../../src/store/index.js';
import type { CheckResultView } from '../../src/schemas/check.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const run = promisify(execFile);
const GATEWAY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** npm workspaces install tsx at the repository root. */
const TSX = resolve(GATEWAY_DIR, '../node_modules/.bin/tsx');
const NOW = '2026-03-01T10:00:00.000Z';
const LATER = '2026-03-01T11:00:00.000Z';
const context = { user: 'tester', gatewayId: 'hq' };

/** Every table of the store, with the columns that order its rows the same way on both sides. */
const TABLES: Record<string, string> = {
  gateways: 'id',
  gateway_settings: 'id',
  schedules: 'id',
  shared_accounts: 'id',
  servers: 'id',
  server_gateways: 'server_id, gateway',
  server_moves: 'server_id, moved_at, to_gateway',
  probes: 'id',
  probe_results: 'probe_id, gateway',
  agent_nonces: 'nonce',
};

let pg: TestPostgres;
const folders: string[] = [];

beforeAll(async () => { pg = await startPostgres(); }, 60_000);
afterAll(async () => {
  await pg?.dispose();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-copy-'));
  folders.push(dir);
  return join(dir, 'gateway.db');
}

const openPostgres = async (url: string) => ConfigStore.open({ kind: 'postgres', url, replicaId: 'copy-test' });

function result(gateway: string, checkedAt: string, outcome: 'success' | 'refused'): CheckResultView {
  return {
    outcome, available: outcome === 'success', error: outcome === 'success' ? null : 'connect ECONNREFUSED 10.0.0.5:5432',
    checkedAt, dnsMs: 0.4, connectMs: outcome === 'success' ? 1.25 : null, actualHost: 'db1.corp.example', actualIpv4: '10.0.0.5',
    actualAddress: '10.0.0.5', gateway, actualIp: '10.0.0.5', tls: null, responseMs: null,
  };
}

/**
 * A SQLite store as a gateway that has been in use leaves it: schedules, a shared account, servers on several
 * gateways (one moved), probes with results from two locations, gateway teams, heartbeats, nonces; and a deleted
 * server whose id SQLite remembers.
 */
async function seededSqlite(file: string): Promise<{ highestServerId: number }> {
  const store = await ConfigStore.open({ kind: 'sqlite', file });
  try {
    const office = await store.schedules.create(scheduleValues({
      name: 'office-hours', timeZone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue'], begin: '08:00', end: '18:00' }], exclusions: ['2026-12-24'],
    } as any), 'tester', NOW);
    await store.sharedAccounts.create({
      name: 'corp-pki', description: 'the corporate CA', materialSealed: 'v1.sealed-material-opaque-to-the-store',
      configured: { caBundle: true, clientCert: false, clientKey: false, username: false, password: false },
      certificates: { caBundle: [{ subject: 'CN=Corp CA', issuer: 'CN=Corp CA', notAfter: '2031-01-01T00:00:00.000Z' }], clientCert: null },
    } as any, 'tester', NOW);
    const erp = await store.servers.create(serverValues({ name: 'erp-prod', role: 'production', site: 'fra', gateways: ['hq', 'branch-a'], sharedAccount: 'corp-pki',
      thresholds: [{ kind: 'availability', level: 'critical', for: '5m', consecutiveChecks: 2, team: 'db' }] } as any, context), 'tester', NOW);
    const web = await store.servers.create(serverValues({ name: 'web', gateways: ['hq'] } as any, context), 'tester', NOW);
    const doomed = await store.servers.create(serverValues({ name: 'decommissioned' } as any, context), 'tester', NOW);
    // A move: hq hands web over to branch-b.
    await store.servers.update(web.id, { ...serverValues({ name: 'web', gateways: ['branch-b'] } as any, context) }, web.version, 'tester', LATER);
    const db = await store.probes.create(erp.id, probeValues({ name: 'orders-db', host: 'db1.corp.example', port: 5432, scheduleId: office.id,
      tls: { serverName: 'db1.corp.example', verify: true } } as any, context), 'tester', NOW);
    const smtp = await store.probes.create(erp.id, probeValues({ name: 'smtp', host: 'mx1.corp.example', port: 25, intervalSeconds: 60,
      dialogue: [{ expect: '^220 ' }, { send: 'EHLO probekit\r\n' }, { expect: '^250 ' }] } as any, context), 'tester', NOW);
    await store.probes.create(web.id, probeValues({ name: 'https', host: 'web.corp.example', port: 443, enabled: false } as any, context), 'tester', NOW);
    await store.probes.saveResults([
      { probeId: db.id, result: result('hq', NOW, 'success') },
      { probeId: db.id, result: result('branch-a', LATER, 'refused') },
      { probeId: smtp.id, result: result('hq', NOW, 'success') },
    ]);
    await store.gateways.touch({ id: 'hq', version: '0.1.0', address: 'http://hq:8080' }, NOW);
    await store.gateways.touch({ id: 'branch-a', version: '0.1.0', address: 'http://10.20.0.5:8080' }, LATER);
    await store.gateways.setTeam('branch-a', 'net-fra', 'tester', NOW);
    await store.gateways.setTeam('branch-z', 'net-zrh', 'tester', NOW);
    await store.nonces.remember('n-0123456789abcdef', 'branch-a', Date.parse(LATER));
    await store.servers.delete(doomed.id);
    return { highestServerId: doomed.id };
  } finally {
    await store.close();
  }
}

async function rowsOf(store: ConfigStore, table: string, columns: string[]): Promise<Record<string, unknown>[]> {
  return store.sql.all(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${TABLES[table]}`);
}

async function sqliteColumns(store: ConfigStore, table: string): Promise<string[]> {
  return store.sql.column<string>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`);
}

describe('copyStore: SQLite to an empty PostgreSQL store', () => {
  let file: string;
  let url: string;
  let seeded: { highestServerId: number };

  beforeAll(async () => {
    file = tempFile();
    seeded = await seededSqlite(file);
    url = await pg.createDatabase();
  }, 60_000);

  it('copies every row of every table with its ids, and counts them', async () => {
    const source = await ConfigStore.open({ kind: 'sqlite', file });
    const target = await openPostgres(url);
    try {
      const counts = await copyStore(source, target);
      expect(counts.map((count) => count.table).sort()).toEqual(Object.keys(TABLES).sort());
      // Parents before children, so every foreign key found its row.
      const order = counts.map((count) => count.table);
      expect(order.indexOf('servers')).toBeLessThan(order.indexOf('probes'));
      expect(order.indexOf('probes')).toBeLessThan(order.indexOf('probe_results'));
      expect(order.indexOf('schedules')).toBeLessThan(order.indexOf('probes'));
      for (const table of Object.keys(TABLES)) {
        const columns = await sqliteColumns(source, table);
        const expected = await rowsOf(source, table, columns);
        expect(expected.length, `${table} has rows to copy`).toBeGreaterThan(0);
        expect(counts.find((count) => count.table === table)!.rows, table).toBe(expected.length);
        // Same values; the count columns PostgreSQL gives as numbers already.
        expect(await rowsOf(target, table, columns), table).toEqual(expected);
      }
      // What the gateway reads through its repositories, the same on both.
      expect(await target.servers.all()).toEqual(await source.servers.all());
      expect(await target.probes.all()).toEqual(await source.probes.all());
      expect(await target.schedules.all()).toEqual(await source.schedules.all());
      expect(await target.gateways.all()).toEqual(await source.gateways.all());
      const [erp] = (await target.servers.all()).filter((server) => server.name === 'erp-prod');
      expect(await target.servers.locationsOf(erp!.id)).toEqual(await source.servers.locationsOf(erp!.id));
      const web = (await target.servers.all()).find((server) => server.name === 'web')!;
      expect(await target.servers.lastMove(web.id)).toEqual(await source.servers.lastMove(web.id));
      expect(await target.servers.lastMove(web.id)).toMatchObject({ fromGateway: 'hq', toGateway: 'branch-b' });
    } finally {
      await target.close();
      await source.close();
    }
  });

  it('hands out ids above every id SQLite handed out, a deleted server\'s included', async () => {
    const target = await openPostgres(url);
    try {
      const server = await target.servers.create(serverValues({ name: 'new-after-copy' } as any, context), 'tester', LATER);
      expect(server.id).toBeGreaterThan(seeded.highestServerId);
      const probe = await target.probes.create(server.id, probeValues({ name: 'p', host: '10.0.0.9', port: 22 } as any, context), 'tester', LATER);
      const probeIds = (await target.probes.all()).map((p) => p.id).filter((id) => id !== probe.id);
      expect(probe.id).toBeGreaterThan(Math.max(...probeIds));
      const schedule = await target.schedules.create(scheduleValues({ name: 'nights', timeZone: 'UTC' } as any), 'tester', LATER);
      expect(schedule.id).toBeGreaterThan(1);
    } finally {
      await target.close();
    }
  });

  it('refuses a target that holds rows, naming the table, and leaves it as it was', async () => {
    const other = await pg.createDatabase();
    const target = await openPostgres(other);
    await target.gateways.setTeam('someone-else', 'ops', 'tester', NOW);
    const source = await ConfigStore.open({ kind: 'sqlite', file });
    try {
      await expect(copyStore(source, target)).rejects.toThrow(/not empty: table gateway_settings has rows/);
      for (const table of Object.keys(TABLES)) {
        const count = Number(await target.sql.value(`SELECT COUNT(*) FROM ${table}`));
        expect(count, table).toBe(table === 'gateway_settings' ? 1 : 0);
      }
    } finally {
      await target.close();
      await source.close();
    }
  });

  it('refuses to copy a second time over the first copy', async () => {
    const source = await ConfigStore.open({ kind: 'sqlite', file });
    const target = await openPostgres(url);
    try {
      const before = Number(await target.sql.value('SELECT COUNT(*) FROM servers'));
      await expect(copyStore(source, target)).rejects.toThrow(/not empty: table \w+ has rows/);
      expect(Number(await target.sql.value('SELECT COUNT(*) FROM servers'))).toBe(before);
    } finally {
      await target.close();
      await source.close();
    }
  });
});

describe('npm run copy-store', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(TSX, ['src/copy-store.ts', ...args], { cwd: GATEWAY_DIR, env: { ...process.env, ...env } })
      .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
      .catch((error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }));

  it('is the package\'s copy-store script', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { scripts: Record<string, string> };
    expect(pkg.scripts['copy-store']).toMatch(/src\/copy-store\.ts/);
  });

  it('copies with the password from GATEWAY_DATABASE_PASSWORD_FILE and prints each table\'s rows', async () => {
    const file = tempFile();
    await seededSqlite(file);
    const url = pg.urlFor(new URL(await pg.createDatabase()).pathname.slice(1), false);
    const done = await cli(['--from', file, '--to', url], { GATEWAY_DATABASE_PASSWORD_FILE: pg.passwordFile });
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^ {2}servers +2$/m);
    expect(done.stdout).toMatch(/^ {2}probes +3$/m);
    expect(done.stdout).toMatch(/^ {2}probe_results +3$/m);
    expect(done.stdout).not.toContain(pg.password);
  }, 60_000);

  it('says what is wrong: no source file, not a PostgreSQL URL, a target that is not empty', async () => {
    const missing = await cli(['--from', '/nonexistent/gateway.db', '--to', 'postgres://x@127.0.0.1/x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--from \/nonexistent\/gateway\.db: no such file/);
    const file = tempFile();
    await seededSqlite(file);
    const notPostgres = await cli(['--from', file, '--to', './other.db']);
    expect(notPostgres.stderr).toMatch(/--to must be a postgres:\/\/ or postgresql:\/\/ URL/);
    const url = await pg.createDatabase();
    expect((await cli(['--from', file, '--to', url])).code).toBe(0);
    const again = await cli(['--from', file, '--to', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not empty: table \w+ has rows/);
    expect(again.stderr).toMatch(/nothing was copied/);
  }, 60_000);
});
