// Ids of schedules, servers and probes are never handed out twice (metrics, alert rule uids and alert instances are
// keyed by them): through the real API on a real SQLite file, across a restart, through import, and after upgrading
// a database written by the schema before AUTOINCREMENT.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/settings.js';
import { startGateway, type RunningGateway } from '../../src/start.js';
import { ConfigStore } from '../../src/store/index.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { probeValues, serverValues } from '../../src/domain/values.js';
import { ApiClient } from '../helpers/gateway.js';

const folders: string[] = [];
afterAll(() => { for (const dir of folders) rmSync(dir, { recursive: true, force: true }); });

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-ids-'));
  folders.push(dir);
  return join(dir, 'gateway.db');
}

const running = new Set<RunningGateway>();
afterAll(async () => { await Promise.all([...running].map((gw) => gw.close())); });

async function stop(gw: RunningGateway): Promise<void> {
  running.delete(gw);
  await gw.close();
}

/** A real gateway on `dbFile`; starting a second one on the same file after closing the first is a restart. */
async function startOn(dbFile: string): Promise<{ gw: RunningGateway; api: ApiClient }> {
  const gw = await startGateway(readSettings({
    GATEWAY_DB: dbFile, GATEWAY_PORT: '0', GATEWAY_ID: 'ids-gw', GATEWAY_API_TOKEN: 'ids-test-token-0123456789', GATEWAY_TIME_ZONE: 'UTC',
  }, []));
  running.add(gw);
  return { gw, api: new ApiClient(gw.url, gw.token.token) };
}

async function created(response: Promise<{ status: number; body: any }>): Promise<any> {
  const { status, body } = await response;
  expect(status, JSON.stringify(body)).toBe(201);
  return body;
}

async function deleted(response: Promise<{ status: number; body: any }>): Promise<void> {
  const { status, body } = await response;
  expect(status, JSON.stringify(body)).toBeLessThan(300);
}

// Disabled probes on a closed port: the engine has nothing to do while ids are counted.
const probe = (name: string) => ({ name, host: '127.0.0.1', port: 9, enabled: false });
const schedule = (name: string) => ({ name, timeZone: 'UTC', windows: [{ days: ['mon' as const], begin: '08:00', end: '17:00' }] });

describe('ids through the API', () => {
  it('a deleted schedule, server or probe never lends its id to a new one, also after a restart', async () => {
    const dbFile = tempDb();
    let { gw, api } = await startOn(dbFile);
    const office = await created(api.post('/api/v1/schedules', schedule('office')));
    const spare = await created(api.post('/api/v1/schedules', schedule('spare')));
    const erp = await created(api.post('/api/v1/servers', { name: 'erp' }));
    const crm = await created(api.post('/api/v1/servers', { name: 'crm' }));
    await created(api.post(`/api/v1/servers/${erp.id}/probes`, { ...probe('dispatcher'), scheduleId: office.id }));
    const gateway = await created(api.post(`/api/v1/servers/${erp.id}/probes`, probe('gateway')));

    await deleted(api.delete(`/api/v1/probes/${gateway.id}`));
    const next = await created(api.post(`/api/v1/servers/${erp.id}/probes`, probe('next')));
    expect(next.id).toBeGreaterThan(gateway.id);

    // The probes a server delete takes with it (ON DELETE CASCADE) keep their ids too.
    const onCrm = await created(api.post(`/api/v1/servers/${crm.id}/probes`, probe('portal')));
    await deleted(api.delete(`/api/v1/servers/${crm.id}`));
    const hr = await created(api.post('/api/v1/servers', { name: 'hr' }));
    expect(hr.id).toBeGreaterThan(crm.id);
    expect((await created(api.post(`/api/v1/servers/${hr.id}/probes`, probe('portal')))).id).toBeGreaterThan(onCrm.id);

    await deleted(api.delete(`/api/v1/schedules/${spare.id}`));
    const nights = await created(api.post('/api/v1/schedules', schedule('nights')));
    expect(nights.id).toBeGreaterThan(spare.id);

    // Delete the newest of each, restart on the same file, create again.
    const portal = (await api.get(`/api/v1/servers/${hr.id}/probes`)).body.items[0];
    await deleted(api.delete(`/api/v1/probes/${portal.id}`));
    await deleted(api.delete(`/api/v1/servers/${hr.id}`));
    await deleted(api.delete(`/api/v1/schedules/${nights.id}`));
    await stop(gw);
    ({ gw, api } = await startOn(dbFile));

    expect((await created(api.post('/api/v1/schedules', schedule('weekend')))).id).toBeGreaterThan(nights.id);
    const fin = await created(api.post('/api/v1/servers', { name: 'fin' }));
    expect(fin.id).toBeGreaterThan(hr.id);
    expect((await created(api.post(`/api/v1/servers/${fin.id}/probes`, probe('ledger')))).id).toBeGreaterThan(portal.id);
    await stop(gw);
  });

  it('import with mode=replace does not reuse the ids of what it deleted', async () => {
    const { gw, api } = await startOn(tempDb());
    const DOC = { apiVersion: 'probekit/v1', kind: 'Configuration' };
    const server = (name: string, probes: string[], scheduleName: string | null = null) =>
      ({ name, probes: probes.map((p) => ({ ...probe(p), schedule: scheduleName })) });
    const imported = async (document: object) => {
      const { status, body } = await api.post('/api/v1/import?mode=replace', document);
      expect(status, JSON.stringify(body)).toBe(200);
    };
    const state = async () => {
      const servers = (await api.get('/api/v1/servers')).body.items as any[];
      const probes = (await Promise.all(servers.map(async (s) => (await api.get(`/api/v1/servers/${s.id}/probes`)).body.items as any[]))).flat();
      const schedules = (await api.get('/api/v1/schedules')).body.items as any[];
      const idOf = (items: any[], name: string) => items.find((item) => item.name === name)?.id as number;
      return { server: (name: string) => idOf(servers, name), probe: (name: string) => idOf(probes, name), schedule: (name: string) => idOf(schedules, name) };
    };

    await imported({ ...DOC, schedules: [schedule('office'), schedule('spare')], servers: [server('erp', ['dispatcher']), server('crm', ['portal'], 'spare')] });
    const before = await state();
    await imported({ ...DOC, schedules: [schedule('office')], servers: [server('erp', ['dispatcher'])] });
    await imported({ ...DOC, schedules: [schedule('office'), schedule('nights')], servers: [server('erp', ['dispatcher']), server('hr', ['payroll'], 'nights')] });
    const after = await state();

    expect(after.server('erp')).toBe(before.server('erp'));
    expect(after.server('hr')).toBeGreaterThan(before.server('crm'));
    expect(after.probe('payroll')).toBeGreaterThan(before.probe('portal'));
    expect(after.schedule('nights')).toBeGreaterThan(before.schedule('spare'));
    await stop(gw);
  });
});

const context = { user: 'tester', gatewayId: 'ids-gw' };
const NOW = '2026-12-01T10:00:00.000Z';

/** Everything a migration must carry over, as SQLite reports it. */
function schemaOf(db: Db) {
  const tables = ['schedules', 'servers', 'probes', 'server_moves'];
  return Object.fromEntries(tables.map((table) => [table, {
    columns: db.pragma(`table_info(${table})`),
    foreignKeys: db.pragma(`foreign_key_list(${table})`),
    indexes: (db.pragma(`index_list(${table})`) as { name: string; unique: number }[])
      .map((index) => ({ ...index, columns: (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((c) => c.name) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }]));
}

function rowsOf(db: Db) {
  const all = (table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  return { schedules: all('schedules'), servers: all('servers'), probes: all('probes'), moves: all('server_moves') };
}

/** Rows as the schema before AUTOINCREMENT held them, written with its own SQL (today's repositories speak a later schema). */
function insertOld(db: Db, table: string, row: Record<string, unknown>): number {
  const keys = Object.keys(row);
  return Number(db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`).run(row).lastInsertRowid);
}

const audit = { version: 1, created_at: NOW, created_by: 'tester', updated_at: NOW, updated_by: 'tester' };
const oldSchedule = (name: string) => ({ name, time_zone: 'UTC', windows_json: '[]', exclusions_json: '[]', ...audit });
const oldServer = (name: string, gateway: string) => ({ name, gateway, connect_timeout_ms: 2000, enabled: 1, thresholds_json: '[]', ...audit });
const oldProbe = (serverId: number, name: string, extra: Record<string, unknown> = {}) => ({
  server_id: serverId, name, interval_seconds: 300, host: '127.0.0.1', port: 9, enabled: 0, thresholds_json: '[]', ...audit, ...extra,
});

describe('upgrading a database from the schema before AUTOINCREMENT', () => {
  it('keeps rows, ids, indexes and foreign keys, and from then on reuses no id', () => {
    const dbFile = tempDb();
    const old = openDatabase(dbFile, MIGRATIONS.filter((m) => m.version <= 2));
    const office = insertOld(old, 'schedules', oldSchedule('office'));
    const spare = insertOld(old, 'schedules', oldSchedule('spare'));
    const erp = insertOld(old, 'servers', { ...oldServer('erp', 'edge-2'), site: 'fra' });
    const crm = insertOld(old, 'servers', oldServer('crm', 'ids-gw'));
    insertOld(old, 'probes', oldProbe(erp, 'dispatcher', { schedule_id: office, actual_host: 'erp.example.com', actual_ipv4: '127.0.0.1' }));
    insertOld(old, 'probes', oldProbe(erp, 'gateway'));
    const portal = insertOld(old, 'probes', oldProbe(crm, 'portal'));
    insertOld(old, 'server_moves', { server_id: erp, from_gateway: 'ids-gw', to_gateway: 'edge-2', moved_at: NOW });
    // The old schema's behaviour, for the record: the highest id, once deleted, was handed out again.
    old.prepare('DELETE FROM probes WHERE id = ?').run(portal);
    expect(insertOld(old, 'probes', oldProbe(crm, 'reused'))).toBe(portal);
    const schemaBefore = schemaOf(old);
    const contentBefore = rowsOf(old);
    old.close();

    const upgraded = openDatabase(dbFile, MIGRATIONS.filter((m) => m.version <= 3));
    try {
      expect(upgraded.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(3);
      expect(schemaOf(upgraded)).toEqual(schemaBefore);
      expect(rowsOf(upgraded)).toEqual(contentBefore);
      expect(upgraded.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(upgraded.pragma('foreign_key_check')).toEqual([]);

      // Constraints still act: a used schedule cannot go, names stay unique per server, a server takes its probes and moves.
      expect(() => upgraded.prepare('DELETE FROM schedules WHERE id = ?').run(office)).toThrow(/FOREIGN KEY/);
      expect(() => insertOld(upgraded, 'probes', oldProbe(erp, 'dispatcher'))).toThrow(/UNIQUE/);
      upgraded.prepare('DELETE FROM servers WHERE id = ?').run(erp);
      expect(upgraded.prepare('SELECT name FROM probes').pluck().all()).toEqual(['reused']);
      expect(upgraded.prepare('SELECT COUNT(*) FROM server_moves').pluck().get()).toBe(0);

      // From now on no id comes back.
      upgraded.prepare('DELETE FROM probes WHERE id = ?').run(portal);
      expect(insertOld(upgraded, 'probes', oldProbe(crm, 'fresh'))).toBeGreaterThan(portal);
      upgraded.prepare('DELETE FROM servers WHERE id = ?').run(crm);
      expect(insertOld(upgraded, 'servers', oldServer('hr', 'ids-gw'))).toBeGreaterThan(crm);
      upgraded.prepare('DELETE FROM schedules WHERE id = ?').run(spare);
      expect(insertOld(upgraded, 'schedules', oldSchedule('nights'))).toBeGreaterThan(spare);
    } finally {
      upgraded.close();
    }
  });
});

describe("an agent's copy of its servers", () => {
  it('still takes the control plane ids as they are, also after the control plane deleted its newest probe', async () => {
    const plane = await ConfigStore.open({ kind: 'sqlite', file: tempDb() });
    const agent = await ConfigStore.open({ kind: 'sqlite', file: tempDb() });
    try {
      const erp = await plane.servers.create(serverValues({ name: 'erp', gateways: ['edge-1'] }, context), 'tester', NOW);
      await plane.probes.create(erp.id, probeValues(probe('dispatcher'), context), 'tester', NOW);
      const gateway = await plane.probes.create(erp.id, probeValues(probe('gateway'), context), 'tester', NOW);
      const ids = async (store: ConfigStore) => (await store.probes.all()).map((p) => p.id).sort((a, b) => a - b);

      await agent.snapshots.apply(await plane.snapshots.snapshotFor('edge-1', NOW));
      expect(await ids(agent)).toEqual(await ids(plane));
      await plane.probes.delete(gateway.id);
      await plane.probes.create(erp.id, probeValues(probe('message-server'), context), 'tester', NOW);
      const diff = await agent.snapshots.apply(await plane.snapshots.snapshotFor('edge-1', NOW));
      expect(diff.removedProbeIds).toEqual([gateway.id]);
      expect(await ids(agent)).toEqual(await ids(plane));
      expect((await agent.probes.all()).map((p) => p.name).sort()).toEqual(['dispatcher', 'message-server']);
    } finally {
      await plane.close();
      await agent.close();
    }
  });
});
