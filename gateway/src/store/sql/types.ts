// What the repositories run SQL through: one asynchronous interface, a SQLite and a PostgreSQL implementation.
import { ApiError } from '../../domain/errors.js';

/**
 * Named parameters (`@name` in the text) as an object, or positional ones (`?`) as an array. The PostgreSQL
 * executor rewrites both to `$n`; the texts are otherwise the same on both dialects, apart from the fragments
 * `Dialect` gives.
 */
export type Params = Record<string, unknown> | readonly unknown[];

export interface Sql {
  readonly dialect: Dialect;
  /** Every row. */
  all<T>(text: string, params?: Params): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(text: string, params?: Params): Promise<T | undefined>;
  /** The first column of the first row, or undefined when there is no row. */
  value<T>(text: string, params?: Params): Promise<T | undefined>;
  /** The first column of every row. */
  column<T>(text: string, params?: Params): Promise<T[]>;
  /** A write; how many rows it changed. */
  run(text: string, params?: Params): Promise<{ changes: number }>;
  /**
   * Runs `work` in one transaction: all of its writes land, or none. Inside, `tx` is the transaction; a nested call
   * on `tx` joins it (and ignores `options`: the outer call chose them). See TransactionOptions.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export interface TransactionOptions {
  /**
   * `false` lets the commit return before the write is on disk (results, which the next check rewrites);
   * configuration writes keep the default.
   */
  durable?: boolean;
  /**
   * Reads see one state of the database: PostgreSQL runs the transaction REPEATABLE READ, READ ONLY (without it each
   * statement sees what was committed when it started); SQLite's transactions already do. For reads only: PostgreSQL
   * refuses a write in it.
   */
  snapshot?: boolean;
}

/** A connection (SQLite) or pool (PostgreSQL): an Sql that can also be checked and closed. */
export interface SqlDatabase extends Sql {
  /** Throws StoreUnavailableError when the database does not answer within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The few places where SQLite and PostgreSQL SQL differ, as fragments the repositories splice in. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Case-insensitive text match operator: SQLite's LIKE already is, PostgreSQL's ILIKE. */
  readonly like: string;
  /** `expr` for case-insensitive ordering. */
  nocase(expr: string): string;
  /** A JSON array text (never null) of `expr` over the rows of a subquery body `from`, in `orderBy` order. */
  jsonArray(expr: string, orderBy: string, from: string): string;
  /** The text value of key `key` of the JSON text in `column`. */
  jsonText(column: string, key: string): string;
  /** A column that orders rows of a table by insertion (SQLite's rowid; PostgreSQL tables declare `seq`). */
  readonly insertionOrder: string;
  /**
   * Appended to the SELECT that reads a row's version before a versioned update: PostgreSQL locks the row, so of two
   * replicas updating it at once the second reads the first one's version (and answers 409). SQLite needs nothing:
   * BEGIN IMMEDIATE already serializes writers.
   */
  readonly forUpdate: string;
}

/** The database does not answer: the API says 503 with this message, /readyz says not ready. */
export class StoreUnavailableError extends ApiError {
  constructor(detail: string) {
    super(503, `the configuration database is unavailable (${detail}); try again shortly`);
  }
}

/** True for a UNIQUE constraint failure on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
