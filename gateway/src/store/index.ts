// The configuration store: one SQLite database and a repository per resource.
import { openDatabase, type Db } from './database.js';
import { GatewayRepository } from './gateways.js';
import { ProbeRepository } from './probes.js';
import { ScheduleRepository } from './schedules.js';
import { ServerRepository } from './servers.js';
import { SharedAccountRepository } from './shared-accounts.js';
import { SnapshotRepository } from './snapshots.js';

export class ConfigStore {
  readonly servers: ServerRepository;
  readonly probes: ProbeRepository;
  readonly schedules: ScheduleRepository;
  readonly gateways: GatewayRepository;
  readonly snapshots: SnapshotRepository;
  readonly sharedAccounts: SharedAccountRepository;

  constructor(readonly db: Db) {
    this.servers = new ServerRepository(db);
    this.probes = new ProbeRepository(db);
    this.schedules = new ScheduleRepository(db);
    this.gateways = new GatewayRepository(db);
    this.snapshots = new SnapshotRepository(db, this.servers, this.probes, this.schedules);
    this.sharedAccounts = new SharedAccountRepository(db);
  }

  static open(file: string): ConfigStore {
    return new ConfigStore(openDatabase(file));
  }

  /** Runs `work` in one transaction: all of its writes land, or none. Nested calls join the outer one. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  isHealthy(): boolean {
    return this.db.prepare('SELECT 1').pluck().get() === 1;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export type { ServerValues } from './servers.js';
export type { ProbeValues } from './probes.js';
export type { ScheduleValues } from './schedules.js';
export type { GatewayRecord } from './gateways.js';
export type { ServerMove } from './servers.js';
export type { GatewaySnapshot, SnapshotDiff } from './snapshots.js';
export type { SealedAccount, SharedAccountValues } from './shared-accounts.js';
