// Helpers shared by the repositories: audit stamps, paging and the versioned-update rule.
import { isUniqueViolation, type Sql } from './sql/types.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../domain/errors.js';

export interface AuditRow {
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export function auditView(row: AuditRow) {
  return {
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export interface PageRequest {
  limit?: number | undefined;
  offset?: number | undefined;
}

export function pageOf(request: PageRequest) {
  return { limit: request.limit ?? 100, offset: request.offset ?? 0 };
}

/** Escapes LIKE wildcards so a search for "50%" finds that text. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Throws 404 when the row is gone, 409 when `expected` is given and is not the current version.
 * Called inside the transaction that then writes, so no other write slips in between: on PostgreSQL the read locks
 * the row, so of two replicas updating it at once the second reads the first one's version.
 */
export async function assertVersion(sql: Sql, table: string, kind: string, id: number, expected: number | undefined): Promise<number> {
  const current = await sql.value<number>(`SELECT version FROM ${table} WHERE id = ?${sql.dialect.forUpdate}`, [id]);
  if (current === undefined) throw new NotFoundError(kind, id);
  if (expected !== undefined && expected !== current) throw new VersionConflictError(kind, id, expected, current);
  return current;
}

/** Runs a write; a UNIQUE failure (the only unique key besides ids is the name) becomes a 409 naming `name`. */
export async function withUniqueName<T>(write: () => Promise<T>, name: string, usedBy: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError('name', `"${name}" is already used by ${usedBy}`);
    throw error;
  }
}
