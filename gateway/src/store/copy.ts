// Moves a gateway from SQLite to PostgreSQL: every table's rows, ids kept, into an empty PostgreSQL store.
import type { ConfigStore } from './index.js';
import type { Sql } from './sql/types.js';

export interface TableCount {
  table: string;
  rows: number;
}

/** Rows per INSERT: few round trips, far below PostgreSQL's 65,535 parameters a statement. */
const BATCH_PARAMETERS = 30_000;
const BATCH_ROWS_MAX = 500;
/** SQLite's own bookkeeping and the migration log, which each store keeps for itself. */
const NOT_COPIED = new Set(['schema_migrations', 'sqlite_sequence']);

/**
 * Copies every table of `source` (SQLite) into `target` (PostgreSQL) in one PostgreSQL transaction: all rows or none.
 * Ids are kept, since metric series, alert rule uids and alert instances are keyed by them, and each identity sequence
 * is moved past the highest id SQLite ever handed out, so no id comes back. The target must be empty (a half-filled
 * one would mix two configurations); the source is read under its write lock, so it is one consistent state. Both
 * stores were opened, and so migrated, by this code: their schema versions must be the same.
 */
export async function copyStore(source: ConfigStore, target: ConfigStore): Promise<TableCount[]> {
  if (source.dialect !== 'sqlite') throw new Error('the source of a copy must be a SQLite store');
  if (target.dialect !== 'postgres') throw new Error('the target of a copy must be a PostgreSQL store');
  return source.sql.transaction((from) => target.sql.transaction(async (to) => {
    await assertSameSchemaVersion(from, to);
    const tables = await tablesInDependencyOrder(from);
    for (const table of tables) await assertEmpty(to, table);
    const counts: TableCount[] = [];
    for (const table of tables) {
      const columns = await matchingColumns(from, to, table);
      const rows = await copyRows(from, to, table, columns);
      const landed = Number(await to.value<number>(`SELECT COUNT(*) FROM ${table}`));
      if (landed !== rows) throw new Error(`table ${table}: copied ${rows} rows but the target holds ${landed}`);
      counts.push({ table, rows });
    }
    await moveSequencesPastCopiedIds(from, to, tables);
    return counts;
  }));
}

async function schemaVersion(sql: Sql): Promise<number> {
  return Number(await sql.value<number>('SELECT MAX(version) FROM schema_migrations') ?? 0);
}

async function assertSameSchemaVersion(from: Sql, to: Sql): Promise<void> {
  const [source, target] = [await schemaVersion(from), await schemaVersion(to)];
  if (source !== target) {
    throw new Error(`the SQLite store has schema version ${source} and the PostgreSQL store ${target}: open both with the same gateway version`);
  }
}

/** The source's tables, each after the tables its foreign keys point at, so every insert finds its parent. */
async function tablesInDependencyOrder(from: Sql): Promise<string[]> {
  const names = (await from.column<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
    .filter((name) => !NOT_COPIED.has(name));
  const parents = new Map<string, string[]>();
  for (const name of names) {
    const keys = await from.all<{ table: string }>(`SELECT "table" FROM pragma_foreign_key_list('${name}')`);
    parents.set(name, keys.map((key) => key.table).filter((parent) => parent !== name));
  }
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' → ')}`);
    for (const parent of parents.get(name) ?? []) visit(parent, [...path, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

async function assertEmpty(to: Sql, table: string): Promise<void> {
  const exists = await to.value<string>('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?', [table]);
  if (!exists) throw new Error(`the PostgreSQL store has no table ${table}`);
  if (await to.value(`SELECT 1 FROM ${table} LIMIT 1`) !== undefined) {
    throw new Error(`the PostgreSQL database is not empty: table ${table} has rows. Copy into a new, empty database`);
  }
}

interface TargetColumn {
  column_name: string;
  is_identity: string;
  column_default: string | null;
  is_nullable: string;
}

/**
 * The columns both stores have, which is every SQLite column. A column only PostgreSQL has (server_moves.seq, the
 * insertion order SQLite keeps as rowid) must fill itself: identity or default.
 */
async function matchingColumns(from: Sql, to: Sql, table: string): Promise<string[]> {
  const source = await from.column<string>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`);
  const target = await to.all<TargetColumn>(`
    SELECT column_name, is_identity, column_default, is_nullable FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ?`, [table]);
  const targetNames = new Set(target.map((column) => column.column_name));
  const missing = source.filter((name) => !targetNames.has(name));
  if (missing.length > 0) throw new Error(`the PostgreSQL table ${table} has no column ${missing.join(', ')}`);
  const unfilled = target.filter((column) => !source.includes(column.column_name)
    && column.is_identity !== 'YES' && column.column_default === null && column.is_nullable === 'NO');
  if (unfilled.length > 0) throw new Error(`the PostgreSQL table ${table} needs column ${unfilled.map((c) => c.column_name).join(', ')}, which SQLite does not have`);
  return source;
}

/** Pages through the source by rowid (insertion order, which server_moves.seq then follows) and inserts in batches. */
async function copyRows(from: Sql, to: Sql, table: string, columns: string[]): Promise<number> {
  const list = columns.join(', ');
  const batchRows = Math.max(1, Math.min(BATCH_ROWS_MAX, Math.floor(BATCH_PARAMETERS / columns.length)));
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  let copied = 0;
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await from.all<Record<string, unknown>>(
      `SELECT rowid AS copy_rowid, ${list} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`, [after, batchRows]);
    if (rows.length === 0) return copied;
    // Identity columns are GENERATED BY DEFAULT: an explicit id is taken as given (OVERRIDING makes that explicit).
    await to.run(
      `INSERT INTO ${table} (${list}) OVERRIDING SYSTEM VALUE VALUES ${rows.map(() => placeholders).join(', ')}`,
      rows.flatMap((row) => columns.map((column) => row[column])));
    copied += rows.length;
    after = rows.at(-1)!.copy_rowid as number;
  }
}

/**
 * Sets each copied identity column's sequence to the highest id the source ever handed out: the larger of the
 * highest id present and SQLite's AUTOINCREMENT record, which remembers ids of rows deleted since.
 */
async function moveSequencesPastCopiedIds(from: Sql, to: Sql, tables: string[]): Promise<void> {
  const hasSequenceTable = await from.value("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'") !== undefined;
  const identities = await to.all<{ table_name: string; column_name: string }>(`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`);
  for (const { table_name: table, column_name: column } of identities) {
    if (!tables.includes(table)) continue;
    const sourceColumns = await from.column<string>(`SELECT name FROM pragma_table_info('${table}')`);
    // A PostgreSQL-only identity (server_moves.seq) numbered the copied rows itself.
    if (!sourceColumns.includes(column)) continue;
    const present = Number(await from.value<number>(`SELECT MAX(${column}) FROM ${table}`) ?? 0);
    const issued = hasSequenceTable ? Number(await from.value<number>('SELECT seq FROM sqlite_sequence WHERE name = ?', [table]) ?? 0) : 0;
    const highest = Math.max(present, issued);
    if (highest > 0) await to.value(`SELECT setval(pg_get_serial_sequence(?, ?), ?, true)`, [table, column, highest]);
  }
}
