// A fresh configuration store per test on either dialect: SQLite in a temp file, PostgreSQL in a fresh database of
// one cluster per test file (started on first use). Stores opened here are closed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { probeValues, scheduleValues, serverValues } from '../../src/domain/values.js';
import type { CheckResultView } from '../../src/schemas/check.js';
import type { ProbeInput } from '../../src/schemas/probe.js';
import type { ScheduleInput } from '../../src/schemas/schedule.js';
import type { ServerInput } from '../../src/schemas/server.js';
import { ConfigStore, type ProbeValues, type ScheduleValues, type ServerValues } from '../../src/store/index.js';
import { startPostgres, type TestPostgres } from './postgres.js';

export type StoreDialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly StoreDialect[] = ['sqlite', 'postgres'];

let cluster: Promise<TestPostgres> | undefined;
const open = new Set<ConfigStore>();
const folders: string[] = [];

afterEach(async () => {
  const stores = [...open];
  open.clear();
  await Promise.all(stores.map((store) => store.close()));
});

afterAll(async () => {
  if (cluster) await (await cluster).dispose();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The test file's PostgreSQL cluster, started on first use. */
export function testCluster(): Promise<TestPostgres> {
  cluster ??= startPostgres();
  return cluster;
}

/** Where a fresh, empty store of `dialect` lives. */
export async function freshLocation(dialect: StoreDialect): Promise<Parameters<typeof ConfigStore.open>[0]> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'probekit-store-'));
    folders.push(dir);
    return { kind: 'sqlite', file: join(dir, 'gateway.db') };
  }
  const url = await (await testCluster()).createDatabase();
  return { kind: 'postgres', url, replicaId: 'test' };
}

/** A fresh, migrated, empty store, closed after the test. */
export async function openTestStore(dialect: StoreDialect): Promise<ConfigStore> {
  return track(await ConfigStore.open(await freshLocation(dialect)));
}

/** Closes `store` after the test (a second store on the same location, for example). */
export function track(store: ConfigStore): ConfigStore {
  open.add(store);
  return store;
}

// ---- values to store ----

export const NOW = '2026-12-01T10:00:00.000Z';
export const LATER = '2026-12-01T10:05:00.000Z';
const CONTEXT = { user: 'tester', gatewayId: 'edge-1' };

export const server = (name: string, extra: Partial<ServerInput> = {}): ServerValues => serverValues({ name, ...extra }, CONTEXT);
export const probe = (name: string, extra: Partial<ProbeInput> = {}): ProbeValues =>
  probeValues({ name, host: '127.0.0.1', port: 9, ...extra }, CONTEXT);
export const schedule = (name: string, extra: Partial<ScheduleInput> = {}): ScheduleValues =>
  scheduleValues({ name, timeZone: 'UTC', windows: [{ days: ['mon'], begin: '08:00', end: '17:00' }], ...extra });

/** A refused check from `gateway` at `checkedAt`. */
export function checkResult(gateway: string, checkedAt: string, extra: Partial<CheckResultView> = {}): CheckResultView {
  return {
    outcome: 'refused', available: false, error: 'connection refused', checkedAt, dnsMs: null, connectMs: 0.4,
    actualHost: null, actualIpv4: '127.0.0.1', actualAddress: '127.0.0.1', gateway, actualIp: '127.0.0.1', tls: null, responseMs: null,
    ...extra,
  };
}
