// The configuration store: a repository per resource over one SQL database, SQLite (embedded) or PostgreSQL (shared
// by replicas). Every read and write is asynchronous; a transaction hands its work a store bound to it.
import type Database from 'better-sqlite3';
import type { ConfigChange } from '../domain/config-service.js';
import { openDatabase } from './database.js';
import { GatewayRepository } from './gateways.js';
import { NonceRepository } from './nonces.js';
import { ProbeRepository } from './probes.js';
import { ScheduleRepository } from './schedules.js';
import { ServerRepository } from './servers.js';
import { SharedAccountRepository } from './shared-accounts.js';
import { SnapshotRepository } from './snapshots.js';
import { SqliteDatabase } from './sql/sqlite.js';
import type { Sql, SqlDatabase, TransactionOptions } from './sql/types.js';
import { openPostgres, type PostgresOptions } from './sql/postgres.js';
import { PostgresChangeFeed } from './change-feed.js';

/** Where the configuration lives: a SQLite file (the default) or a PostgreSQL database several replicas share. */
export type StoreLocation =
  | { kind: 'sqlite'; file: string }
  | ({ kind: 'postgres' } & PostgresOptions);

export type RemoteChangeListener = (change: ConfigChange) => void;

/** What a store and the transactions it opens share: the database, and on PostgreSQL the change feed. */
interface StoreBase {
  database: SqlDatabase;
  feed: PostgresChangeFeed | null;
}

export class ConfigStore {
  readonly servers: ServerRepository;
  readonly probes: ProbeRepository;
  readonly schedules: ScheduleRepository;
  readonly gateways: GatewayRepository;
  readonly snapshots: SnapshotRepository;
  readonly sharedAccounts: SharedAccountRepository;
  readonly nonces: NonceRepository;

  private constructor(private readonly base: StoreBase, readonly sql: Sql) {
    this.servers = new ServerRepository(sql);
    this.probes = new ProbeRepository(sql);
    this.schedules = new ScheduleRepository(sql);
    this.gateways = new GatewayRepository(sql);
    this.snapshots = new SnapshotRepository(sql);
    this.sharedAccounts = new SharedAccountRepository(sql);
    this.nonces = new NonceRepository(sql);
  }

  static async open(location: StoreLocation): Promise<ConfigStore> {
    if (location.kind === 'sqlite') return ConfigStore.fromSqlite(openDatabase(location.file));
    const database = await openPostgres(location);
    const feed = new PostgresChangeFeed(location);
    try {
      await feed.start();
    } catch (error) {
      await database.close();
      throw error;
    }
    return new ConfigStore({ database, feed }, database);
  }

  /** A store over an open, migrated SQLite connection (tests open one at an older schema this way). */
  static fromSqlite(connection: Database.Database): ConfigStore {
    const database = new SqliteDatabase(connection);
    return new ConfigStore({ database, feed: null }, database);
  }

  get dialect(): 'sqlite' | 'postgres' {
    return this.sql.dialect.name;
  }

  /** The SQLite connection (for the WAL checkpointer and tests); undefined on PostgreSQL. */
  get sqlite(): Database.Database | undefined {
    return this.base.database instanceof SqliteDatabase ? this.base.database.connection : undefined;
  }

  /**
   * Runs `work` in one transaction, with a store bound to it: all of its writes land, or none. Inside, use only the
   * `tx` store (on SQLite the outer one waits for the transaction to end). A call on `tx` joins the transaction.
   */
  transaction<T>(work: (tx: ConfigStore) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.sql.transaction((tx) => work(tx === this.sql ? this : new ConfigStore(this.base, tx)), options);
  }

  /**
   * Tells the other replicas sharing the database what changed. Call it inside the transaction that made the change:
   * PostgreSQL delivers the notification when (and only if) it commits. Nothing to tell on SQLite.
   */
  async publishChange(change: ConfigChange): Promise<void> {
    if (this.base.feed) await this.base.feed.publish(this.sql, change);
  }

  /** Changes other replicas committed (PostgreSQL only); a change with `full` asks for everything to be re-read. */
  onRemoteChange(listener: RemoteChangeListener): () => void {
    return this.base.feed ? this.base.feed.onChange(listener) : () => {};
  }

  /**
   * True when the database answers within `timeoutMs` and, on PostgreSQL, this replica listens for the others'
   * changes (without, agents polling it would miss writes made elsewhere); never throws, never waits longer.
   */
  async isHealthy(timeoutMs = 1000): Promise<boolean> {
    if (this.base.feed && !this.base.feed.listening) return false;
    try {
      await this.base.database.ping(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.base.feed?.stop();
    await this.base.database.close();
  }
}

export type { ServerValues } from './servers.js';
export type { ProbeValues } from './probes.js';
export type { ScheduleValues } from './schedules.js';
export type { GatewayRecord } from './gateways.js';
export type { ServerMove } from './servers.js';
export type { GatewaySnapshot, SnapshotDiff } from './snapshots.js';
export type { SealedAccount, SharedAccountValues } from './shared-accounts.js';
export { StoreUnavailableError } from './sql/types.js';
