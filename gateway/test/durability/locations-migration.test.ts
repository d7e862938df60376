// Upgrading a database from before servers had several locations: each server keeps its one gateway at slot 0 (the
// phase its probes always had), its probes' latest results become that gateway's, and gateways can get teams.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/store/index.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'probekit-locations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = '2026-12-01T10:00:00.000Z';
const audit = { version: 1, created_at: NOW, created_by: 'tester', updated_at: NOW, updated_by: 'tester' };

function insert(db: Db, table: string, row: Record<string, unknown>): number {
  const keys = Object.keys(row);
  return Number(db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`).run(row).lastInsertRowid);
}

describe('migration 4: locations', () => {
  it('turns each server gateway into a one-location list at slot 0 and keeps the latest results per location', async () => {
    const file = join(dir, 'gateway.db');
    const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 3));
    const server = (name: string, gateway: string) => insert(old, 'servers', { name, gateway, connect_timeout_ms: 2000, enabled: 1, thresholds_json: '[]', ...audit });
    const erp = server('erp', 'edge-1');
    const crm = server('crm', 'hq');
    const probe = (serverId: number, name: string, lastResult: object | null) => insert(old, 'probes', {
      server_id: serverId, name, interval_seconds: 60, host: '127.0.0.1', port: 9, enabled: 1, thresholds_json: '[]',
      last_result_json: lastResult && JSON.stringify(lastResult), actual_ipv4: lastResult && '127.0.0.1', ...audit,
    });
    const result = { outcome: 'refused', available: false, checkedAt: NOW, gateway: 'edge-1', actualIpv4: '127.0.0.1' };
    const checked = probe(erp, 'dispatcher', result);
    // A result written before results named their gateway belongs to the server's.
    const unnamed = probe(crm, 'portal', { ...result, gateway: undefined });
    probe(crm, 'never-checked', null);
    old.close();

    const store = await ConfigStore.open({ kind: 'sqlite', file });
    const db = store.sqlite!;
    try {
      expect((await store.servers.get(erp)).gateways).toEqual(['edge-1']);
      expect((await store.servers.get(crm)).gateways).toEqual(['hq']);
      expect(await store.servers.locationsOf(erp)).toEqual([{ gateway: 'edge-1', slot: 0 }]);
      expect((db.pragma('table_info(servers)') as { name: string }[]).map((c) => c.name)).not.toContain('gateway');
      // Read back as results are now: without deeper checks' data.
      const asRead = { ...result, actualIp: null, tls: null, responseMs: null };
      expect(await store.probes.latestResults(checked)).toEqual([asRead]);
      expect(db.prepare('SELECT gateway FROM probe_results WHERE probe_id = ?').pluck().get(unnamed)).toBe('hq');
      expect((await store.probes.get(checked)).lastResult).toEqual(asRead);
      expect(db.prepare('SELECT COUNT(*) FROM probe_results').pluck().get()).toBe(2);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect((await store.servers.list({ gateway: 'hq' })).items.map((s) => s.name)).toEqual(['crm']);
      // The server's locations and results go with it.
      await store.servers.delete(erp);
      expect(db.prepare('SELECT COUNT(*) FROM server_gateways WHERE server_id = ?').pluck().get(erp)).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM probe_results WHERE probe_id = ?').pluck().get(checked)).toBe(0);
    } finally {
      await store.close();
    }
  });
});
