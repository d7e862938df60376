// The PostgreSQL executor: a pg pool behind the Sql interface, with bounded waits and outages as StoreUnavailableError.
import pg from 'pg';
import { PG_MIGRATIONS } from '../postgres-migrations.js';
import type { Migration } from '../migrations.js';
import { POSTGRES } from './dialects.js';
import { StoreUnavailableError, type Params, type Sql, type SqlDatabase, type TransactionOptions } from './types.js';

export interface PostgresOptions {
  /** postgres://user@host:port/database?sslmode=... */
  url: string;
  /** Overrides the URL's password (GATEWAY_DATABASE_PASSWORD_FILE). */
  password?: string;
  /** This replica's id (its GATEWAY_ID): the origin of the changes it publishes, its application_name. */
  replicaId: string;
  poolMax?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

/** Held while migrating, so that replicas starting together migrate once (any constant other applications don't use). */
const MIGRATION_LOCK_KEY = 7_072_011_098_101;

/** Opens a pool on the database and brings its schema up to date (the code's migrations, under an advisory lock). */
export async function openPostgres(options: PostgresOptions, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<SqlDatabase> {
  await migrate(options, migrations);
  return new PgDatabase(options);
}

/** The pg client settings both the pool and the single-purpose clients (migrations, change feed) start from. */
export function clientConfig(options: PostgresOptions): pg.ClientConfig {
  return {
    connectionString: withPassword(options.url, options.password),
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: `probekit-gateway ${options.replicaId}`.slice(0, 63),
    // Notices a dead peer (a cut network, a powered-off host) on idle connections too.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: { getTypeParser },
  };
}

/** "host:port" of the URL, for messages. */
export function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.searchParams.get('host') ?? (parsed.hostname || 'localhost');
    return `${host}:${parsed.port || parsed.searchParams.get('port') || '5432'}`;
  } catch {
    return 'the configured server';
  }
}

export class PgDatabase implements SqlDatabase {
  readonly dialect = POSTGRES;
  private readonly pool: pg.Pool;
  private readonly statementTimeoutMs: number;

  constructor(options: PostgresOptions) {
    this.statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.pool = new pg.Pool({
      ...clientConfig(options),
      max: options.poolMax ?? 10,
      // The server cancels a statement that runs too long; query_timeout also covers a server that stopped answering.
      statement_timeout: this.statementTimeoutMs,
      query_timeout: this.statementTimeoutMs + 1000,
      // A replica stuck between the statements of a transaction must not hold row locks for ever.
      idle_in_transaction_session_timeout: Math.max(60_000, this.statementTimeoutMs * 3),
    });
    // An idle client whose connection died (server restart, admin shutdown): the pool drops it; nothing else to do.
    this.pool.on('error', () => {});
  }

  all<T>(text: string, params?: Params): Promise<T[]> {
    return this.use((client) => rows<T>(client, text, params));
  }

  get<T>(text: string, params?: Params): Promise<T | undefined> {
    return this.use(async (client) => (await rows<T>(client, text, params))[0]);
  }

  value<T>(text: string, params?: Params): Promise<T | undefined> {
    return this.use(async (client) => (await firstColumn<T>(client, text, params))[0]);
  }

  column<T>(text: string, params?: Params): Promise<T[]> {
    return this.use((client) => firstColumn<T>(client, text, params));
  }

  run(text: string, params?: Params): Promise<{ changes: number }> {
    return this.use((client) => changes(client, text, params));
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.connect();
    // A connection that dies between two statements of the transaction (while `work` awaits something else) says so
    // with an 'error' event, which would crash the process without a listener; the next statement fails anyway.
    let broken: Error | undefined;
    const onError = (error: Error) => { broken = error; };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      // Must come before the first query of the transaction, which takes the snapshot.
      if (options.snapshot) await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      // Results need not reach the disk before the commit returns; configuration writes keep the default.
      if (options.durable === false) await client.query('SET LOCAL synchronous_commit = off');
      let result: T;
      try {
        result = await work(transactionSql(client, this.statementTimeoutMs));
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => { broken ??= rollbackError; });
        throw error;
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isConnectionFailure(error)) broken ??= error as Error;
      throw unavailableOr(error, this.statementTimeoutMs);
    } finally {
      client.removeListener('error', onError);
      // A broken connection is thrown away, not handed to the next caller.
      client.release(broken ?? false);
    }
  }

  async ping(timeoutMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const answer = this.value('SELECT 1');
    // Nobody waits for the answer after a timeout; its failure must not become an unhandled rejection.
    answer.catch(() => {});
    try {
      await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /** Runs one statement on a pooled client (pool.query releases it, and throws a broken one away). */
  private async use<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    try {
      return await work(this.pool);
    } catch (error) {
      throw unavailableOr(error, this.statementTimeoutMs);
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw unavailableOr(error, this.statementTimeoutMs);
    }
  }
}

type Queryable = Pick<pg.Pool, 'query'> | pg.ClientBase;

/** The Sql a transaction's work gets: every statement on the transaction's client; a nested transaction joins. */
function transactionSql(client: pg.PoolClient, statementTimeoutMs: number): Sql {
  const mapped = async <T>(operation: Promise<T>): Promise<T> => {
    try {
      return await operation;
    } catch (error) {
      throw unavailableOr(error, statementTimeoutMs);
    }
  };
  const sql: Sql = {
    dialect: POSTGRES,
    all: (text, params) => mapped(rows(client, text, params)),
    get: async <T>(text: string, params?: Params) => (await mapped(rows<T>(client, text, params)))[0],
    value: async <T>(text: string, params?: Params) => (await mapped(firstColumn<T>(client, text, params)))[0],
    column: (text, params) => mapped(firstColumn(client, text, params)),
    run: (text, params) => mapped(changes(client, text, params)),
    // Nested: joins the open transaction; its isolation and durability are already set.
    transaction: (work) => work(sql),
  };
  return sql;
}

async function rows<T>(client: Queryable, text: string, params: Params | undefined): Promise<T[]> {
  return (await client.query(query(text, params))).rows as T[];
}

async function firstColumn<T>(client: Queryable, text: string, params: Params | undefined): Promise<T[]> {
  const result = await client.query({ ...query(text, params), rowMode: 'array' });
  return (result.rows as unknown[][]).map((row) => row[0] as T);
}

async function changes(client: Queryable, text: string, params: Params | undefined): Promise<{ changes: number }> {
  return { changes: (await client.query(query(text, params))).rowCount ?? 0 };
}

// ---- placeholders ----

/** A SQL text with `$n` placeholders, and which parameter each `$n` takes: a name, or the index of a `?`. */
export interface Rewritten {
  text: string;
  /** Names of the `@name` parameters in `$n` order; empty for positional texts. */
  names: string[];
  positional: number;
  /** A prepared-statement name: PostgreSQL plans the text once per connection. */
  name: string;
}

const rewrites = new Map<string, Rewritten>();
/**
 * The repositories use a fixed set of texts; texts built on the fly (an IN list per length) beyond this many run
 * unnamed, so neither this cache nor the prepared statements of each connection grow without end.
 */
const MAX_CACHED_TEXTS = 2000;

function query(text: string, params: Params | undefined): pg.QueryConfig {
  let rewritten = rewrites.get(text);
  if (!rewritten) {
    if (rewrites.size >= MAX_CACHED_TEXTS) {
      const once = rewritePlaceholders(text);
      return { text: once.text, values: values(once, text, params) };
    }
    rewritten = rewritePlaceholders(text, `probekit_${rewrites.size + 1}`);
    rewrites.set(text, rewritten);
  }
  return { text: rewritten.text, name: rewritten.name, values: values(rewritten, text, params) };
}

function values(rewritten: Rewritten, text: string, params: Params | undefined): unknown[] {
  if (rewritten.names.length > 0) {
    if (params === undefined || Array.isArray(params)) throw new Error(`the statement takes named parameters (@${rewritten.names[0]}), not ${params === undefined ? 'none' : 'an array'}: ${text}`);
    const named = params as Record<string, unknown>;
    return rewritten.names.map((name) => {
      if (!(name in named)) throw new Error(`missing named parameter @${name} for: ${text}`);
      return named[name];
    });
  }
  // An empty object for a text without placeholders, as better-sqlite3 takes it.
  const none = rewritten.positional === 0 && !Array.isArray(params) && Object.keys(params ?? {}).length === 0;
  const list = params === undefined || none ? [] : Array.isArray(params) ? params : undefined;
  if (!list) throw new Error(`the statement takes positional parameters (?), not an object: ${text}`);
  if (list.length !== rewritten.positional) throw new Error(`the statement takes ${rewritten.positional} parameter(s), got ${list.length}: ${text}`);
  return [...list];
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_]/;

/**
 * Replaces `@name` and `?` outside string literals, quoted identifiers, dollar quotes and comments with `$n`. A name
 * used twice takes the same `$n`.
 */
export function rewritePlaceholders(text: string, name = ''): Rewritten {
  const names: string[] = [];
  let positional = 0;
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => { out += text.slice(i, end); i = end; };
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "'") {
      // E'...' strings take backslash escapes; standard ones only '' (standard_conforming_strings, the default).
      const escaped = i > 0 && /[eE]/.test(text[i - 1]!) && (i < 2 || !IDENTIFIER_PART.test(text[i - 2]!));
      copyUntil(endOfQuoted(text, i, "'", escaped));
    } else if (c === '"') {
      copyUntil(endOfQuoted(text, i, '"', false));
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      copyUntil(end === -1 ? text.length : end);
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      copyUntil(end === -1 ? text.length : end + 2);
    } else if (c === '$' && (i === 0 || !IDENTIFIER_PART.test(text[i - 1]!))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        copyUntil(end === -1 ? text.length : end + tag[0].length);
      } else {
        copyUntil(i + 1);
      }
    } else if (c === '?') {
      if (names.length > 0) throw new Error(`a statement mixes @name and ? parameters: ${text}`);
      out += `$${++positional}`;
      i++;
    } else if (c === '@' && next !== undefined && IDENTIFIER_START.test(next)) {
      if (positional > 0) throw new Error(`a statement mixes @name and ? parameters: ${text}`);
      let end = i + 1;
      while (end < text.length && IDENTIFIER_PART.test(text[end]!)) end++;
      const param = text.slice(i + 1, end);
      let index = names.indexOf(param);
      if (index === -1) index = names.push(param) - 1;
      out += `$${index + 1}`;
      i = end;
    } else {
      copyUntil(i + 1);
    }
  }
  return { text: out, names, positional, name };
}

/** The index just past the closing quote of the quoted text opening at `start` (a doubled quote stays inside). */
function endOfQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslashEscapes && c === '\\') { i += 2; continue; }
    if (c === quote) {
      if (text[i + 1] === quote) { i += 2; continue; }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

// ---- types ----

const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;
const JSON_OID = 114;
const JSONB = 3802;

/**
 * Values as SQLite gives them, so the repositories read both dialects alike: counts and sums (int8, numeric) as
 * numbers, booleans as 1/0, JSON as its text. Per pool, not pg's global parsers, so nothing else in the process changes.
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  switch (oid) {
    case INT8:
    case NUMERIC:
      return Number;
    case BOOL:
      return (value) => (value === 't' ? 1 : 0);
    case JSON_OID:
    case JSONB:
      return (value) => value;
    default:
      return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  }
}

// ---- errors ----

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Client was closed',
  'timeout expired',
];

/** SQLSTATEs that mean the server is going away or not taking work: not the statement's fault. */
function isServerUnavailableCode(code: string): boolean {
  return code.startsWith('08') // connection exception
    || code === '57P01' // admin_shutdown
    || code === '57P02' // crash_shutdown
    || code === '57P03' // cannot_connect_now (starting up, shutting down)
    || code === '53300'; // too_many_connections
}

export function isConnectionFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || isServerUnavailableCode(code))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.some((m) => message.includes(m));
}

/** The error as StoreUnavailableError when the database is the problem, else unchanged (unique violations stay). */
function unavailableOr(error: unknown, statementTimeoutMs: number): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const { code } = (error ?? {}) as { code?: unknown };
  if (code === '57014') return new StoreUnavailableError(`a statement ran longer than ${statementTimeoutMs} ms`);
  if (!isConnectionFailure(error)) return error;
  return new StoreUnavailableError(connectionDetail(error));
}

/** A short reason for a connection failure: what an operator reads in a 503 or a log line. */
export function connectionDetail(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const text = message ?? String(error);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ETIMEDOUT' || text.includes('timeout expired') || text.includes('timeout exceeded') || text.includes('connection timeout')) return 'connect timed out';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'the server is shutting down or starting';
  if (text.includes('Query read timeout')) return 'no answer in time';
  if (text.includes('Connection terminated') || text.includes('connection error') || text.includes('Client was closed')) return 'connection lost';
  return text;
}

// ---- start-up ----

function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

/** Connects one client outside the pool, saying clearly which server could not be reached or refused us. */
export async function connectClient(options: PostgresOptions, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ ...clientConfig(options), ...config });
  // Errors after connect (the server going away) reach the pending query; without a listener the event would crash.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    const server = describeServer(options.url);
    if (isConnectionFailure(error)) throw new StoreUnavailableError(`cannot reach PostgreSQL at ${server}: ${connectionDetail(error)}`);
    throw new Error(`cannot connect to PostgreSQL at ${server}: ${(error as Error).message}`, { cause: error });
  }
}

async function migrate(options: PostgresOptions, migrations: readonly Migration[]): Promise<void> {
  // Its own client, without the pool's statement timeouts: waiting for another replica's migration, or a long one, is fine.
  const client = await connectClient(options);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at text NOT NULL)');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => v > newest);
    if (unknown.length > 0) {
      throw new Error(`the database has schema version ${Math.max(...unknown)}, newer than this gateway knows (${newest}); run a newer gateway`);
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)',
          [migration.version, migration.description, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`PostgreSQL migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`, { cause: error });
      }
    }
  } catch (error) {
    throw isConnectionFailure(error) ? new StoreUnavailableError(`lost PostgreSQL at ${describeServer(options.url)} while migrating: ${connectionDetail(error)}`) : error;
  } finally {
    // Ending the session releases the advisory lock.
    await client.end().catch(() => {});
  }
}
