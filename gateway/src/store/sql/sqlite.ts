// The SQLite executor: better-sqlite3 is synchronous, so each call answers at once; transactions take turns.
import type Database from 'better-sqlite3';
import { SQLITE } from './dialects.js';
import type { Params, Sql, SqlDatabase, TransactionOptions } from './types.js';

type Statement = Database.Statement;

/** How long a statement outside a transaction waits for one to finish before it says what is probably wrong. */
const OUTSIDE_WAIT_WARN_MS = 10_000;

/**
 * One connection runs everything. A transaction spans awaits, so while one is open every statement from outside it
 * waits until it ends (otherwise it would join the open transaction and share its fate). Code inside a transaction
 * must use the `tx` it was given: the outer handle would wait for the transaction it is part of.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = SQLITE;
  private readonly statements = new Map<string, Statement>();
  /** The open transaction's end, while one is open. */
  private open: Promise<void> | null = null;
  /** Transactions queue behind this. */
  private tail: Promise<void> = Promise.resolve();
  private readonly inside: Sql;

  constructor(readonly connection: Database.Database) {
    const run = <T>(op: () => T) => Promise.resolve().then(op);
    this.inside = {
      dialect: SQLITE,
      all: (text, params) => run(() => this.allNow(text, params)),
      get: (text, params) => run(() => this.getNow(text, params)),
      value: (text, params) => run(() => this.valueNow(text, params)),
      column: (text, params) => run(() => this.columnNow(text, params)),
      run: (text, params) => run(() => this.runNow(text, params)),
      // Nested: joins the open transaction.
      transaction: (work) => work(this.inside),
    };
  }

  async all<T>(text: string, params?: Params): Promise<T[]> {
    if (this.open) await this.outsideWait();
    return this.allNow(text, params);
  }

  async get<T>(text: string, params?: Params): Promise<T | undefined> {
    if (this.open) await this.outsideWait();
    return this.getNow(text, params);
  }

  async value<T>(text: string, params?: Params): Promise<T | undefined> {
    if (this.open) await this.outsideWait();
    return this.valueNow(text, params);
  }

  async column<T>(text: string, params?: Params): Promise<T[]> {
    if (this.open) await this.outsideWait();
    return this.columnNow(text, params);
  }

  async run(text: string, params?: Params): Promise<{ changes: number }> {
    if (this.open) await this.outsideWait();
    return this.runNow(text, params);
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const previous = this.tail;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => { finish = resolve; });
    this.tail = previous.then(() => done);
    await previous;
    this.open = done;
    // Results need not reach the disk before the commit returns: NORMAL spares an fsync. The pragma is a no-op
    // inside a transaction, so it is switched around it.
    const relaxed = options.durable === false;
    try {
      if (relaxed) this.connection.pragma('synchronous = NORMAL');
      // One connection, and writers take turns: every transaction already reads one state (`snapshot` needs nothing).
      this.connection.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await work(this.inside);
      } catch (error) {
        if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
        throw error;
      }
      this.connection.exec('COMMIT');
      return result;
    } finally {
      if (relaxed) this.connection.pragma('synchronous = FULL');
      this.open = null;
      finish();
    }
  }

  async ping(): Promise<void> {
    this.connection.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.connection.open) this.connection.close();
  }

  /** Waits until no transaction is open; warns (once per wait) when that takes suspiciously long. */
  private async outsideWait(): Promise<void> {
    const started = Date.now();
    while (this.open) {
      const open = this.open;
      const timer = setTimeout(() => {
        process.emitWarning(`a statement outside a SQLite transaction has waited ${Date.now() - started} ms for it: does code inside the transaction use the store instead of its tx?`);
      }, OUTSIDE_WAIT_WARN_MS);
      await open;
      clearTimeout(timer);
    }
  }

  /** Each SQL text is prepared once: preparing costs as much as running a small query. */
  private statement(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.connection.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private allNow<T>(text: string, params?: Params): T[] {
    return this.statement(text).pluck(false).all(...args(params)) as T[];
  }

  private getNow<T>(text: string, params?: Params): T | undefined {
    return this.statement(text).pluck(false).get(...args(params)) as T | undefined;
  }

  private valueNow<T>(text: string, params?: Params): T | undefined {
    return this.statement(text).pluck(true).get(...args(params)) as T | undefined;
  }

  private columnNow<T>(text: string, params?: Params): T[] {
    return this.statement(text).pluck(true).all(...args(params)) as T[];
  }

  private runNow(text: string, params?: Params): { changes: number } {
    return { changes: this.statement(text).run(...args(params)).changes };
  }
}

function args(params: Params | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? params : [params];
}
