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
import { probeValues, scheduleValues, serverValues } from '../../src/domain/values.js';
import type { CheckResultView } from '../../src/schemas/check.js';
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

function contentOf(store: ConfigStore) {
  return {
    schedules: store.schedules.all(),
    servers: store.servers.all(),
    probes: store.probes.all(),
    moves: store.db.prepare('SELECT * FROM server_moves ORDER BY rowid').all(),
  };
}

describe('upgrading a database from the schema before AUTOINCREMENT', () => {
  it('keeps rows, ids, indexes and foreign keys, and from then on reuses no id', () => {
    const dbFile = tempDb();
    const old = new ConfigStore(openDatabase(dbFile, MIGRATIONS.filter((m) => m.version <= 2)));
    const office = old.schedules.create(scheduleValues(schedule('office')), 'tester', NOW);
    const spare = old.schedules.create(scheduleValues(schedule('spare')), 'tester', NOW);
    const erp = old.servers.create(serverValues({ name: 'erp', site: 'fra' }, context), 'tester', NOW);
    const crm = old.servers.create(serverValues({ name: 'crm' }, context), 'tester', NOW);
    const dispatcher = old.probes.create(erp.id, probeValues({ ...probe('dispatcher'), scheduleId: office.id }, context), 'tester', NOW);
    old.probes.create(erp.id, probeValues(probe('gateway'), context), 'tester', NOW);
    const portal = old.probes.create(crm.id, probeValues(probe('portal'), context), 'tester', NOW);
    old.probes.saveResults([{ probeId: dispatcher.id, result: { up: true, actualHost: 'erp.example.com', actualIpv4: '127.0.0.1' } as unknown as CheckResultView }]);
    old.servers.update(erp.id, { ...serverValues({ name: 'erp', site: 'fra' }, context), gateway: 'edge-2' }, undefined, 'tester', NOW);
    // The old schema's behaviour, for the record: the highest id, once deleted, was handed out again.
    old.probes.delete(portal.id);
    expect(old.probes.create(crm.id, probeValues(probe('reused'), context), 'tester', NOW).id).toBe(portal.id);
    const schemaBefore = schemaOf(old.db);
    const contentBefore = contentOf(old);
    old.close();

    const store = ConfigStore.open(dbFile);
    try {
      expect(store.db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.at(-1)!.version);
      expect(schemaOf(store.db)).toEqual(schemaBefore);
      expect(contentOf(store)).toEqual(contentBefore);
      expect(store.probes.get(dispatcher.id).lastResult).toMatchObject({ actualHost: 'erp.example.com' });
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);

      // Constraints still act: a used schedule cannot go, names stay unique per server, a server takes its probes and moves.
      expect(() => store.db.prepare('DELETE FROM schedules WHERE id = ?').run(office.id)).toThrow(/FOREIGN KEY/);
      expect(() => store.probes.create(erp.id, probeValues(probe('dispatcher'), context), 'tester', NOW)).toThrow(/already used/);
      store.servers.delete(erp.id);
      expect(store.probes.all().map((p) => p.name)).toEqual(['reused']);
      expect(store.db.prepare('SELECT COUNT(*) FROM server_moves').pluck().get()).toBe(0);

      // From now on no id comes back.
      store.probes.delete(portal.id);
      expect(store.probes.create(crm.id, probeValues(probe('fresh'), context), 'tester', NOW).id).toBeGreaterThan(portal.id);
      store.servers.delete(crm.id);
      expect(store.servers.create(serverValues({ name: 'hr' }, context), 'tester', NOW).id).toBeGreaterThan(crm.id);
      store.schedules.delete(spare.id);
      expect(store.schedules.create(scheduleValues(schedule('nights')), 'tester', NOW).id).toBeGreaterThan(spare.id);
    } finally {
      store.close();
    }
  });
});

describe("an agent's copy of its servers", () => {
  it('still takes the control plane ids as they are, also after the control plane deleted its newest probe', () => {
    const plane = ConfigStore.open(tempDb());
    const agent = ConfigStore.open(tempDb());
    try {
      const erp = plane.servers.create(serverValues({ name: 'erp', gateway: 'edge-1' }, context), 'tester', NOW);
      plane.probes.create(erp.id, probeValues(probe('dispatcher'), context), 'tester', NOW);
      const gateway = plane.probes.create(erp.id, probeValues(probe('gateway'), context), 'tester', NOW);
      const ids = (store: ConfigStore) => store.probes.all().map((p) => p.id).sort((a, b) => a - b);

      agent.snapshots.apply(plane.snapshots.snapshotFor('edge-1', NOW));
      expect(ids(agent)).toEqual(ids(plane));
      plane.probes.delete(gateway.id);
      plane.probes.create(erp.id, probeValues(probe('message-server'), context), 'tester', NOW);
      const diff = agent.snapshots.apply(plane.snapshots.snapshotFor('edge-1', NOW));
      expect(diff.removedProbeIds).toEqual([gateway.id]);
      expect(ids(agent)).toEqual(ids(plane));
      expect(agent.probes.all().map((p) => p.name).sort()).toEqual(['dispatcher', 'message-server']);
    } finally {
      plane.close();
      agent.close();
    }
  });
});
